"""Celery workers (deadline sweeps, notices, email intake, year-end reports).

`celery -A workers worker|beat` finds the application as `workers.app`; it is created (with the Flask app)
only then, so importing a task module (tests, the `flask sweep` command) creates nothing.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("app", "celery"):
        from workers.celery_app import celery

        return celery
    raise AttributeError(f"module 'workers' has no attribute {name!r}")
