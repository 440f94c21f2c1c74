#!/usr/bin/env bash
# Set up and run the whole test suite: lint, types, tests.
# On SQLite by default; on real services when TEST_DATABASE_URL / TEST_REDIS_URL are set (.ci/run sets them).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
.venv/bin/ruff check webapp workers tests
.venv/bin/ruff format --check webapp workers tests
.venv/bin/mypy webapp workers
exec .venv/bin/pytest "$@"
