"""Page fixtures: agencies and staff who can log in, helpers that fill in the CSRF token as a browser
would, and (for the browser tests) the app served over real HTTP with headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from tests.conftest import TEST_DATABASE_URL, app_config, private_database
from tests.factories import make_agency, make_user
from webapp import create_app
from webapp.domain.calendar import china_today
from webapp.extensions import db
from webapp.models import Agency, User

PASSWORD = "correct-horse-7"
# One cheap hash for every test user (the product's own hashes use werkzeug's slow default).
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class People:
    agency: Agency
    other_agency: Agency
    officer: User
    officer2: User
    head: User
    admin: User  # the administrator of `agency` (an agency administrator)
    stranger: User
    stranger_head: User
    platform: User  # the platform's administrator (an administrator of no agency)


def add_people(session: Any, now: dt.datetime) -> People:
    agency = make_agency(session, now, code="CITYHR", name="示范市人力资源和社会保障局")
    other = make_agency(session, now, code="CITYENV", name="示范市生态环境局")

    def user(agency: Agency | None, role: str, email: str, name: str = "") -> User:
        u = make_user(session, now, agency, role, email)
        u.password_hash = PASSWORD_HASH
        u.name = name
        return u

    people = People(
        agency=agency,
        other_agency=other,
        officer=user(agency, "officer", "officer@hr.example", "刘经办"),
        officer2=user(agency, "officer", "officer2@hr.example", "王经办"),
        head=user(agency, "head", "head@hr.example", "陈主任"),
        admin=user(agency, "admin", "admin@hr.example", "系统管理员"),
        stranger=user(other, "officer", "officer@env.example"),
        stranger_head=user(other, "head", "head@env.example"),
        platform=user(None, "admin", "platform@example.gov.cn", "平台管理员"),
    )
    session.flush()
    return people


@pytest.fixture
def people(session: Any) -> People:
    found = add_people(session, dt.datetime.now(dt.UTC))
    session.commit()
    return found


@pytest.fixture
def today() -> dt.date:
    return china_today(dt.datetime.now(dt.UTC))


def token_of(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token(client: FlaskClient, page: str = "/track") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    return token_of(client.get(page).get_data(as_text=True))


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
    """A form post with the session's CSRF token, as the page's own form sends it."""
    body = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=body, **kw)


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    response = post(client, "/staff/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


# -- the browser tests: a real server and headless Chromium ---------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Live:
    app: Flask
    url: str
    people: dict[str, str]  # role name -> email


@pytest.fixture(scope="module")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the browser tests' own: a SQLite file, or a PostgreSQL database made and dropped."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
        return
    with private_database(TEST_DATABASE_URL, "browser") as url:
        yield url


@pytest.fixture(scope="module")
def live(live_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app served over HTTP on a free local port, in a thread, with the people of `add_people`."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("live-data")
    config = app_config(live_database, data_dir)
    config["TESTING"] = False  # errors answer as in production
    app = create_app(config)
    with app.app_context():
        upgrade()
        found = add_people(db.session(), dt.datetime.now(dt.UTC))
        emails = {
            role: getattr(found, role).email for role in ("officer", "head", "admin", "stranger", "platform")
        }
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(app=app, url=f"http://127.0.0.1:{server.server_port}", people=emails)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot(page: Any, name: str) -> None:
    """The page at phone and desktop widths, whole, under artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)
