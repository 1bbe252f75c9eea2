#!/usr/bin/env bash
# `make test`: checks migrations, lint and types, then the whole suite on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Browser tests drive Debian's Chromium; install it when missing and we may (root with apt).
if { [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "安装 Chromium 与 Noto CJK 字体（浏览器测试与图表需要）…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
    || echo "警告：Chromium 安装失败" >&2
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "警告：找不到 /usr/bin/chromium，浏览器测试将跳过（CI=true 时视为失败）。" >&2
fi

export TADIAO_DATA_DIR="${TADIAO_DATA_DIR:-$PWD/var/test}"
mkdir -p "$TADIAO_DATA_DIR"

echo "== makemigrations --check"
DATABASE_URL= "$BIN/tadiao" makemigrations --check --dry-run
echo "== ruff"
"$BIN/ruff" check tadiao tests benchmarks
echo "== mypy"
"$BIN/mypy"  # what it checks, and how strictly: [tool.mypy] in pyproject.toml

echo "== pytest on SQLite"
DATABASE_URL= "$BIN/pytest" -q "$@"

pg_url="${DATABASE_URL:-}"
dropdb=""
if [ -z "$pg_url" ] && "$BIN/python" - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(s.connect_ex(("127.0.0.1", 5432)))
PY
then
  # A throw-away database: pytest-django then creates and drops test_<name> beside it.
  name="tadiao_ci_$$"
  pg_url="postgres://postgres@127.0.0.1:5432/$name"
  "$BIN/python" - "$name" <<'PY'
import sys, psycopg
with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
    c.execute(f'CREATE DATABASE "{sys.argv[1]}"')
PY
  dropdb="$name"
fi
if [ -n "$pg_url" ]; then
  echo "== pytest on PostgreSQL"
  status=0
  # No persistent connections in tests: a live-server thread's kept connection blocks dropping the test database.
  TADIAO_DB_CONN_MAX_AGE=0 DATABASE_URL="$pg_url" "$BIN/pytest" -q "$@" || status=$?
  if [ -n "$dropdb" ]; then
    "$BIN/python" - "$dropdb" <<'PY'
import sys, psycopg
with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
    # pytest-django's test_<name> too: a live-server thread can still hold it when pytest tries to drop it.
    for name in (sys.argv[1], f"test_{sys.argv[1]}"):
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PY
  fi
  exit $status
else
  echo "未发现 PostgreSQL（DATABASE_URL 未设置，127.0.0.1:5432 无应答），只在 SQLite 上运行。"
fi
