#!/usr/bin/env bash
# 塔吊 backup: the database (an online, consistent snapshot while the service runs), the uploaded files and the
# secret key; the copy is checked (SQLite integrity, PostgreSQL archive list) and the audit chain's head written
# beside it. Run with the service's environment (TADIAO_DATA_DIR, DATABASE_URL), e.g. as in docs/backup.md:
#   sudo -u tadiao sh -c 'set -a; . /etc/tadiao/tadiao.env; set +a; /opt/tadiao/scripts/backup.sh /backup/tadiao'
# The last line printed is the database copy's path.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${TADIAO_BIN:-$ROOT/.venv/bin}"
DEST="${1:?用法：scripts/backup.sh 备份目录}"
umask 077
mkdir -p "$DEST"
stamp="$(date +%Y%m%d-%H%M%S)"

# The database the service uses, as its settings name it (one configuration path for every database).
mapfile -t cfg < <(cd "$ROOT" && "$BIN/python" - <<'PY'
import tadiao.settings as s
db = s.DATABASES["default"]
print(db["ENGINE"].rsplit(".", 1)[-1])
print(db["NAME"])
print(s.DATA_DIR)
PY
)
engine="${cfg[0]}" name="${cfg[1]}" data="${cfg[2]}"

case "$engine" in
  sqlite3)
    out="$DEST/tadiao-$stamp.sqlite3"
    # SQLite's online backup API: one consistent snapshot, including what is committed but still in the WAL file.
    # Never cp the live file: it may miss the WAL's content or be torn by a concurrent write.
    "$BIN/python" - "$name" "$out" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1], timeout=60)
target = sqlite3.connect(sys.argv[2])
source.backup(target)
# The CHECK constraints call Django's SQL functions, which plain sqlite3 lacks: check the structure, not them.
target.execute("PRAGMA ignore_check_constraints = ON")
ok = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
source.close()
sys.exit(0 if ok == "ok" else f"备份文件完整性检查失败：{ok}")
PY
    # The copy's audit chain, checked on a scratch copy (opening the backup itself would switch it to WAL).
    scratch="$DEST/.verify-$stamp.sqlite3"
    cp "$out" "$scratch"
    DATABASE_URL="sqlite:///$scratch" "$BIN/tadiao" audit_verify > "$out.audit.txt" || {
      cat "$out.audit.txt" >&2; rm -f "$scratch" "$scratch-wal" "$scratch-shm"; exit 1; }
    rm -f "$scratch" "$scratch-wal" "$scratch-shm"
    ;;
  postgresql)
    out="$DEST/tadiao-$stamp.dump"
    # pg_dump reads one snapshot of the whole database while the service goes on writing.
    pg_dump --format=custom --file="$out" --dbname="$DATABASE_URL"
    pg_restore --list "$out" > /dev/null
    # The live chain's head, at or after the moment of the dump: the restored copy must end at or before it.
    "$BIN/tadiao" audit_verify > "$out.audit.txt"
    ;;
  *)
    echo "不支持的数据库：$engine" >&2
    exit 1
    ;;
esac

if [ -d "$data/media" ]; then
  mkdir -p "$DEST/media"
  if command -v rsync > /dev/null; then rsync -a --delete "$data/media/" "$DEST/media/"; else cp -a "$data/media/." "$DEST/media/"; fi
fi
if [ -f "$data/secret_key" ]; then install -m 600 "$data/secret_key" "$DEST/secret_key"; fi
# Keep TADIAO_BACKUP_KEEP_DAYS days (default 30) of database copies.
find "$DEST" -maxdepth 1 -name 'tadiao-*' -mtime +"${TADIAO_BACKUP_KEEP_DAYS:-30}" -delete
grep '^链头哈希：' "$out.audit.txt" || true
echo "$out"
