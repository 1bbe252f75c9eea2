"""Migration 0003 numbers and hashes the events written before the chain existed, in the order they were written,
and takes the purge permit away."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tadiao.audit.models import AuditEvent

BEFORE = [("audit", "0002_append_only_triggers")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_chained_by_the_data_migration():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    migrate(BEFORE)
    old_events = [("2026-11-01 08:00:00", "auth.login"), ("2026-10-01 08:00:00", "org.unit.created"),
                  ("2026-11-02 09:30:00", "auth.logout")]
    with connection.cursor() as cursor:
        for n, (when, action) in enumerate(old_events):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_name, ip, action, object_type, object_id, object_repr,"
                " changes, result, message) VALUES (%s, %s, %s, %s, '', '', '', %s, 'SUCCESS', '')",
                [when + "+00:00" if connection.vendor == "postgresql" else when, f"用户{n}", "10.0.0.1", action,
                 f'{{"n": [{n}, {n + 1}.0]}}'],
            )
    migrate(latest)

    events = list(AuditEvent.objects.order_by("id"))
    # Numbered in the order they were written (by id), not by their time.
    assert [(e.seq, e.action) for e in events] == [(1, "auth.login"), (2, "org.unit.created"), (3, "auth.logout")]
    assert events[0].prev_hash == "0" * 64 and events[1].prev_hash == events[0].hash
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计日志哈希链完整：共 3 条记录（第 1 至 3 条）" in out.getvalue()
    # New events go on from the migrated head, and the triggers hold without any permit.
    AuditEvent.objects.create(action="auth.login", actor_name="新用户", at=events[-1].at)
    assert AuditEvent.objects.get(action="auth.login", actor_name="新用户").prev_hash == events[-1].hash
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 4
