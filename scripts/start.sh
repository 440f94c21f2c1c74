#!/usr/bin/env bash
# Set up and start the product on the embedded default: SQLite under instance/, no PostgreSQL or Redis.
# Needs only Python 3.11+. Opens http://127.0.0.1:${PORT:-5000}/ (PORT and HOST may be set).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
export FLASK_APP=webapp
.venv/bin/flask --app webapp db upgrade
.venv/bin/flask --app webapp demo-data --if-empty
exec .venv/bin/flask --app webapp run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
