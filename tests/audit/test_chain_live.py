"""On a database of its own (a SQLite file, or a throw-away PostgreSQL database), as an upgrade meets it: events
written before the chain existed are numbered and hashed by migration audit 0003, then six appenders write at once
in their own connections and the chain does not fork.

Not a transactional test on the test database: its flush would empty the rows the data migrations put there
(built-in rates) for every transactional test after it."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
import threading, time, django
django.setup()
from django.core.management import call_command
from django.db import connection, connections, transaction
call_command("migrate", "audit", "0002", verbosity=0)
with connection.cursor() as cursor:  # the old schema: no seq, no hashes
    for n, (when, action) in enumerate([("2026-11-01 08:00:00+00:00", "auth.login"),
                                        ("2026-10-01 08:00:00+00:00", "org.unit.created"),
                                        ("2026-11-02 09:30:00+00:00", "auth.logout")]):
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_name, ip, action, object_type, object_id, object_repr,"
            " changes, result, message) VALUES (%s, %s, '10.0.0.1', %s, '', '', '', %s, 'SUCCESS', '')",
            [when, f"用户{n}", action, f'{{"n": [{n}, {n + 1}.0]}}'])
call_command("migrate", verbosity=0)
from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent
events = list(AuditEvent.objects.order_by("seq"))
print("migrated", [(e.seq, e.action, e.prev_hash == prev) for e, prev in zip(
    events, ["0" * 64, *[e.hash for e in events]])])
connection.close()
errors, barrier = [], threading.Barrier(6)

def appender(i):
    try:
        barrier.wait()
        for n in range(5):
            with transaction.atomic():
                audit.record(actor=None, actor_name=f"线程{i}", action="test.append", message=str(n))
                time.sleep(0.01)  # hold the transaction open: another appender must wait, not fork
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=appender, args=(i,)) for i in range(6)]
for t in threads: t.start()
for t in threads: t.join()
print("errors", errors)
print("seqs", list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 34)))
call_command("audit_verify")
"""


def run(env_extra: dict[str, str], tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TADIAO_") and k != "DATABASE_URL"}
    env.update({"TADIAO_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "tadiao.settings",
                "TADIAO_DB_CONN_MAX_AGE": "0", **env_extra})
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def check(lines: list[str]) -> None:
    # Numbered in the order they were written (by id), not by their time, each linked to the one before.
    assert lines[0] == ("migrated [(1, 'auth.login', True), (2, 'org.unit.created', True), (3, 'auth.logout', True)]")
    assert lines[1] == "errors []"
    assert lines[2] == "seqs True"
    assert lines[3] == "审计日志哈希链完整：共 33 条记录（第 1 至 33 条），逐条核对无误。"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant runs in the SQLite pass")
def test_migration_and_concurrent_appenders_on_sqlite(tmp_path):
    check(run({"DATABASE_URL": f"sqlite:///{tmp_path}/live.sqlite3"}, tmp_path))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL variant runs in the PostgreSQL pass")
def test_migration_and_concurrent_appenders_on_postgresql(tmp_path):
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"tadiao_chain_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    try:
        check(run({"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}, tmp_path))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
