"""The Celery application bound to the Flask app: what `celery -A workers worker|beat` loads.

Broker: Redis when REDIS_URL is set (production); otherwise kombu's filesystem transport (made crash-safe
in workers/broker.py) under DATA_DIR/broker, which needs no server, so the embedded default runs a real
worker and beat. No result
backend: tasks report through the database. JSON only. Every task runs inside the Flask app's context
and commits its own unit of work.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.signals import (
    beat_init,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_success,
    worker_process_init,
)
from flask import Flask

from webapp.files import private_dir
from workers.schedule import RELAY_NOTICES, SWEEP_DEADLINES, TASK_MODULES, beat_schedule

log = logging.getLogger(__name__)


def celery_config(config: dict[str, Any]) -> dict[str, Any]:
    data_dir = Path(config["DATA_DIR"])
    settings: dict[str, Any] = {
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a broker that is down is waited for, never given up on
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "result_backend": None,
        "task_ignore_result": True,
        "task_default_queue": config["CELERY_QUEUE"],
        "task_acks_late": False,  # the database, not the broker, says what is left to do
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": 240,
        "task_time_limit": 300,
        "timezone": "Asia/Shanghai",
        "enable_utc": True,
        "beat_schedule": beat_schedule(config),
        "beat_schedule_filename": str(data_dir / "celerybeat-schedule"),
    }
    if config.get("REDIS_URL"):
        settings["broker_url"] = config["REDIS_URL"]
        # No ack emulation: a message is taken off Redis when a worker takes it. Nothing is lost that
        # matters (every task is a periodic, idempotent sweep over the database), and a worker does not
        # crash trying to put unacknowledged messages back while Redis is down (kombu's restore path).
        settings["broker_transport_options"] = {"ack_emulation": False}
    else:
        folders = {name: data_dir / "broker" / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            private_dir(folder)
        settings["broker_url"] = "filesystem://localhost//"
        settings["broker_transport"] = "workers.broker:Transport"  # crash-safe writes and reads
        settings["broker_transport_options"] = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        }
    return settings


def make_celery(flask_app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    from webapp.render.pdf import harden

    harden()  # the workers write PDFs too (the notices' attachments): reportlab fetches no URL
    celery = Celery(flask_app.import_name, task_cls=FlaskTask, include=TASK_MODULES)
    celery.conf.update(celery_config(flask_app.config))
    celery.set_default()
    flask_app.extensions["celery"] = celery

    @beat_init.connect(weak=False)
    def _catch_up(**_: Any) -> None:
        """When the scheduler starts, sweep at once: whatever lapsed while nothing ran is closed now
        (on its own dates), not one interval later."""
        for name in (SWEEP_DEADLINES, RELAY_NOTICES):
            try:
                celery.send_task(name, expires=300)
            except Exception as exc:  # the broker is down: the schedule tries again
                log.warning("could not queue %s at start: %s", name, type(exc).__name__)

    @worker_process_init.connect(weak=False)
    def _own_connections(**_: Any) -> None:
        """A forked pool process opens its own database connections (never its parent's)."""
        from webapp.extensions import db

        with flask_app.app_context():
            db.engine.dispose(close=False)
        harden()

    _observe(flask_app)
    return celery


def _observe(flask_app: Flask) -> None:
    """Logs and task counters of the worker and beat processes (see webapp/ops.py, webapp/logs.py)."""
    from webapp import logs
    from webapp.ops import count_task

    if flask_app.config["LOG_FORMAT"] == "json":

        @setup_logging.connect(weak=False)
        def _json_logs(loglevel: Any = None, **_: Any) -> None:
            """Celery leaves the root logger alone: JSON lines with redaction, as the web processes."""
            logs.configure_logging("json", flask_app.config["LOG_LEVEL"])

    @task_prerun.connect(weak=False)
    def _task_started(task_id: str = "", task: Any = None, **_: Any) -> None:
        logs.task.set((getattr(task, "name", "?"), task_id))

    @task_postrun.connect(weak=False)
    def _task_ended(**_: Any) -> None:
        logs.task.set(None)

    @task_success.connect(weak=False)
    def _succeeded(sender: Any = None, **_: Any) -> None:
        count_task(flask_app.config, getattr(sender, "name", "?"), "success")

    @task_failure.connect(weak=False)
    def _failed(sender: Any = None, **_: Any) -> None:
        count_task(flask_app.config, getattr(sender, "name", "?"), "failure")


_created: list[Celery] = []


def __getattr__(name: str) -> Celery:
    """`celery` (alias `app`): the application of `celery -A workers`, created with the Flask app on first
    use, so importing this module (tests, tooling) creates nothing."""
    if name not in ("celery", "app"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _created:
        from webapp import create_app

        _created.append(make_celery(create_app()))
    return _created[0]
