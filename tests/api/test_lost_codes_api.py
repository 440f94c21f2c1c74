"""A lost access code through the API and the pages (docs/api.md §Lost access code): the same answer
whether or not the number exists or has a contact, the code never in an answer or on a page, the limits
per address and per tracking number."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World, citizen_body
from tests.api.test_rate_limits import limited_app
from webapp.extensions import db
from webapp.models import Event, OutboxMessage


def assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def submitted(client: FlaskClient, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/requests", json=citizen_body(**body))
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def code_rows(session: Any) -> int:
    return int(
        session.execute(
            select(func.count()).where(OutboxMessage.delivery_key.like("access_code:%"))
        ).scalar_one()
    )


def test_known_and_unknown_numbers_get_the_same_answer(client: FlaskClient, world: World, session: Any):
    known = submitted(client)
    mailless = submitted(
        client,
        delivery="post",
        applicant=citizen_body()["applicant"] | {"email": None, "phone": None, "address": "白城市中兴路1号"},
    )
    answers = []
    for number in (known["tracking_number"], "CITYHR-2099-999999", mailless["tracking_number"]):
        started = time.perf_counter()
        r = client.post("/api/v1/access-codes", json={"tracking_number": number})
        answers.append((r.status_code, r.get_data(as_text=True), time.perf_counter() - started))
    assert {(status, body) for status, body, _ in answers} == {(202, "{}\n")}
    assert max(t for *_, t in answers) < 1.0  # no answer waits for a mail server
    # only the known number with a contact got a new code: one e-mail and one SMS
    assert code_rows(session) == 2
    assert known["access_code"] not in "".join(body for _, body, _ in answers)
    # the request that can be reached nowhere keeps its code (a new one could reach nobody)
    r = client.get(
        f"/api/v1/requests/{mailless['tracking_number']}", headers={"X-Access-Code": mailless["access_code"]}
    )
    assert r.status_code == 200


def test_a_double_click_makes_one_new_code(client: FlaskClient, world: World, session: Any):
    number = submitted(client)["tracking_number"]
    for _ in range(2):
        assert client.post("/api/v1/access-codes", json={"tracking_number": number}).status_code == 202
    reissued = select(func.count()).where(Event.type == "access_code_reissued")
    assert session.execute(reissued).scalar_one() == 1


def test_a_contact_that_is_not_one_is_a_422_naming_it(client: FlaskClient, world: World):
    r = client.post("/api/v1/access-codes", json={"tracking_number": "X", "phone": "12345"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"phone"}
    r = client.post("/api/v1/access-codes", json={"tracking_number": "X", "email": "not an address"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"email"}
    r = client.post("/api/v1/access-codes", json={})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"tracking_number"}


# -- limits --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limits_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = limited_app(
        database_url,
        tmp_path_factory.mktemp("lost-codes"),
        RATELIMIT_ACCESS_CODE="4 per hour",
        RATELIMIT_ACCESS_CODE_REQUEST="2 per day",
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def limited(limits_app: Flask, session: Any) -> FlaskClient:
    limits_app.extensions["rate_limiter"].reset()
    return limits_app.test_client()


def test_asks_are_limited_per_number_alike_known_or_not_and_per_address(
    limits_app: Flask, limited: FlaskClient, client: FlaskClient, world: World
):
    known = submitted(client)["tracking_number"]
    for number in (known, "CITYHR-2099-999999"):
        limits_app.extensions["rate_limiter"].reset()
        for _ in range(2):
            r = limited.post("/api/v1/access-codes", json={"tracking_number": number.lower()})
            assert r.status_code == 202
        assert_rate_limited(limited.post("/api/v1/access-codes", json={"tracking_number": number}))
    # the address's own budget (4 an hour), whatever the numbers; the page shares it
    limits_app.extensions["rate_limiter"].reset()
    for n in range(4):
        assert limited.post("/api/v1/access-codes", json={"tracking_number": f"X-{n}"}).status_code == 202
    assert_rate_limited(limited.post("/api/v1/access-codes", json={"tracking_number": "X-5"}))
    page = limited.get("/track/lost-code").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = limited.post("/track/lost-code", data={"csrf_token": token, "tracking_number": "X-6"})
    assert r.status_code == 429
