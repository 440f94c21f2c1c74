"""gunicorn settings of the production web server: `gunicorn --config python:webapp.gunicorn_conf
'webapp:create_app()'` (docker-compose.yml).

Environment: PORT (8000), WEB_HOST (0.0.0.0), WEB_CONCURRENCY (worker processes, gunicorn's own
variable, default 4 here), WEB_TIMEOUT (30 s), LOG_FORMAT (json in production).

- Metrics: prometheus_client's multiprocess mode, so /metrics adds up all worker processes of this server.
  Each server gets a fresh folder of its own (PROMETHEUS_MULTIPROC_DIR, created here before the app is
  imported; an existing value is wiped at start), removed at exit.
- No gunicorn access log: the application writes one line per request (webapp/ops.py) with the Flask
  endpoint name instead of the path, never a query string. gunicorn's own messages use the same JSON
  formatter and redaction filter as the application (webapp/logs.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _given:
    shutil.rmtree(_given, ignore_errors=True)
    Path(_given).mkdir(parents=True)
else:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gd-metrics-")
    # also when the server stops before on_exit (a bad setting): the worker processes leave by
    # os._exit and never run this
    atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], True)

bind = [f"{os.environ.get('WEB_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY") or 4)
timeout = int(os.environ.get("WEB_TIMEOUT") or 30)
graceful_timeout = 20
# the workers' heartbeat files in memory: on a container's overlay file system a write can stall
SHM = "/dev/shm"  # noqa: S108  (gunicorn creates its own private files there)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
accesslog = None
umask = 0o077  # what gunicorn itself creates; the application sets the same (webapp/files.py)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_format = os.environ.get("LOG_FORMAT") or ("json" if os.environ.get("APP_ENV") == "production" else "text")
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "app": {"()": "webapp.logs.JsonFormatter" if _format == "json" else "webapp.logs.TextFormatter"}
    },
    "filters": {"redact": {"()": "webapp.logs.RedactFilter"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "app",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": []},  # the application installs its own (webapp/logs.py)
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
