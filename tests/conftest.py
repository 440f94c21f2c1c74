"""Fixtures: the app on TEST_DATABASE_URL (PostgreSQL in CI) or a fresh SQLite file, schema from migrations,
and each test inside a transaction rolled back after it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tests.factories import People, add_people
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.models import Event

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def app_config(database_url: str, data_dir: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": TEST_REDIS_URL,
        "DATA_DIR": str(data_dir),
        "ATTACHMENT_DIR": str(data_dir / "attachments"),
        # Rate limits off (tests/web/test_security.py and tests/api/test_rate_limits.py turn them on),
        # and in memory, never in the shared TEST_REDIS_URL.
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The process's umask stays as it is: the suite runs servers (dovecot) that read files it writes.
        # The files the product writes get their modes explicitly (tests/web/test_file_modes.py).
        "PRIVATE_UMASK": False,
        # Two-factor sign-in off where it is not the subject (the product's default is "admins"):
        # tests/web/test_two_factor.py and tests/web/test_two_factor_browser.py turn it on.
        "STAFF_2FA": "off",
    }


def reset_schema() -> None:
    """Drop whatever a previous run left and build the schema from the migrations."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


@contextmanager
def private_database(url: str, purpose: str = "run") -> Iterator[str]:
    """A PostgreSQL database of this test run's own beside TEST_DATABASE_URL's, dropped afterwards, so
    concurrent runs on one server never see each other's data."""
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{purpose}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def erase_history(session: Any, request_ids: Any) -> None:
    """Test clean-up only (PostgreSQL): remove committed requests' events, which the database refuses
    (the history is append-only), by skipping triggers for one statement as only a superuser can."""
    session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(delete(Event).where(Event.request_id.in_(request_ids)))
    session.execute(text("SET LOCAL session_replication_role = origin"))


_UMASK = os.umask(0o022)  # the umask the suite started with (read by setting it, then put back)
os.umask(_UMASK)


@pytest.fixture(autouse=True)
def _suite_umask() -> Iterator[None]:
    """An app built without PRIVATE_UMASK=False sets the process's umask to 077 (webapp/files.py): each
    test starts and ends with the suite's own, so files written for other servers (dovecot) stay readable."""
    os.umask(_UMASK)
    yield
    os.umask(_UMASK)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TEST_DATABASE_URL:
        with private_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("data")
    app = create_app(app_config(database_url, data_dir))
    with app.app_context():
        reset_schema()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class TestScopedSession(scoped_session):  # type: ignore[type-arg]
    def remove(self) -> None:
        """At a request's end: keep the session; the test's rollback ends everything."""

    def end(self) -> None:
        super().remove()


@pytest.fixture
def session(app: Flask) -> Iterator[scoped_session]:  # type: ignore[type-arg]
    """db.session bound to one connection whose outer transaction is rolled back after the test.

    No application context stays pushed during the test, so each request the test makes gets its own,
    as in production (per-request state such as the negotiated language is not carried over).
    """
    with app.app_context():
        conn = db.engine.connect()
    outer = conn.begin()
    original = db.session
    # A plain Session (Flask-SQLAlchemy's own would pick the engine, not this connection) that outlives
    # each request's teardown, so the test can look at what the request changed.
    test_session = TestScopedSession(sessionmaker(bind=conn, join_transaction_mode="create_savepoint"))
    db.session = test_session
    try:
        yield test_session
    finally:
        test_session.end()
        db.session = original
        outer.rollback()
        conn.close()


@pytest.fixture
def now() -> dt.datetime:
    """A fixed instant: 2024-06-14 10:00 in Beijing (a Friday)."""
    return dt.datetime(2024, 6, 14, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def client(app: Flask, session: scoped_session) -> FlaskClient:  # type: ignore[type-arg]
    """A test client whose requests use the test's rolled-back session."""
    return app.test_client()


@pytest.fixture
def people(session: Any) -> People:
    """Two agencies and their staff who can log in (tests.factories.add_people), committed."""
    found = add_people(session, dt.datetime.now(dt.UTC))
    session.commit()
    return found
