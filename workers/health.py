"""Health checks of the worker and beat containers (docker-compose.yml): exit status 0 when healthy.

`python -m workers.health worker` — the Celery worker of this host (celery@<hostname>) answers a ping
over the broker within HEALTH_TIMEOUT_SECONDS (5).
`python -m workers.health beat` — the beat scheduler saved its schedule file (DATA_DIR/celerybeat-schedule,
written at start and every 3 minutes while it sends tasks) within BEAT_STALE_SECONDS (600).
"""

from __future__ import annotations

import os
import socket
import sys
import time

from webapp.config import Settings

SUFFIXES = ("", ".db", ".dat", ".dir")


def worker_alive() -> bool:
    from workers.celery_app import celery

    timeout = float(os.environ.get("HEALTH_TIMEOUT_SECONDS") or 5)
    replies = celery.control.ping(destination=[f"celery@{socket.gethostname()}"], timeout=timeout)
    return bool(replies)


def beat_alive() -> bool:
    stale = float(os.environ.get("BEAT_STALE_SECONDS") or 600)
    base = Settings.from_env().data_dir / "celerybeat-schedule"
    times = [os.path.getmtime(f"{base}{s}") for s in SUFFIXES if os.path.exists(f"{base}{s}")]
    return bool(times) and time.time() - max(times) < stale


def main(argv: list[str]) -> int:
    checks = {"worker": worker_alive, "beat": beat_alive}
    if len(argv) != 1 or argv[0] not in checks:
        print("usage: python -m workers.health worker|beat", file=sys.stderr)
        return 2
    healthy = checks[argv[0]]()
    print(f"{argv[0]}: {'healthy' if healthy else 'unhealthy'}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
