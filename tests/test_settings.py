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


@pytest.mark.parametrize("name", ["TADIAO_UPLOAD_MAX_BYTES", "TADIAO_LOGIN_FAILURE_LIMIT", "TADIAO_SESSION_SECONDS"])
def test_bad_integer_fails_loudly(tmp_path, name):
    result = import_settings(tmp_path, **{name: "lots"})
    assert result.returncode != 0
    assert f"{name} must be an integer, not 'lots'" in result.stderr


def test_secret_key_from_the_environment_writes_no_file(tmp_path):
    result = import_settings(tmp_path, TADIAO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()
