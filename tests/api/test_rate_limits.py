"""The API's rate limits as a client meets them: 429 in the error shape of docs/api.md §Errors with
Retry-After, on submissions without a staff token and on wrong access codes (one budget with the tracking
page); staff tokens are not limited. In memory, on the shared Redis when TEST_REDIS_URL is set, and on a Redis
of the test's own that goes away: the service goes on answering (fail open), still counting in memory."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import World
from tests.conftest import TEST_REDIS_URL, app_config
from tests.factories import VALID_RESIDENT_ID, make_request
from tests.workers.services import free_port
from webapp import create_app
from webapp.domain.calendar import china_today
from webapp.extensions import db

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_LOGIN": "3 per minute",
    "RATELIMIT_SUBMISSION": "2 per minute",
    "RATELIMIT_TRACKING": "3 per minute",
}
WRONG = "AAAA-AAAA-AAAA-AAAA"


def submission() -> dict[str, Any]:
    return {
        "agency": "CITYHR",
        "applicant": {
            "type": "natural_person",
            "name": "张三",
            "id_number": VALID_RESIDENT_ID,
            "email": "zhangsan@example.cn",
        },
        "description": "申请公开预算",
        "delivery": "email",
    }


def limited_app(database_url: str, data_dir: Path, **config: Any) -> Flask:
    return create_app({**app_config(database_url, data_dir), **LIMITS, **config})


@pytest.fixture(scope="module")
def memory_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = limited_app(database_url, tmp_path_factory.mktemp("limits"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def api(memory_app: Flask, session: Any) -> FlaskClient:
    memory_app.extensions["rate_limiter"].reset()
    return memory_app.test_client()


def assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["message"] == "请求过于频繁，请稍后再试"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_submissions_without_a_token_are_limited_per_address(api: FlaskClient, world: World):
    assert api.post("/api/v1/requests", json={}).status_code == 422  # refused input does not count
    for _ in range(2):
        assert api.post("/api/v1/requests", json=submission()).status_code == 201
    assert_rate_limited(api.post("/api/v1/requests", json=submission()))
    english = api.post("/api/v1/requests", json=submission(), headers={"Accept-Language": "en"})
    assert english.status_code == 429
    assert english.get_json()["error"]["message"] == "Too many requests, try again later"
    # An officer registering letters with a token is not limited.
    letter = {
        **submission(),
        "channel": "letter",
        "received_on": china_today(dt.datetime.now(dt.UTC)).isoformat(),
    }
    for _ in range(3):
        response = api.post("/api/v1/requests", json=letter, headers=world.officer.headers)
        assert response.status_code == 201, response.get_json()


def test_wrong_access_codes_are_limited_and_share_the_pages_budget(
    api: FlaskClient, world: World, session: Any
):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(session, now, world.agency, received_on=china_today(now))
    session.commit()
    path = f"/api/v1/requests/{req.tracking_number}"
    for _ in range(5):
        assert api.get(path, headers={"X-Access-Code": code}).status_code == 200  # right codes do not count
    assert api.get(path, headers={"X-Access-Code": WRONG}).status_code == 404
    assert api.get("/api/v1/requests/CITYHR-2024-999999", headers={"X-Access-Code": WRONG}).status_code == 404
    # The third wrong try on the tracking page of the same address uses up the budget.
    page = api.get("/track").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    tried = api.post(
        "/track", data={"csrf_token": token, "tracking_number": req.tracking_number, "access_code": WRONG}
    )
    assert tried.status_code == 422
    assert_rate_limited(api.get(path, headers={"X-Access-Code": code}))  # now the right code waits too
    assert_rate_limited(
        api.post(f"{path}/withdraw", json={"reason": "不需要了"}, headers={"X-Access-Code": code})
    )
    # Staff with a token are not held up by the applicants' limit.
    assert api.get(path, headers=world.officer.headers).status_code == 200


# -- Redis ---------------------------------------------------------------------------------------------


def test_the_limits_hold_across_processes_in_redis(
    database_url: str, tmp_path: Path, world: World, session: Any
):
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set")
    prefix = f"gd-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # nothing shared with other runs
    config = {"RATELIMIT_STORAGE_URI": TEST_REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first = limited_app(database_url, tmp_path / "a", **config)
    second = limited_app(database_url, tmp_path / "b", **config)  # another web process
    try:
        assert first.test_client().post("/api/v1/requests", json=submission()).status_code == 201
        assert second.test_client().post("/api/v1/requests", json=submission()).status_code == 201
        assert_rate_limited(first.test_client().post("/api/v1/requests", json=submission()))
    finally:
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own (the shared one is never stopped)."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def test_requests_are_served_while_redis_is_away(
    database_url: str, tmp_path: Path, world: World, session: Any, own_redis: tuple[str, Any]
):
    url, server = own_redis
    app = limited_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=url, RATELIMIT_SUBMISSION="3 per minute")
    client = app.test_client()
    try:
        assert client.post("/api/v1/requests", json=submission()).status_code == 201
        server.terminate()
        server.wait(timeout=10)
        # Redis is gone: submissions, pages and tracking go on being answered.
        for _ in range(3):
            assert client.post("/api/v1/requests", json=submission()).status_code == 201
        assert client.get("/").status_code == 200
        assert (
            client.get("/api/v1/requests/CITYHR-2024-999999", headers={"X-Access-Code": WRONG}).status_code
            == 404
        )
        # …and the limit still holds, counted in this process's memory.
        assert_rate_limited(client.post("/api/v1/requests", json=submission()))
    finally:
        with app.app_context():
            db.engine.dispose()
