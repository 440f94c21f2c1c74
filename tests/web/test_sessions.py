"""Sessions kept on the server: a staff login is a row that logout revokes and that expires when idle or
old (the clock is webapp.web.common.now, replaced here); a copy of the cookie taken before opens nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People, make_request
from tests.web.conftest import login, post
from tests.web.test_citizen import PNG, application, track
from tests.web.test_staff import registration
from webapp.domain import accounts
from webapp.domain.calendar import china_today
from webapp.models import Request, StaffSession, TrackingGrant

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


# -- an unknown address answers as an account does ------------------------------------------------------


def login_answers(app: Flask, email: str, clock: Clock, pattern: list[str | int]) -> list[tuple[Any, ...]]:
    """The answers to a run of logins at `email` from a fresh browser: wrong passwords, and "wait N
    minutes" steps; each answer as (status, Retry-After, page text without the CSRF token and the
    address typed)."""
    browser = app.test_client()
    answers = []
    for step in pattern:
        if isinstance(step, int):
            clock.advance(minutes=step)
            continue
        response = post(browser, "/staff/login", {"email": email, "password": step})
        text = TOKEN.sub("", response.get_data(as_text=True)).replace(email, "<address>")
        answers.append((response.status_code, response.headers.get("Retry-After"), text))
    return answers


TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token"(?: type="hidden")? value="[^"]+"')
GUESSES: list[str | int] = [*["wrong-1"] * 6, 16, *["wrong-2"] * 5, 31, "wrong-3", 60 * 25, *["wrong"] * 5]


def test_an_unknown_address_answers_every_login_exactly_as_an_account_does(
    app: Flask, people: People, session: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("webapp.web.staff.now", lambda: clock.moment)
    start = clock.moment
    real = login_answers(app, people.officer.email, clock, GUESSES)
    clock.moment = start
    unknown = login_answers(app, "nobody@hr.example", clock, GUESSES)
    statuses = [a[0] for a in real]
    # locked at the 5th failure for 15 minutes, at the 10th for 30, a day later the count starts again
    assert statuses == [422] * 4 + [429, 429] + [422] * 4 + [429] + [422] + [422] * 4 + [429]
    assert [a[1] for a in real if a[0] == 429] == ["900", "900", "1800", "900"]
    assert "该账号已暂时锁定" in real[4][2]
    for n, (mine, theirs) in enumerate(zip(real, unknown, strict=True)):
        assert mine == theirs, n


def test_a_locked_unknown_address_refuses_even_without_a_password_check(
    app: Flask, people: People, session: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    """Locked, neither an account nor an unknown address checks the password (the same work for both),
    and the failures at unknown addresses forgotten a day ago are deleted."""
    monkeypatch.setattr("webapp.web.staff.now", lambda: clock.moment)
    checks: list[str] = []
    real_check = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda *a: checks.append("x") or real_check(*a))
    login_answers(app, "ghost@hr.example", clock, ["wrong"] * 5)
    assert len(checks) == 5
    assert [a[0] for a in login_answers(app, "ghost@hr.example", clock, ["wrong"] * 2)] == [429, 429]
    assert len(checks) == 5
    clock.advance(days=2)
    login_answers(app, "other@hr.example", clock, ["wrong"])
    assert accounts.unknown_address(session, "ghost@hr.example") is None
    assert accounts.unknown_address(session, "OTHER@hr.example") is not None  # by the address's hash


# -- the citizen's tracking: grants on the server, nothing of the code in the cookie ----------------------


def cookie_contents(app: Flask, browser: FlaskClient) -> tuple[str, str]:
    """The session cookie as sent, and what it says decoded (Flask signs it, it does not encrypt it)."""
    cookie = browser.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return cookie.value, json.dumps(serializer.loads(cookie.value), ensure_ascii=False)


def spellings(code: str) -> list[str]:
    bare = code.replace("-", "")
    return [code, bare, bare.lower(), base64.b64encode(bare.encode()).decode().rstrip("=")]


def test_the_cookie_holds_no_access_code_after_applying_or_tracking(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    response = post(client, "/apply", application())
    assert response.status_code == 302 and response.location == "/apply/receipt"
    html = client.get("/apply/receipt").get_data(as_text=True)
    code = re.search(r'id="access-code">([A-Z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    number = re.search(r'id="tracking-number">([A-Z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    raw, decoded = cookie_contents(app, client)
    for spelling in spellings(code):
        assert spelling not in raw and spelling not in decoded
    assert number not in decoded  # not even the number: a random key only
    assert set(json.loads(decoded)) <= {"csrf_token", "tracking", "_flashes", "_fresh"}
    assert client.get(f"/track/{number}").status_code == 200  # the grant opens the status page

    other = app.test_client()
    req = session.scalars(select(Request).where(Request.tracking_number == number)).one()
    assert "已收到" in track(other, req, code)
    raw, decoded = cookie_contents(app, other)
    for spelling in spellings(code):
        assert spelling not in raw and spelling not in decoded
    assert number not in decoded


def test_a_copy_of_the_cookie_taken_before_forget_opens_nothing(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    response = post(
        client,
        "/apply",
        {**application(), "attachments": [(io.BytesIO(PNG), "身份证.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    req = session.scalars(select(Request).order_by(Request.id.desc())).first()
    assert req is not None
    attachment = req.attachments[0]
    pages = [
        f"/track/{req.tracking_number}",
        "/apply/receipt",
        f"/track/{req.tracking_number}/attachments/{attachment.id}",
    ]
    thief = copy_of(app, client)
    for page in pages:
        answer = thief.get(page)
        assert answer.status_code == 200, page  # the copy opens everything while the grant lives
        answer.close()
    post(client, "/track/forget")
    for browser in (client, thief):
        for page in pages:
            assert browser.get(page).location == "/track", page
    withdraw = post(thief, f"/track/{req.tracking_number}/withdraw", {"reason": "x", "confirm": "y"})
    assert withdraw.location == "/track"
    session.refresh(req)
    assert req.status == "received"
    grant = session.scalars(select(TrackingGrant).where(TrackingGrant.request_id == req.id)).one()
    assert grant.revoked_at is not None and grant.receipt is None  # the sealed code is erased


def test_tracking_after_forget_works_with_a_new_key(client: FlaskClient, people: People, session: Any):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(session, now, people.agency, received_on=china_today(now))
    session.commit()
    track(client, req, code)
    with client.session_transaction() as s:
        first = s["tracking"]
    post(client, "/track/forget")
    assert "已收到" in track(client, req, code)
    with client.session_transaction() as s:
        assert s["tracking"] != first


def test_a_grant_lasts_the_tracking_lifetime(
    app: Flask, client: FlaskClient, people: People, session: Any, clock: Clock
):
    assert app.config["TRACKING_GRANT_HOURS"] == 12
    req, code = make_request(session, clock.moment, people.agency, received_on=china_today(clock.moment))
    session.commit()
    track(client, req, code)
    clock.advance(hours=11, minutes=59)
    assert client.get(f"/track/{req.tracking_number}").status_code == 200
    clock.advance(minutes=2)
    assert client.get(f"/track/{req.tracking_number}").location == "/track"


def test_the_staff_receipt_keeps_the_code_out_of_the_cookie(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    response = post(client, "/staff/register", registration())
    assert response.location == "/staff/register/receipt", response.get_data(as_text=True)[:3000]
    html = client.get("/staff/register/receipt").get_data(as_text=True)
    code = re.search(r'id="access-code">([A-Z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    raw, decoded = cookie_contents(app, client)
    for spelling in spellings(code):
        assert spelling not in raw and spelling not in decoded


def test_a_static_file_neither_needs_nor_refreshes_the_session(
    client: FlaskClient, people: People, session: Any, clock: Clock
):
    login(client, people.officer)
    began = sessions_of(session, people.officer.id)[0].last_seen_at
    clock.advance(minutes=5)
    client.get("/static/app.css").close()
    assert sessions_of(session, people.officer.id)[0].last_seen_at == began
    clock.advance(minutes=26)  # 31 minutes after the last page: the stylesheet did not keep it alive
    assert client.get("/staff/queue").status_code == 302
