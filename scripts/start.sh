#!/usr/bin/env bash
# Set up and start the product on the embedded default: SQLite under instance/, no PostgreSQL or Redis.
# Needs only Python 3.11+. Starts the web server on http://127.0.0.1:${PORT:-5000}/ (PORT and HOST may be
# set), a Celery worker and the Celery beat scheduler (broker: files under the data directory; notices go
# to its maildrop/ folder unless SMTP_HOST is set). Ctrl-C stops all three. Unless PUBLIC_URL is set, the
# links in e-mails and SMS point at this server: http://HOST:PORT/ (127.0.0.1 when HOST is 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
export FLASK_APP=webapp
if [ -z "${PUBLIC_URL:-}" ]; then
  link_host=${HOST:-127.0.0.1}
  case "$link_host" in
    0.0.0.0 | "::") link_host=127.0.0.1 ;;  # every interface: the local one is at least reachable
    *:*) link_host="[$link_host]" ;;  # an IPv6 address
  esac
  export PUBLIC_URL="http://${link_host}:${PORT:-5000}"
fi
.venv/bin/flask --app webapp db upgrade
.venv/bin/flask --app webapp demo-data --if-empty

pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A workers worker --loglevel INFO --concurrency 2 &
pids+=($!)
.venv/bin/celery -A workers beat --loglevel INFO &
pids+=($!)
.venv/bin/flask --app webapp run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" &
pids+=($!)
wait -n || true  # Ctrl-C, or any of the three ending, stops them all
