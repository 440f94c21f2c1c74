"""Failed logins at an address without an account: two at once (its first row made by both) are both
counted, neither fails (PostgreSQL: the second insert waits on the first's unique key)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from webapp.domain import accounts
from webapp.extensions import db
from webapp.models import LoginFailure

pytestmark = pytest.mark.skipif(
    not __import__("os").environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="row-level concurrency is tested on PostgreSQL (TEST_DATABASE_URL)",
)


def test_two_first_failures_at_one_unknown_address_at_once(app: Flask):
    email = f"race-{uuid.uuid4().hex[:8]}@nowhere.example"
    now = dt.datetime.now(dt.UTC)
    inserted = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with app.app_context(), Session(db.engine) as s:
                inserted.wait(10)
                accounts.unknown_address_failed(s, email, now=now)  # waits for the first's commit
                s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    with app.app_context():
        try:
            thread = threading.Thread(target=second)
            thread.start()
            with Session(db.engine) as first:
                accounts.unknown_address_failed(first, email, now=now)
                first.flush()
                inserted.set()
                thread.join(1)  # the second is blocked on the row's key meanwhile
                assert thread.is_alive()
                first.commit()
            thread.join(10)
            assert not errors, errors
            with Session(db.engine) as s:
                row = accounts.unknown_address(s, email)
                assert row is not None and row.failed_logins == 2  # both counted
        finally:
            with Session(db.engine) as s:
                s.execute(delete(LoginFailure).where(LoginFailure.email_hash == accounts.email_hash(email)))
                s.commit()
