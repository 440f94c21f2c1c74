"""Behind the reverse proxy and without it: whose address the rate limits and /metrics use.

With TRUSTED_PROXIES=1 (the web service of docker-compose.yml, behind deploy/nginx.conf) each citizen is
limited on the address the proxy names in X-Forwarded-For: one citizen's eleven wrong guesses do not lock
another out. With TRUSTED_PROXIES unset or 0 a forged X-Forwarded-For changes nothing: the limits count
the connection's address. /metrics never believes a loopback address taken from X-Forwarded-For, and
production refuses to start without METRICS_TOKEN. The proxy's own configuration, run by a real nginx, is
tests/test_proxy_nginx.py; the compose file's shape, tests/test_topology.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import app_config
from tests.factories import make_agency, make_request
from webapp import create_app
from webapp.config import Settings
from webapp.extensions import db

WRONG = "AAAA-AAAA-AAAA-AAAA"
TRACKING = "10 per minute;30 per hour;100 per day"  # the default (webapp/config.py)
PROXY = "10.0.0.2"  # the proxy's address on the compose network


def make(database_url: str, data_dir: Path, proxies: int) -> Flask:
    config = {
        **app_config(database_url, data_dir),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_TRACKING": TRACKING,
        "TRUSTED_PROXIES": proxies,
    }
    return create_app(config)


@pytest.fixture(scope="module")
def proxied_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make(database_url, tmp_path_factory.mktemp("proxied"), 1)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def direct_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make(database_url, tmp_path_factory.mktemp("direct"), 0)
    yield app
    with app.app_context():
        db.engine.dispose()


def fresh(app: Flask) -> FlaskClient:
    app.extensions["rate_limiter"].reset()
    return app.test_client()


@pytest.fixture
def request_and_code(session: Any) -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    agency = make_agency(session, now, code="PROXYAG")
    req, code = make_request(session, now, agency, channel="online")
    session.commit()
    return req.tracking_number, code


def guess(client: FlaskClient, number: str, code: str, *, socket: str, forwarded: str | None) -> int:
    headers = {"X-Access-Code": code}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    return client.get(
        f"/api/v1/requests/{number}", headers=headers, environ_base={"REMOTE_ADDR": socket}
    ).status_code


# -- rate limits ---------------------------------------------------------------------------------------


def test_behind_the_proxy_each_citizen_is_limited_on_their_own_address(
    proxied_app: Flask, session: Any, request_and_code: tuple[str, str]
):
    client = fresh(proxied_app)
    number, code = request_and_code
    # one citizen guesses eleven times: the eleventh is refused
    assert [guess(client, number, WRONG, socket=PROXY, forwarded="203.0.113.7") for _ in range(10)] == [
        404
    ] * 10
    assert guess(client, number, WRONG, socket=PROXY, forwarded="203.0.113.7") == 429
    assert guess(client, number, code, socket=PROXY, forwarded="203.0.113.7") == 429  # even the right code
    # every other citizen, coming through the same proxy, is not locked out
    assert guess(client, number, code, socket=PROXY, forwarded="198.51.100.23") == 200
    assert guess(client, number, WRONG, socket=PROXY, forwarded="198.51.100.24") == 404


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(
    direct_app: Flask, session: Any, request_and_code: tuple[str, str]
):
    client = fresh(direct_app)
    number, code = request_and_code
    # a client that names another address in every guess is still one address, its own
    tries = [guess(client, number, WRONG, socket="203.0.113.7", forwarded=f"192.0.2.{n}") for n in range(10)]
    assert tries == [404] * 10
    assert guess(client, number, WRONG, socket="203.0.113.7", forwarded="192.0.2.99") == 429
    assert guess(client, number, code, socket="203.0.113.7", forwarded="127.0.0.1") == 429
    assert guess(client, number, code, socket="203.0.113.8", forwarded="203.0.113.7") == 200  # another socket


# -- /metrics ------------------------------------------------------------------------------------------


def metrics(
    client: FlaskClient, *, socket: str, forwarded: str | None = None, token: str | None = None
) -> int:
    headers = {}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": socket}).status_code


@pytest.mark.parametrize("which", ["direct", "proxied"])
def test_metrics_never_believe_a_loopback_address_from_forwarded_for(
    which: str, direct_app: Flask, proxied_app: Flask, session: Any
):
    app = direct_app if which == "direct" else proxied_app
    client = app.test_client()
    assert app.config.get("METRICS_TOKEN") is None
    assert metrics(client, socket="127.0.0.1") == 200  # a process on this host, asking itself
    assert metrics(client, socket="::1") == 200
    for forged in ("127.0.0.1", "::1", "10.0.0.9, 127.0.0.1"):
        assert metrics(client, socket="203.0.113.7", forwarded=forged) == 404
        assert metrics(client, socket=PROXY, forwarded=forged) == 404
    # a proxy on this very host, forwarding an outsider: the outsider is not this host
    assert metrics(client, socket="127.0.0.1", forwarded="203.0.113.7") == 404
    assert metrics(client, socket="127.0.0.1", forwarded="127.0.0.1") == 404


def test_with_a_token_metrics_are_for_the_token_holder_wherever_they_are(proxied_app: Flask, session: Any):
    client = proxied_app.test_client()
    proxied_app.config["METRICS_TOKEN"] = "scrape-secret"
    try:
        assert metrics(client, socket=PROXY, forwarded="203.0.113.7", token="scrape-secret") == 200
        assert metrics(client, socket="127.0.0.1") == 404  # the loopback alone is not enough any more
        assert metrics(client, socket="127.0.0.1", token="wrong") == 404
    finally:
        proxied_app.config["METRICS_TOKEN"] = None


# -- production needs METRICS_TOKEN -----------------------------------------------------------------------


def production(tmp_path: Path, **extra: str) -> dict[str, Any]:
    env = {"APP_ENV": "production", "SECRET_KEY": "production-secret", "DATA_DIR": str(tmp_path), **extra}
    config = Settings.from_env(env).flask_config()
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'p.db'}"
    config["RATELIMIT_STORAGE_URI"] = "memory://"
    config["REDIS_URL"] = None
    return config


def test_production_refuses_to_start_without_metrics_token(tmp_path: Path):
    with pytest.raises(RuntimeError, match="METRICS_TOKEN must be set in production"):
        create_app(production(tmp_path))
    app = create_app(production(tmp_path, METRICS_TOKEN="scrape-secret"))
    assert app.config["METRICS_TOKEN"] == "scrape-secret"
    with app.app_context():
        db.engine.dispose()


def test_development_starts_without_metrics_token(tmp_path: Path):
    config = Settings.from_env({"DATA_DIR": str(tmp_path)}).flask_config()
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'd.db'}"
    config["REDIS_URL"] = None
    app = create_app(config)
    assert not app.config["METRICS_TOKEN"]
    with app.app_context():
        db.engine.dispose()
