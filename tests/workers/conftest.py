"""Worker test fixtures: a fixed day, the SMTP sink, Dovecot, and a database of its own for the tests that
run real worker processes (they must see committed data, which the rolled-back `session` never has)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, app_config, private_database
from tests.workers.services import DOVECOT, Dovecot, SmtpSink, dovecot, smtp_sink
from webapp import create_app
from webapp.extensions import db

SENDER = "notices@disclosure.test"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as s:
        yield s


@pytest.fixture
def worker_config(app: Flask, sink: SmtpSink, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The test app's settings pointed at the sink, restored after the test."""
    changes = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": sink.port,
        "SMTP_SECURITY": "none",
        "SMTP_FROM": SENDER,
        "DATA_DIR": str(tmp_path),
        "NOTICE_RETRY_BASE_SECONDS": 60.0,
        "NOTICE_MAX_ATTEMPTS": 3,
        "NOTICE_LEASE_SECONDS": 120.0,
    }
    saved = {k: app.config.get(k) for k in changes}
    app.config.update(changes)
    try:
        yield app.config
    finally:
        app.config.update(saved)


@pytest.fixture(scope="session")
def imap() -> Iterator[Dovecot]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    users = {u: "imap-secret" for u in ("intake@agency.test", "other@agency.test", "e2e@agency.test")}
    with dovecot(users) as server:
        yield server


# -- a database of its own, for worker processes ---------------------------------------------------


@dataclass
class E2E:
    app: Flask
    url: str
    data_dir: Path

    def worker_env(self, sink: SmtpSink | None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST", "REDIS_URL"))}
        env.update(
            DATABASE_URL=self.url,
            DATA_DIR=str(self.data_dir),
            SECRET_KEY="test-secret",
            APP_ENV="development",
            SMTP_FROM=SENDER,
            CELERY_QUEUE=f"gd-test-{uuid.uuid4().hex[:12]}",
            SWEEP_INTERVAL_SECONDS="2",
            NOTICE_RELAY_INTERVAL_SECONDS="1",
            MAIL_POLL_INTERVAL_SECONDS="1",
            NOTICE_LEASE_SECONDS="3",
            PYTHONUNBUFFERED="1",
        )
        if sink is not None:
            env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), SMTP_SECURITY="none")
        if TEST_REDIS_URL:
            env["REDIS_URL"] = TEST_REDIS_URL
        env.update(extra)
        return env


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    data_dir = tmp_path_factory.mktemp("e2e")
    with ExitStack() as stack:
        if TEST_DATABASE_URL:
            url = stack.enter_context(private_database(TEST_DATABASE_URL, "workers"))
        else:
            url = f"sqlite:///{data_dir / 'e2e.db'}"
        app = create_app(app_config(url, data_dir))
        with app.app_context():
            upgrade()
            db.session.remove()
        try:
            yield E2E(app, url, data_dir)
        finally:
            with app.app_context():
                db.engine.dispose()
