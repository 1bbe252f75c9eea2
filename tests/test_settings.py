"""Settings come from the environment and fail loudly, naming the variable, on a value they cannot use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def import_settings(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Import tadiao.settings in a fresh interpreter with only these tadiao variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TADIAO_") and k != "DATABASE_URL"}
    clean.update({"TADIAO_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-c", "import tadiao.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_defaults_work_on_a_fresh_checkout(tmp_path):
    result = import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]
    # The generated secret key is kept, readable by its owner only.
    key = tmp_path / "data" / "secret_key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("value,debug", [("1", "True"), ("true", "True"), ("off", "False"), ("0", "False")])
def test_debug_accepts_booleans(tmp_path, value, debug):
    result = import_settings(tmp_path, TADIAO_DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == debug


@pytest.mark.parametrize("value", ["maybe", "2", "ja"])
def test_bad_debug_value_fails_loudly(tmp_path, value):
    result = import_settings(tmp_path, TADIAO_DEBUG=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"TADIAO_DEBUG must be 1/0/true/false, not {value!r}" in result.stderr


@pytest.mark.parametrize("url", ["not-a-url", "foo://db.example/tadiao", "postgres://u@h:notaport/db"])
def test_bad_database_url_fails_loudly(tmp_path, url):
    result = import_settings(tmp_path, DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL is not a database address" in result.stderr


def test_postgres_database_url_is_used(tmp_path):
    result = import_settings(tmp_path, DATABASE_URL="postgres://tadiao@db.internal:5432/tadiao")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


@pytest.mark.parametrize("name", ["TADIAO_UPLOAD_MAX_BYTES", "TADIAO_LOGIN_FAILURE_LIMIT", "TADIAO_SESSION_SECONDS",
                                  "TADIAO_IDLE_SECONDS", "TADIAO_SQLITE_BUSY_SECONDS", "TADIAO_DB_CONNECT_TIMEOUT"])
def test_bad_integer_fails_loudly(tmp_path, name):
    result = import_settings(tmp_path, **{name: "lots"})
    assert result.returncode != 0
    assert f"{name} must be an integer, not 'lots'" in result.stderr


def test_idle_timeout_below_a_minute_is_refused(tmp_path):
    result = import_settings(tmp_path, TADIAO_IDLE_SECONDS="30")
    assert result.returncode != 0
    assert "TADIAO_IDLE_SECONDS must be at least 60, not 30" in result.stderr


def test_secret_key_from_the_environment_writes_no_file(tmp_path):
    result = import_settings(tmp_path, TADIAO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


# --- the database: one configuration path for every SQLite file ---------------------------------------------

PRAGMAS = """
import django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    for name in ("journal_mode", "foreign_keys", "busy_timeout"):
        cursor.execute(f"PRAGMA {name}")
        print(name, cursor.fetchone()[0])
# IMMEDIATE: the write lock is taken at BEGIN, before any write, so a second writer cannot slip in between.
import sqlite3
with transaction.atomic():
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        print("second_writer", "got the lock")
    except sqlite3.OperationalError as exc:
        print("second_writer", str(exc).replace(" ", "_"))
"""


def run_in_django(tmp_path, script: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TADIAO_") and k != "DATABASE_URL"}
    clean.update({"TADIAO_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "tadiao.settings", **env})
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=240)


@pytest.mark.parametrize("how", ["data_dir", "sqlite_url", "relative_sqlite_url"])
def test_every_sqlite_database_gets_wal_immediate_busy_timeout_and_foreign_keys(tmp_path, how):
    env = {
        "data_dir": {},
        "sqlite_url": {"DATABASE_URL": f"sqlite:///{tmp_path}/elsewhere.sqlite3"},
        "relative_sqlite_url": {"DATABASE_URL": "sqlite:///relative.sqlite3"},
    }[how]
    if how == "relative_sqlite_url":  # relative to the working directory: run from tmp_path
        clean = {k: v for k, v in os.environ.items() if not k.startswith("TADIAO_") and k != "DATABASE_URL"}
        clean.update({"TADIAO_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "tadiao.settings",
                      "PYTHONPATH": str(ROOT), **env})
        result = subprocess.run([sys.executable, "-c", PRAGMAS], cwd=tmp_path, env=clean, capture_output=True,
                                text=True, timeout=60)
    else:
        result = run_in_django(tmp_path, PRAGMAS, **env)
    assert result.returncode == 0, result.stderr
    values = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert values == {"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "20000",
                      "second_writer": "database_is_locked"}
    expected_file = {"data_dir": tmp_path / "data" / "tadiao.sqlite3", "sqlite_url": tmp_path / "elsewhere.sqlite3",
                     "relative_sqlite_url": tmp_path / "relative.sqlite3"}[how]
    assert expected_file.exists()


def test_busy_timeout_comes_from_the_environment(tmp_path):
    result = run_in_django(tmp_path, PRAGMAS, TADIAO_SQLITE_BUSY_SECONDS="7")
    assert result.returncode == 0, result.stderr
    assert "busy_timeout 7000" in result.stdout.splitlines()


def test_an_in_memory_sqlite_url_is_refused(tmp_path):
    result = import_settings(tmp_path, DATABASE_URL="sqlite://:memory:")
    assert result.returncode != 0
    assert "in-memory SQLite" in result.stderr


POSTGRES_OPTIONS = """
import tadiao.settings as s
db = s.DATABASES["default"]
print(db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"], db["OPTIONS"]["connect_timeout"], "init_command" in db["OPTIONS"])
"""


def test_postgresql_keeps_checked_connections_from_the_environment(tmp_path):
    url = "postgres://tadiao@db.internal:5432/tadiao"
    assert run_in_django(tmp_path, POSTGRES_OPTIONS, DATABASE_URL=url).stdout.split() == ["60", "True", "10", "False"]
    tuned = run_in_django(tmp_path, POSTGRES_OPTIONS, DATABASE_URL=url, TADIAO_DB_CONN_MAX_AGE="0",
                          TADIAO_DB_CONNECT_TIMEOUT="3")
    assert tuned.stdout.split() == ["0", "True", "3", "False"], tuned.stderr


JIT_OPTION = """
import tadiao.settings as s
print(s.DATABASES["default"]["OPTIONS"].get("options"))
"""


def test_the_jit_option_can_be_left_out_for_pgbouncer(tmp_path):
    url = "postgres://tadiao@db.internal:5432/tadiao"
    assert run_in_django(tmp_path, JIT_OPTION, DATABASE_URL=url).stdout.strip() == "-c jit=off"
    assert run_in_django(tmp_path, JIT_OPTION, DATABASE_URL=url, TADIAO_PG_JIT_OFF="0").stdout.strip() == "None"


@pytest.mark.django_db
def test_postgresql_sessions_do_not_jit_compile_queries():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


# 20 reporters saving at once through the real services, each in its own thread and connection: every save
# goes through (IMMEDIATE queues the writers on the busy timeout). Without IMMEDIATE a transaction that read
# before writing fails at once with "database is locked" when another writer committed in between.
PARALLEL_SAVES = """
import threading, django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
call_command("migrate", verbosity=0)
from tadiao.org import services
from tadiao.org.models import Region, Unit, User
region = Region.objects.create(code="330182", name="建德市", level="COUNTY", path="/330182/")
admin = User.objects.create(username="admin", is_sysadmin=True)
units = [Unit.objects.create(name=f"单位{i}", kind="TOWNSHIP", region=region) for i in range(20)]
connection.close()
errors, saved = [], []
barrier = threading.Barrier(20)

def reporter(i):
    try:
        barrier.wait()
        for round in range(3):
            unit = Unit.objects.get(pk=units[i].pk)
            services.update_unit(unit=unit, by=admin, name=f"单位{i}-{round}", kind=unit.kind, region=region,
                                 display_order=round + 1, is_active=True)
            saved.append(i)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=reporter, args=(i,)) for i in range(20)]
for t in threads: t.start()
for t in threads: t.join()
print("saved", len(saved))
print("errors", len(errors), errors[:3])
from tadiao.audit.models import AuditEvent
print("audited", AuditEvent.objects.filter(action="org.unit.updated").count())
call_command("audit_verify")  # the appenders queued: one chain, no fork
"""


def test_twenty_parallel_saves_to_a_sqlite_url_database_are_never_locked_out(tmp_path):
    result = run_in_django(tmp_path, PARALLEL_SAVES, DATABASE_URL=f"sqlite:///{tmp_path}/surge.sqlite3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "saved 60", result.stdout
    assert lines[1] == "errors 0 []"
    assert lines[2] == "audited 60"
    assert lines[3] == "审计日志哈希链完整：共 60 条记录（第 1 至 60 条），逐条核对无误。"
