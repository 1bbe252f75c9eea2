"""The audit log is a hash chain: `tadiao audit_verify` finds a row deleted or altered directly in the database
(with the append-only triggers dropped, as the database's owner could). Concurrent appenders and the data migration
are in test_chain_live.py, on a database of their own."""

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tadiao.audit import chain
from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def verify(*args) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", *args, stdout=StringIO())
    return str(exc.value)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def drop_triggers() -> None:
    """What an owner of the database (file owner, PostgreSQL table owner or superuser) can do."""
    if connection.vendor == "postgresql":
        raw("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    else:
        raw("DROP TRIGGER audit_event_no_update")
        raw("DROP TRIGGER audit_event_no_delete")


def rehash_from(seq: int) -> None:
    """An owner rewriting every link from `seq` on, so the chain verifies again."""
    events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else chain.GENESIS_HASH
    for event in events:
        event.prev_hash = prev
        event.hash = prev = chain.event_hash({name: getattr(event, name) for name in chain.HASHED_FIELDS})
        raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [event.prev_hash, event.hash,
                                                                                     event.pk])


@pytest.fixture
def events(sysadmin, unit_a):
    """Five events, seq 1 to 5."""
    recorded = [audit.record(actor=sysadmin, action="org.unit.updated", obj=unit_a,
                             changes={"name": [f"甲{i}", f"乙{i}"], "display_order": [i, i + 1]}) for i in range(4)]
    recorded.append(audit.record(actor=None, actor_name="nobody", action="auth.login_failed", ip="10.0.0.9",
                                 result=AuditEvent.Result.FAILURE, message="登录失败：nobody"))
    return [AuditEvent.objects.get(pk=e.pk) for e in recorded]


def test_each_event_hashes_its_canonical_json_and_the_previous_hash(events, sysadmin, unit_a):
    first, second = events[0], events[1]
    assert (first.seq, first.prev_hash) == (1, "0" * 64)
    document = {
        "seq": 2, "at": second.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        "actor_id": sysadmin.pk, "actor_name": "系统管理员", "ip": None, "action": "org.unit.updated",
        "object_type": "org.unit", "object_id": str(unit_a.pk), "object_repr": "东城镇",
        "changes": {"display_order": [1, 2], "name": ["甲1", "乙1"]}, "result": "SUCCESS", "message": "",
        "prev_hash": first.hash,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert second.hash == hashlib.sha256(text.encode()).hexdigest()
    assert second.prev_hash == first.hash
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]


def test_an_intact_chain_verifies_and_prints_its_head(events):
    out = verify()
    assert "审计日志哈希链完整：共 5 条记录（第 1 至 5 条），逐条核对无误。" in out
    assert f"链头哈希：5:{events[-1].hash}" in out
    assert f"链头：第 5 条（id={events[-1].pk}，" in out


def test_an_empty_log_verifies(db):
    assert "审计日志为空" in verify()


def test_a_row_deleted_directly_is_named(events):
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    message = verify_fails()
    assert "记录缺失：第 3 条不在库中" in message
    assert f"第 2 条（id={events[1].pk}，" in message and f"第 4 条（id={events[3].pk}，" in message


def test_the_first_row_deleted_directly_is_named(events):
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    message = verify_fails()
    assert "记录缺失" in message and "之前的第 1 条不在库中" in message and f"id={events[1].pk}" in message


def test_a_row_altered_directly_is_named_by_id_and_time(events):
    drop_triggers()
    raw("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["别人", events[3].pk])
    message = verify_fails()
    local = events[3].at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    shown = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"
    assert f"内容被改动：第 4 条（id={events[3].pk}，{shown}）的内容与其哈希不符" in message
    assert "问题之前已核对 3 条" in message


def test_a_changes_value_altered_directly_is_found(events):
    drop_triggers()
    raw("UPDATE audit_auditevent SET changes = %s WHERE id = %s",
        [json.dumps({"name": ["甲0", "丙0"], "display_order": [0, 1]}, ensure_ascii=False), events[0].pk])
    assert "内容被改动：第 1 条" in verify_fails()


def test_an_altered_row_with_its_own_hash_recomputed_breaks_the_next_link(events):
    drop_triggers()
    raw("UPDATE audit_auditevent SET message = %s WHERE id = %s", ["改过", events[1].pk])
    altered = AuditEvent.objects.get(pk=events[1].pk)
    new_hash = chain.event_hash({name: getattr(altered, name) for name in chain.HASHED_FIELDS})
    raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [new_hash, altered.pk])
    message = verify_fails()
    assert f"链接断开：第 3 条（id={events[2].pk}，" in message and f"第 2 条（id={events[1].pk}，" in message


def test_the_newest_rows_deleted_or_the_chain_rewritten_show_only_against_an_external_head(events):
    kept = f"5:{events[-1].hash}"
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    assert "共 3 条记录" in verify()  # the database alone cannot tell (docs/audit.md says so)
    assert "外部保存的链头第 5 条不在库中：库中最新的只到第 3 条" in verify_fails("--head", kept)

    raw("UPDATE audit_auditevent SET message = %s WHERE seq = 2", ["改过"])
    rehash_from(2)
    assert "完整" in verify()
    old_third = f"3:{events[2].hash}"
    assert "外部保存的链头第 3 条的哈希与库中不符：自该条起的记录被整体重写" in verify_fails("--head", old_third)


def test_an_external_head_that_matches_is_confirmed(events):
    head = f"4:{events[3].hash}"
    assert "外部保存的链头第 4 条核对一致。" in verify("--head", head)
    assert "--head 应为" in verify_fails("--head", "4:xyz")


def test_an_event_saved_without_the_chain_is_refused(sysadmin):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent(at=datetime.datetime.now(datetime.UTC), action="x").save()


def test_bulk_appends_are_chained_too(sysadmin, unit_a, unit_b, events):
    audit.record_many(actor=sysadmin, events=[("org.unit.updated", unit_a, {"x": [1, 2]}),
                                              ("org.unit.updated", unit_b, {"x": [3, 4.0]})])
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert "共 7 条记录" in verify()


def test_the_old_purge_permit_is_gone(events):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("SET LOCAL tadiao.audit_purge = 'on'")
            raw("DELETE FROM audit_auditevent")
    else:
        with pytest.raises(DatabaseError, match="no such table"), transaction.atomic():
            raw("INSERT INTO audit_purge_permit (id) VALUES (1)")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 5
