"""The backup and restore drill of docs/backup.md, run as the operator runs it: scripts/backup.sh on a populated
database while another process keeps writing, scripts/restore.sh into an empty one; the restored copy passes
`tadiao audit_verify` and has the same row counts as the source had at the moment of the snapshot.

Each drill runs once per `make test`: the SQLite drill in the SQLite pass, the PostgreSQL drill in the PostgreSQL
pass (it skips when no server answers, and fails then under CI=true)."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.filterwarnings("ignore")

# Keeps writing through the real services (an audited unit edit, then a login-failure event) until told to stop.
WRITER = """
import sys, time, django
django.setup()
from pathlib import Path
from tadiao.audit import services as audit
from tadiao.org import services
from tadiao.org.models import Unit, User
stop = Path(sys.argv[1])
admin = User.objects.get(username="admin")
unit = Unit.objects.order_by("id").first()
n = 0
deadline = time.monotonic() + 120
while not stop.exists() and time.monotonic() < deadline:
    n += 1
    unit = services.update_unit(unit=unit, by=admin, name=unit.name, kind=unit.kind, region=unit.region,
                                display_order=n, is_active=True)
    audit.record(actor=None, actor_name=f"写入{n}", action="auth.login_failed", result="FAILURE")
    if n == 5:
        print("writing", flush=True)
print(n, flush=True)
"""

# Row counts of every table, audit events counted up to `upto` (the restored copy's head), and the chain head.
COUNTS = """
import json, sys, django
django.setup()
from django.apps import apps
from tadiao.audit.models import AuditEvent
upto = int(sys.argv[1]) if len(sys.argv) > 1 else None
counts = {}
for model in apps.get_models(include_auto_created=True):
    rows = model._base_manager.all()
    if model is AuditEvent and upto is not None:
        rows = rows.filter(seq__lte=upto)
    counts[model._meta.db_table] = rows.count()
head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
hashes = dict(AuditEvent.objects.filter(seq=upto).values_list("seq", "hash")) if upto else {}
print(json.dumps({"counts": counts, "head": head, "hash_at_upto": hashes.get(upto)}))
"""


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TADIAO_") and k != "DATABASE_URL"}
    env.update({"TADIAO_BIN": str(BIN), "DJANGO_SETTINGS_MODULE": "tadiao.settings", "PYTHONPATH": str(ROOT),
                "TADIAO_DB_CONN_MAX_AGE": "0", **extra})
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def counts(env: dict[str, str], upto: int | None = None) -> dict:
    return json.loads(run([sys.executable, "-c", COUNTS, *([str(upto)] if upto else [])], env).splitlines()[-1])


def drill(tmp_path: Path, source: dict[str, str], target: dict[str, str]) -> None:
    run([str(BIN / "tadiao"), "migrate", "--noinput", "-v", "0"], source)
    run([str(BIN / "tadiao"), "first_run", "--today", "2026-11-23"], source)
    before = counts(source)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(stop)], cwd=ROOT, env=source,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        # docs/backup.md: scripts/backup.sh <backup folder>, with the service's environment, while it runs.
        out = run(["bash", "scripts/backup.sh", str(tmp_path / "backup")], source)
        time.sleep(1)  # and the writes go on after the snapshot
    finally:
        stop.touch()
        written = writer.communicate(timeout=180)
    assert writer.returncode == 0, written[1]
    copy = Path(out.splitlines()[-1])
    assert copy.exists() and copy.parent == tmp_path / "backup"
    assert (tmp_path / "backup" / "secret_key").exists() or "TADIAO_SECRET_KEY" in source

    # docs/backup.md: scripts/restore.sh <copy>, with the restored installation's environment.
    restored = run(["bash", "scripts/restore.sh", str(copy)], target)
    assert "审计日志哈希链完整" in restored

    after = counts(target)
    head_seq, head_hash = after["head"]
    assert head_seq > before["head"][0]  # the copy holds writes made while the writer ran …
    source_now = counts(source, upto=head_seq)
    assert source_now["head"][0] > head_seq  # … and the source went on writing after the snapshot
    assert source_now["hash_at_upto"] == head_hash  # the copy's chain is the source's, event for event
    assert after["counts"] == source_now["counts"]  # every table: the same rows as the source at the snapshot
    assert after["counts"]["org_user"] == before["counts"]["org_user"] > 1
    assert f"链头哈希：{head_seq}:{head_hash}" in restored
    # The head written beside the copy: the copy's own (SQLite) or the live one at or after the dump (PostgreSQL).
    noted = re.search(r"链头哈希：(\d+):([0-9a-f]{64})", Path(f"{copy}.audit.txt").read_text())
    assert noted and int(noted[1]) >= head_seq


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite drill runs in the SQLite pass")
def test_sqlite_backup_under_writes_restores_and_verifies(tmp_path):
    source = environment(TADIAO_DATA_DIR=str(tmp_path / "live"))
    target = environment(TADIAO_DATA_DIR=str(tmp_path / "restored"))
    drill(tmp_path, source, target)
    noted = re.search(r"链头哈希：(\d+):", next((tmp_path / "backup").glob("*.audit.txt")).read_text())
    assert int(noted[1]) == counts(target)["head"][0]  # SQLite: the copy itself was checked


def _server() -> str | None:
    """The PostgreSQL server of this test run (its DATABASE_URL), or the local one when it answers."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 5432)) == 0:
            return "postgres://postgres@127.0.0.1:5432/postgres"
    return None


def test_postgresql_dump_under_writes_restores_and_verifies(tmp_path):
    server = _server()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: no PostgreSQL server answers for the backup drill")
        pytest.skip("no PostgreSQL server answers")
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL drill runs in the PostgreSQL pass (a server answers: scripts/run-tests.sh runs it)")
    import psycopg

    parts = urlsplit(server)
    names = [f"tadiao_drill_{os.getpid()}_src", f"tadiao_drill_{os.getpid()}_dst"]
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            # docs/backup.md restores into a new, empty database (createdb)
            admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    try:
        source = environment(TADIAO_DATA_DIR=str(tmp_path / "live"),
                             DATABASE_URL=urlunsplit(parts._replace(path=f"/{names[0]}")))
        target = environment(TADIAO_DATA_DIR=str(tmp_path / "restored"),
                             DATABASE_URL=urlunsplit(parts._replace(path=f"/{names[1]}")))
        drill(tmp_path, source, target)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
