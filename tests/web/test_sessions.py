"""Sessions kept on the server: a staff login is a row that logout revokes and that expires when idle or
old (the clock is webapp.web.common.now, replaced here); a copy of the cookie taken before opens nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import People, login, post
from webapp.domain import accounts
from webapp.models import StaffSession

SESSION_COOKIE = "session"


class Clock:
    """webapp.web.common.now, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = dt.datetime.now(dt.UTC)
        monkeypatch.setattr("webapp.web.common.now", lambda: self.moment)

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie."""
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie.value)
    return thief


def sessions_of(session: Any, user_id: int) -> list[StaffSession]:
    session.expire_all()
    return list(
        session.execute(select(StaffSession).where(StaffSession.user_id == user_id).order_by(StaffSession.id))
        .scalars()
        .all()
    )


def test_a_copy_of_the_session_cookie_taken_before_logout_opens_nothing(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    thief = copy_of(app, client)
    assert thief.get("/staff/queue").status_code == 200  # the copy works while the session is open
    post(client, "/staff/logout")
    response = thief.get("/staff/queue")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
    [row] = sessions_of(session, people.officer.id)
    assert row.revoked_at is not None
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is None or str(row.key_hash) not in cookie.value  # the cookie holds the key, not its hash


def test_the_session_cookie_names_no_user_and_no_password(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    with client.session_transaction() as s:
        key = s["_user_id"]
    assert len(key) >= 40 and ":" not in key  # a random key, not "id:generation:fingerprint"
    [row] = sessions_of(session, people.officer.id)
    assert row.key_hash != key and row.user_agent.startswith("Werkzeug")


def test_a_session_unused_for_the_idle_lifetime_ends(
    app: Flask, client: FlaskClient, people: People, clock: Clock
):
    assert app.config["STAFF_SESSION_IDLE_MINUTES"] == 30
    login(client, people.officer)
    for _ in range(6):  # used every 29 minutes, it stays open beyond the idle lifetime
        clock.advance(minutes=29)
        assert client.get("/staff/queue").status_code == 200
    clock.advance(minutes=30)
    response = client.get("/staff/queue")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
    login(client, people.officer)  # a new login opens a new session
    assert client.get("/staff/queue").status_code == 200


def test_a_session_ends_at_its_absolute_lifetime_however_used(
    app: Flask, client: FlaskClient, people: People, clock: Clock
):
    assert app.config["STAFF_SESSION_MAX_HOURS"] == 12
    login(client, people.officer)
    for _ in range(12 * 3 - 1):  # every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert client.get("/staff/queue").status_code == 200
    clock.advance(minutes=20)  # 12 hours after the login
    assert client.get("/staff/queue").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(
    client: FlaskClient, people: People, session: Any, clock: Clock
):
    login(client, people.officer)
    [row] = sessions_of(session, people.officer.id)
    began = row.last_seen_at
    clock.advance(seconds=30)
    for _ in range(3):
        assert client.get("/staff/queue").status_code == 200
    assert sessions_of(session, people.officer.id)[0].last_seen_at == began
    clock.advance(seconds=31)
    assert client.get("/staff/queue").status_code == 200
    assert sessions_of(session, people.officer.id)[0].last_seen_at == clock.moment


def test_logout_everywhere_revokes_every_session_of_the_user_and_no_one_elses(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    phone = app.test_client()
    colleague = app.test_client()
    login(client, people.officer)
    login(phone, people.officer)
    login(colleague, people.officer2)
    copies = [copy_of(app, client), copy_of(app, phone)]
    post(client, "/staff/logout-everywhere")
    for browser in (client, phone, *copies):
        assert browser.get("/staff/queue").status_code == 302
    assert colleague.get("/staff/queue").status_code == 200
    assert all(row.revoked_at is not None for row in sessions_of(session, people.officer.id))
    assert all(row.revoked_at is None for row in sessions_of(session, people.officer2.id))


def test_a_new_password_or_a_deactivation_revokes_the_rows(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    accounts.set_password(session, people.officer, "a-new-password-9")
    session.commit()
    assert [r.revoked_at is not None for r in sessions_of(session, people.officer.id)] == [True]
    assert client.get("/staff/queue").status_code == 302
    login(client, people.officer, "a-new-password-9")
    accounts.set_user_active(
        session, people.officer, active=False, actor=people.admin, now=dt.datetime.now(dt.UTC)
    )
    session.commit()
    assert [r.revoked_at is not None for r in sessions_of(session, people.officer.id)] == [True, True]
    assert client.get("/staff/queue").status_code == 302


def test_a_session_cookie_of_the_old_form_opens_nothing(app: Flask, people: People):
    """Before sessions were rows the cookie named "user id:generation:fingerprint"; such a cookie (or any
    string that is not a live key) is logged out."""
    browser = app.test_client()
    with browser.session_transaction() as s:
        s["_user_id"] = f"{people.officer.id}:0:0123456789abcdef0123"
        s["_fresh"] = True
    assert browser.get("/staff/queue").status_code == 302


def test_the_lifetimes_come_from_the_environment(tmp_path: Any):
    from webapp.config import Settings

    env = {"DATA_DIR": str(tmp_path), "STAFF_SESSION_IDLE_MINUTES": "15", "STAFF_SESSION_MAX_HOURS": "8"}
    config = Settings.from_env(env).flask_config()
    assert config["STAFF_SESSION_IDLE_MINUTES"] == 15 and config["STAFF_SESSION_MAX_HOURS"] == 8
    with pytest.raises(ValueError, match="STAFF_SESSION_IDLE_MINUTES"):
        Settings.from_env({**env, "STAFF_SESSION_IDLE_MINUTES": "0"})
