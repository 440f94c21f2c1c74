"""Each test runs in a transaction rolled back after it, even when the code under test commits."""

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import make_agency
from webapp.models import Agency


def agencies(session: Any) -> int:
    return int(session.execute(select(func.count()).select_from(Agency)).scalar_one())


def test_a_commit_inside_a_test(session: Any):
    make_agency(session, dt.datetime.now(dt.UTC), code="LEAK")
    session.commit()
    assert agencies(session) == 1


def test_is_gone_in_the_next(session: Any):
    assert agencies(session) == 0


def test_a_commit_by_a_request(client: FlaskClient, session: Any):
    make_agency(session, dt.datetime.now(dt.UTC), code="LEAK")
    session.commit()
    assert client.get("/api/v1/queue").status_code == 401
    assert agencies(session) == 1


def test_is_gone_too(session: Any):
    assert agencies(session) == 0
