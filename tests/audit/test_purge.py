"""Retention purging goes through one command, `tadiao audit_purge`: only events older than the retention period,
only a prefix of the chain, only from an intact chain, and it leaves a checkpoint the chain goes on from.

The command counts the retention period from the real date (a --today would let it purge its own checkpoint),
so the events here are dated relative to today."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tadiao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime.now(SHANGHAI).date()
CUTOFF = TODAY - datetime.timedelta(days=200)  # older than the 180 days kept


def at(days_before_cutoff: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    day = CUTOFF - datetime.timedelta(days=days_before_cutoff)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def event(when: datetime.datetime, action="org.unit.updated") -> AuditEvent:
    return AuditEvent.objects.create(at=when, action=action, actor_name="系统管理员", object_type="org.unit",
                                     object_id="1", object_repr="东城镇", changes={"name": ["甲", "乙"]})


def purge(before: datetime.date | str) -> str:
    out = StringIO()
    call_command("audit_purge", "--before", str(before), stdout=out)
    return out.getvalue()


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def log(db):
    """Three events before the cutoff (the last a minute before midnight), one at 00:00 Beijing time of the cutoff
    day itself, one last week."""
    return [event(at(30)), event(at(29)), event(at(1, 23, 59)), event(at(0, 0, 0)),
            event(at(-193))]


def test_events_younger_than_180_days_are_never_purged(log):
    with pytest.raises(CommandError, match="审计日志至少保留 180 天") as exc:
        purge(TODAY - datetime.timedelta(days=179))
    assert f"只能清理 {cn(TODAY - datetime.timedelta(days=180))} 之前的记录" in str(exc.value)
    assert AuditEvent.objects.count() == 5


def test_purge_removes_the_oldest_events_and_appends_a_checkpoint(log):
    out = purge(CUTOFF)
    assert f"已清理 {cn(CUTOFF)} 之前的审计记录第 1 至 3 条，共 3 条；清理记录为第 6 条。" in out
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [4, 5, 6]
    checkpoint = AuditEvent.objects.get(seq=6)
    assert checkpoint.action == "audit.purged" and checkpoint.actor_name.startswith("审计日志清理命令（")
    assert checkpoint.changes["purged_through_seq"] == 3
    assert checkpoint.changes["purged_through_hash"] == log[2].hash
    assert checkpoint.changes["purged_count"] == 3
    assert checkpoint.message == f"按保留期清理审计日志：删除 {cn(CUTOFF)} 之前的第 1 至 3 条，共 3 条"
    # The chain verifies from the checkpoint on.
    report = verify()
    assert "审计日志哈希链完整：共 3 条记录（第 4 至 6 条）" in report
    assert "清理记录为第 6 条，链从它记下的哈希接续" in report
    # The triggers are back.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent")


def test_the_checkpoint_cannot_be_purged_by_the_same_command(log):
    purge(CUTOFF)
    # The checkpoint is recorded now; the latest cutoff the command accepts lies 180 days back.
    latest = TODAY - datetime.timedelta(days=180)
    assert "审计记录第 4 至 4 条，共 1 条；清理记录为第 7 条" in purge(latest)
    assert f"{cn(latest)} 之前没有审计记录" in purge(latest)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [5, 6, 7]
    assert AuditEvent.objects.get(seq=6).action == "audit.purged"
    assert "共 3 条记录（第 5 至 7 条）" in verify()


def test_removing_the_checkpoint_by_other_means_breaks_the_chain(log):
    purge(CUTOFF)
    if connection.vendor == "postgresql":
        raw("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    else:
        raw("DROP TRIGGER audit_event_no_delete")
    raw("DELETE FROM audit_auditevent WHERE action = 'audit.purged'")
    with pytest.raises(CommandError, match="之前的第 1 至 3 条不在库中，也没有清理命令留下的对应清理记录"):
        verify()


def test_only_a_prefix_of_the_chain_goes(db):
    event(at(30))
    event(at(-100))
    event(at(29))  # old, but after a young event in the chain: stays
    assert "第 1 至 1 条，共 1 条" in purge(CUTOFF)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [2, 3, 4]
    assert "完整" in verify()


def test_a_broken_chain_is_not_purged(log):
    if connection.vendor == "postgresql":
        raw("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    else:
        raw("DROP TRIGGER audit_event_no_update")
    raw("UPDATE audit_auditevent SET message = 'x' WHERE seq = 2")
    with pytest.raises(CommandError, match="审计日志哈希链不完整，拒绝清理（清理会抹掉证据）：内容被改动：第 2 条"):
        purge(CUTOFF)
    assert AuditEvent.objects.count() == 5


def test_a_second_purge_goes_on_from_the_first(log):
    purge(CUTOFF - datetime.timedelta(days=29))
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [2, 3, 4, 5, 6]
    purge(CUTOFF)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [4, 5, 6, 7]
    assert "共 4 条记录（第 4 至 7 条）" in verify()


def test_bad_dates_are_refused_in_chinese(db):
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        purge("1.6.2026")
