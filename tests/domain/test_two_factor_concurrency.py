"""Two logins racing with one second factor (PostgreSQL, separate connections): the same TOTP code, or the
same recovery code, is accepted for exactly one of them."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.factories import make_agency, make_user
from webapp.domain import totp
from webapp.domain import two_factor as tf
from webapp.extensions import db
from webapp.models import Agency, User

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="row-level concurrency is tested on PostgreSQL (TEST_DATABASE_URL)",
)
KEY = "test-secret"


@pytest.fixture
def enrolled(app: Flask) -> Iterator[tuple[int, str, list[str]]]:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60)  # enrolled with a code two steps ago
    with app.app_context(), Session(db.engine) as s:
        agency = make_agency(s, moment, code="RACE2FA")
        user = make_user(s, moment, agency, "officer", "racer-2fa@example.gov.cn")
        secret = tf.begin_enrolment(s, user, secret_key=KEY)
        codes = tf.confirm_enrolment(
            s, user, totp.code_at(secret, moment.timestamp()), secret_key=KEY, now=moment
        )
        s.commit()
        user_id = user.id
    yield user_id, secret, codes
    with app.app_context(), Session(db.engine) as s:
        s.execute(delete(User).where(User.id == user_id))
        s.execute(delete(Agency).where(Agency.code == "RACE2FA"))
        s.commit()


def race(app: Flask, user_id: int, typed: str) -> list[str | None]:
    loaded = threading.Barrier(2)
    results: list[str | None] = []

    def login() -> None:
        with app.app_context(), Session(db.engine) as s:
            user = s.get(User, user_id)
            assert user is not None and user.totp_last_step is not None  # both read the same state
            loaded.wait()
            results.append(tf.verify(s, user, typed, secret_key=KEY, now=dt.datetime.now(dt.UTC)))
            s.commit()

    threads = [threading.Thread(target=login) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_one_code_sent_twice_at_once_opens_once(app: Flask, enrolled: Any):
    user_id, secret, _ = enrolled
    results = race(app, user_id, totp.code_at(secret, dt.datetime.now(dt.UTC).timestamp()))
    assert sorted(results, key=str) == [None, "totp"], results


def test_one_recovery_code_sent_twice_at_once_opens_once(app: Flask, enrolled: Any):
    user_id, _, codes = enrolled
    results = race(app, user_id, codes[0])
    assert sorted(results, key=str) == [None, "recovery"], results
