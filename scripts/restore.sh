#!/usr/bin/env bash
# 塔吊 restore of a database copy made by scripts/backup.sh, into the database the environment names
# (TADIAO_DATA_DIR / DATABASE_URL); then checks the audit chain. Stop the service first (docs/backup.md).
#   SQLite: the current file is kept as <file>.before-restore-<time>, its WAL files removed, the copy put in place.
#   PostgreSQL: DATABASE_URL must name a new, empty database (createdb); the restore is one transaction.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${TADIAO_BIN:-$ROOT/.venv/bin}"
file="${1:?用法：scripts/restore.sh 备份文件（.sqlite3 或 .dump）}"
[ -f "$file" ] || { echo "找不到备份文件：$file" >&2; exit 1; }
stamp="$(date +%Y%m%d-%H%M%S)"

mapfile -t cfg < <(cd "$ROOT" && "$BIN/python" - <<'PY'
import tadiao.settings as s
db = s.DATABASES["default"]
print(db["ENGINE"].rsplit(".", 1)[-1])
print(db["NAME"])
PY
)
engine="${cfg[0]}" name="${cfg[1]}"

case "$engine" in
  sqlite3)
    case "$file" in *.sqlite3) ;; *) echo "SQLite 只能从 .sqlite3 备份恢复：$file" >&2; exit 1 ;; esac
    if [ -e "$name" ]; then mv "$name" "$name.before-restore-$stamp"; fi
    rm -f "$name-wal" "$name-shm"   # the old database's WAL must not be applied to the restored one
    cp "$file" "$name"
    ;;
  postgresql)
    case "$file" in *.dump) ;; *) echo "PostgreSQL 只能从 .dump 备份恢复：$file" >&2; exit 1 ;; esac
    pg_restore --exit-on-error --single-transaction --no-owner --dbname="$DATABASE_URL" "$file"
    ;;
  *)
    echo "不支持的数据库：$engine" >&2
    exit 1
    ;;
esac
"$BIN/tadiao" audit_verify
