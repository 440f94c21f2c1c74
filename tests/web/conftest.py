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
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from tests.conftest import TEST_DATABASE_URL, app_config, private_database
from tests.factories import PASSWORD, add_people
from webapp import create_app
from webapp.domain.calendar import china_today
from webapp.extensions import db
from webapp.models import User

# One cheap hash for every test user (the product's own hashes use werkzeug's slow default).
TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token"(?: type="hidden")? value="([^"]+)"')


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


@pytest.fixture
def context(browser: Any, live: Live) -> Iterator[Any]:
    """A desktop browser's context on the live server, in Chinese."""
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live.url)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


def stored_files(app: Flask) -> list[Path]:
    """The files kept in the app's attachment directory."""
    root = Path(app.config["ATTACHMENT_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
