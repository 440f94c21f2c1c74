"""Hardening as a user meets it: the security headers on every answer, argon2id passwords (old hashes still
open and are upgraded), an account locked after failed logins with the time it opens again, "logout
everywhere", and the rate limits on login, submission and tracking (their own app with limits on, in
memory). The CSRF walk over every form post is in test_access.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from tests.conftest import app_config
from tests.factories import PASSWORD, People, make_request
from tests.web.conftest import csrf_token, login, post
from tests.web.test_citizen import application
from webapp import create_app
from webapp.config import Settings
from webapp.domain import accounts
from webapp.domain.calendar import china_today
from webapp.extensions import db
from webapp.models import User
from webapp.security import CONTENT_SECURITY_POLICY
from webapp.web.auth import DEVICE_COOKIE

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_secure_headers(response: Any, what: str) -> None:
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, (what, name, response.headers.get(name))


# -- headers ---------------------------------------------------------------------------------------------


def test_every_kind_of_answer_has_the_security_headers(client: FlaskClient, people: People):
    answers = {
        "home page": client.get("/"),
        "tracking form": client.get("/track"),
        "login page": client.get("/staff/login"),
        "page not found": client.get("/no-such-page"),
        "refused form": client.post("/track", data={}),
        "static file": client.get("/static/app.js"),
        "API document": client.get("/api/v1/openapi.json"),
        "API error": client.get("/api/v1/requests/CITYHR-2024-000001", headers={"X-Access-Code": "x"}),
        "API validation error": client.post("/api/v1/requests", json={}),
    }
    assert answers["page not found"].status_code == 404
    assert answers["refused form"].status_code == 400
    assert answers["API error"].status_code == 404
    assert answers["API validation error"].status_code == 422
    for what, response in answers.items():
        assert_secure_headers(response, what)
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP in development
        response.close()
    assert answers["home page"].headers["Cache-Control"] == "no-store"


def test_the_policy_forbids_inline_script_and_framing():
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_no_template_has_inline_script_or_style():
    templates = Path(__file__).resolve().parents[2] / "webapp" / "templates"
    for page in templates.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), page
        assert not re.search(r"\son[a-z]+=", text), page  # onclick=… handlers are inline script
        assert "style=" not in text, page
        if page.name not in ("annex_two.html", "annual.html"):  # standalone report files, own policy
            assert "<style" not in text, page


def test_production_sends_hsts_and_secure_cookies(tmp_path: Path):
    production = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "k", "DATA_DIR": str(tmp_path)})
    config = production.flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["HSTS_ENABLED"] is True
    development = Settings.from_env({"DATA_DIR": str(tmp_path)}).flask_config()
    assert development["SESSION_COOKIE_SECURE"] is False
    assert development["HSTS_ENABLED"] is False
    behind_http = Settings.from_env(
        {"APP_ENV": "production", "SESSION_COOKIE_SECURE": "false", "DATA_DIR": str(tmp_path)}
    ).flask_config()
    assert behind_http["SESSION_COOKIE_SECURE"] is False
    for flags in (config, development):
        assert flags["SESSION_COOKIE_HTTPONLY"] is True and flags["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_hsts_and_a_secure_session_cookie_over_https(database_url: str, tmp_path: Path, people: People):
    https_app = create_app(
        {**app_config(database_url, tmp_path), "HSTS_ENABLED": True, "SESSION_COOKIE_SECURE": True}
    )
    client = https_app.test_client()
    page = client.get("/staff/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    token = csrf_token(client)
    response = client.post(
        "/staff/login",
        data={"csrf_token": token, "email": people.officer.email, "password": PASSWORD},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/staff/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with https_app.app_context():
        db.engine.dispose()


# -- passwords -------------------------------------------------------------------------------------------


def test_an_older_werkzeug_hash_still_opens_and_becomes_argon2id(
    client: FlaskClient, people: People, session: Any
):
    people.officer.password_hash = generate_password_hash(PASSWORD)  # werkzeug's scrypt, as before
    session.commit()
    assert people.officer.password_hash.startswith("scrypt:")
    login(client, people.officer)
    session.refresh(people.officer)
    assert people.officer.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert client.get("/staff/queue").status_code == 200  # the session begun with the new hash holds
    post(client, "/staff/logout")
    login(client, people.officer)  # and the argon2id hash opens next time


def test_a_wrong_password_changes_no_hash(client: FlaskClient, people: People, session: Any):
    before = people.officer.password_hash
    assert (
        post(client, "/staff/login", {"email": people.officer.email, "password": "wrong"}).status_code == 422
    )
    session.refresh(people.officer)
    assert people.officer.password_hash == before
    assert people.officer.failed_logins == 1


# -- the account lockout ---------------------------------------------------------------------------------


def test_five_failed_logins_lock_the_account_and_say_until_when(
    client: FlaskClient, people: People, session: Any
):
    user = people.officer
    for _ in range(accounts.LOCK_AFTER - 1):
        response = post(client, "/staff/login", {"email": user.email, "password": "wrong"})
        assert response.status_code == 422
    response = post(client, "/staff/login", {"email": user.email, "password": "wrong"})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "登录失败次数过多，该账号已暂时锁定" in text
    session.refresh(user)
    assert user.locked_until is not None
    opens = user.locked_until.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert opens in text
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    # Locked: not even the right password opens it, from any browser.
    other = client.application.test_client()
    refused = post(other, "/staff/login", {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert other.get("/staff/queue").status_code == 302
    # When the lockout has passed, the right password opens it and the count starts again.
    user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    login(client, user)
    session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def try_login(client: FlaskClient, user: User, password: str = PASSWORD) -> int:
    return int(post(client, "/staff/login", {"email": user.email, "password": password}).status_code)


def lock(client: FlaskClient, user: User) -> None:
    for _ in range(accounts.LOCK_AFTER):
        response = post(client, "/staff/login", {"email": user.email, "password": "wrong"})
    assert response.status_code == 429


def test_a_locked_account_still_opens_with_the_right_password_on_a_browser_it_logged_in_from(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    """Someone guessing from elsewhere cannot lock the owner out (OWASP's device cookies)."""
    user = people.officer
    login(client, user)
    cookie = client.get_cookie(DEVICE_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert str(user.email) not in cookie.value and str(user.password_hash) not in cookie.value
    post(client, "/staff/logout")

    attacker = app.test_client()
    lock(attacker, user)
    assert try_login(attacker, user) == 429
    # the owner's browser: wrong guesses are refused without the lockout page, the right password opens it
    assert try_login(client, user, "wrong") == 422
    login(client, user)
    session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_device_cookie_opens_nothing_for_another_user_forged_or_after_logout_everywhere(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    mine = client.get_cookie(DEVICE_COOKIE)
    assert mine is not None
    attacker = app.test_client()
    lock(attacker, people.officer2)
    lock(attacker, people.officer)

    colleague = app.test_client()  # the officer's cookie, for the other officer's account
    colleague.set_cookie(DEVICE_COOKIE, mine.value)
    assert (
        post(colleague, "/staff/login", {"email": people.officer2.email, "password": PASSWORD}).status_code
        == 429
    )
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, mine.value[:-2] + ("AA" if not mine.value.endswith("AA") else "BB"))
    assert (
        post(forged, "/staff/login", {"email": people.officer.email, "password": PASSWORD}).status_code == 429
    )

    # logout everywhere makes every device cookie of the user worthless
    people.officer.locked_until = None
    session.commit()
    login(client, people.officer)
    post(client, "/staff/logout-everywhere")
    lock(attacker, people.officer)
    assert (
        post(client, "/staff/login", {"email": people.officer.email, "password": PASSWORD}).status_code == 429
    )


# -- sessions ----------------------------------------------------------------------------------------------


def test_logout_everywhere_ends_the_users_sessions_on_every_device(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    phone = app.test_client()
    login(client, people.officer)
    login(phone, people.officer)
    colleague = app.test_client()
    login(colleague, people.officer2)
    assert "退出所有设备" in client.get("/staff/queue").get_data(as_text=True)
    response = post(client, "/staff/logout-everywhere")
    assert response.status_code == 302 and response.location == "/staff/login"
    assert "已在所有设备上退出登录" in client.get("/staff/login").get_data(as_text=True)
    assert client.get("/staff/queue").status_code == 302
    assert phone.get("/staff/queue").status_code == 302  # the other device too
    assert colleague.get("/staff/queue").status_code == 200  # nobody else
    login(phone, people.officer)  # a new login is a new session
    assert phone.get("/staff/queue").status_code == 200


def test_a_new_password_and_a_deactivation_end_the_users_sessions(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    accounts.set_password(session, people.officer, "a-new-password-9")
    session.commit()
    assert client.get("/staff/queue").status_code == 302
    with pytest.raises(accounts.ValidationError):
        accounts.set_password(session, people.officer, "short")
    login(client, people.officer, "a-new-password-9")
    generation = people.officer.session_generation
    accounts.set_user_active(
        session, people.officer, active=False, actor=people.admin, now=dt.datetime.now(dt.UTC)
    )
    session.commit()
    assert people.officer.session_generation == generation + 1
    assert client.get("/staff/queue").status_code == 302


# -- rate limits ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app with its rate limits on, small ones, in memory."""
    config = app_config(database_url, tmp_path_factory.mktemp("limited"))
    config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        RATELIMIT_SUBMISSION="2 per minute",
        RATELIMIT_TRACKING="3 per minute",
    )
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def limited(limited_app: Flask, session: Any) -> FlaskClient:
    limited_app.extensions["rate_limiter"].reset()
    return limited_app.test_client()


def assert_rate_limited_page(response: Any) -> None:
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "尝试次数过多" in text and "之后再试" in text
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert_secure_headers(response, "429 page")


def test_failed_logins_from_one_address_are_limited(limited: FlaskClient, people: People):
    for n in range(3):  # unknown e-mails: no account is locked, the address is
        response = post(limited, "/staff/login", {"email": f"guess{n}@hr.example", "password": "x"})
        assert response.status_code == 422
    assert_rate_limited_page(
        post(limited, "/staff/login", {"email": people.officer.email, "password": PASSWORD})
    )


def test_successful_logins_do_not_use_up_the_limit(limited: FlaskClient, people: People):
    for _ in range(5):
        login(limited, people.officer)
        post(limited, "/staff/logout")


def apply_form(token: str, n: int = 0) -> dict[str, str]:
    """An application of its own (the same form twice is one submission: docs/rules.md)."""
    return {"csrf_token": token, **application(description=f"申请公开2025年度部门预算（第{n}份）")}


def test_submissions_from_one_address_are_limited(limited: FlaskClient, people: People):
    token = csrf_token(limited, "/apply")
    bad = limited.post("/apply", data={"csrf_token": token, "agency": "CITYHR"})
    assert bad.status_code == 422  # a form with mistakes does not count
    for n in range(2):
        response = limited.post("/apply", data=apply_form(token, n))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert_rate_limited_page(limited.post("/apply", data=apply_form(token, 2)))


def test_wrong_tracking_codes_are_limited_and_then_even_the_right_one_waits(
    limited: FlaskClient, people: People, session: Any
):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(session, now, people.agency, received_on=china_today(now))
    session.commit()
    token = csrf_token(limited)

    def track(access_code: str) -> Any:
        return limited.post(
            "/track",
            data={"csrf_token": token, "tracking_number": req.tracking_number, "access_code": access_code},
        )

    for _ in range(5):
        assert track(code).status_code == 302  # the right code does not count
    for _ in range(3):
        assert track("AAAA-AAAA-AAAA-AAAA").status_code == 422
    assert_rate_limited_page(track(code))


def test_limits_off_when_disabled(client: FlaskClient, people: People):
    """The default test app (RATELIMIT_ENABLED false) takes any number of failed attempts."""
    for n in range(12):
        response = post(client, "/staff/login", {"email": f"guess{n}@hr.example", "password": "x"})
        assert response.status_code == 422


def test_settings_read_the_limits_from_the_environment(tmp_path: Path):
    env = {"DATA_DIR": str(tmp_path), "RATELIMIT_ENABLED": "false", "RATELIMIT_TRACKING": "5 per hour"}
    config = Settings.from_env(env).flask_config()
    assert config["RATELIMIT_ENABLED"] is False
    assert config["RATELIMIT_TRACKING"] == "5 per hour"
    assert config["RATELIMIT_LOGIN"] == "10 per minute;30 per hour"
    assert Settings.from_env({"DATA_DIR": str(tmp_path)}).flask_config()["RATELIMIT_ENABLED"] is True


def test_the_set_password_command_ends_sessions_and_lifts_a_lockout(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    people.officer.failed_logins, people.officer.locked_until = (
        5,
        dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["set-password", "OFFICER@hr.example", "--password", "brand-new-pass-1"])
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    assert client.get("/staff/queue").status_code == 302
    login(client, people.officer, "brand-new-pass-1")
    short = runner.invoke(args=["set-password", people.officer.email, "--password", "short"])
    assert short.exit_code != 0 and "密码至少8位" in short.output
    unknown = runner.invoke(args=["set-password", "nobody@hr.example", "--password", "long-enough-1"])
    assert unknown.exit_code != 0 and "unknown user" in unknown.output
