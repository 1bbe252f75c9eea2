"""The audit table's triggers, and the one way events leave the log: `purge` (the `audit_purge` command).

There is no permit an ordinary statement can take any more: UPDATE and DELETE on the audit table always fail
while the triggers are there. Getting them out of the way is DDL (DROP TRIGGER), which on PostgreSQL only the
table's owner or a superuser may do, and which the purge does inside its own transaction, together with the
checkpoint event it appends to the chain. See docs/audit.md for what each database guarantees.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tadiao.audit import chain
from tadiao.lib.dates import cn_date

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改 (audit log is append-only)'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除 (audit log is append-only)'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]

POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION USING MESSAGE = '审计日志只能追加，不能修改或删除 (audit log is append-only): ' || TG_OP;
       END $$"""
POSTGRES_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
]

# 《网络安全法》第二十一条 and 等保 2.0: network logs are kept for no less than six months.
MIN_RETENTION_DAYS = 180
PURGE_ACTOR = "审计日志清理命令"


class PurgeError(Exception):
    """A refused purge, with the Chinese message the operator reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _execute(using: str, statements: list[str]) -> None:
    with connections[using].cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    _execute(using, POSTGRES_DROP if connections[using].vendor == "postgresql" else SQLITE_DROP)


def create_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    if connections[using].vendor == "postgresql":
        _execute(using, [POSTGRES_FUNCTION, *POSTGRES_DROP, *POSTGRES_TRIGGERS])
    else:
        _execute(using, [*SQLITE_DROP, *SQLITE_TRIGGERS])


@contextmanager
def triggers_suspended(using: str = DEFAULT_DB_ALIAS):
    """Drops the append-only triggers for the block and puts them back afterwards, also on an error. DDL: needs
    the table owner's rights on PostgreSQL. Used by `purge` (inside its transaction, so nobody else ever sees
    the table without them) and by the test suite's teardown, which empties the whole database."""
    drop_triggers(using)
    try:
        yield
    finally:
        create_triggers(using)


@dataclass
class PurgeResult:
    count: int
    first_seq: int | None = None
    through_seq: int | None = None
    checkpoint_seq: int | None = None


def purge(*, before: datetime.date, today: datetime.date, by_name: str,
          using: str = DEFAULT_DB_ALIAS) -> PurgeResult:
    """Removes the oldest events, those recorded before `before` (Beijing time), which must lie at least
    MIN_RETENTION_DAYS before `today`.

    Only a prefix of the chain goes (the events from the first up to the last one before `before`), and only
    when the whole chain verifies: a broken chain is evidence, and purging must not erase it. In the same
    transaction a checkpoint event ("audit.purged") is appended that records the number and hash of the last
    purged event; the first remaining event links to that hash, so the chain still verifies from the checkpoint.
    The checkpoint is the newest event, younger than any cutoff this command accepts, so the command cannot
    remove it; removing it by other means breaks the chain like any other deletion."""
    if before > today - datetime.timedelta(days=MIN_RETENTION_DAYS):
        raise PurgeError(f"审计日志至少保留 {MIN_RETENTION_DAYS} 天（网络安全法、等保 2.0 要求不少于六个月）："
                         f"只能清理 {cn_date(today - datetime.timedelta(days=MIN_RETENTION_DAYS))} 之前的记录。")
    from tadiao.audit.models import AuditEvent

    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    events = AuditEvent._base_manager.using(using)
    with transaction.atomic(using=using):
        chain.lock_chain(using)
        checked = chain.verify(using=using)
        if not checked.ok:
            raise PurgeError(f"审计日志哈希链不完整，拒绝清理（清理会抹掉证据）：{checked.problem.message}")
        first = events.order_by("seq").values_list("seq", flat=True).first()
        # The prefix: every event up to the first one recorded on or after the cutoff.
        kept_from = events.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        through = (kept_from - 1) if kept_from is not None else checked.head_seq
        if first is None or through < first:
            return PurgeResult(count=0)
        last = events.get(seq=through)
        first_at = events.filter(seq=first).values_list("at", flat=True).get()
        with triggers_suspended(using):
            count, _ = events.filter(seq__lte=through).delete()
        checkpoint = AuditEvent.objects.db_manager(using).create(
            at=timezone.now(), actor=None, actor_name=by_name[:150], action=chain.PURGE_ACTION,
            changes={"purged_through_seq": through, "purged_through_hash": last.hash, "purged_count": count,
                     "purged_first_seq": first, "purged_first_at": chain.when(first_at),
                     "purged_last_at": chain.when(last.at), "before": cn_date(before)},
            message=f"按保留期清理审计日志：删除 {cn_date(before)} 之前的第 {first} 至 {through} 条，共 {count} 条",
        )
    return PurgeResult(count=count, first_seq=first, through_seq=through, checkpoint_seq=checkpoint.seq)
