#!/usr/bin/env bash
# Serves tadiao with gunicorn plus the background-task worker; Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/gunicorn" tadiao.wsgi:application --bind "${TADIAO_BIND:-127.0.0.1:8000}" --workers "${TADIAO_WORKERS:-3}" \
  --access-logfile - &
web=$!
# The daily overdue check (escalation) runs in the worker; booking it is idempotent (never queued twice).
"$BIN/tadiao" escalate --schedule || echo "警告：未能安排每日超期检查" >&2
"$BIN/tadiao" db_worker &
worker=$!
trap 'kill $web $worker 2>/dev/null; wait; exit 0' INT TERM
echo "塔吊已启动： http://${TADIAO_BIND:-127.0.0.1:8000}/  （Ctrl-C 停止）"
wait -n $web $worker
kill $web $worker 2>/dev/null
wait
