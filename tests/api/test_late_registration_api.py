"""A late staff registration through the API needs its reason as on the registration page (docs/rules.md
§Late registration): the one rule of webapp/domain/requests/intake.py, whichever door."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from tests.api.conftest import World, citizen_body
from webapp.domain.calendar import china_today, current_calendar


def today() -> dt.date:
    return china_today(dt.datetime.now(dt.UTC))


def received_days_ago(session: Any, working_days: int) -> dt.date:
    cal = current_calendar(session)
    day = today() - dt.timedelta(days=1)
    while cal.count_wd(day, today()) < working_days:
        day -= dt.timedelta(days=1)
    return day


def register(client: FlaskClient, world: World, received_on: dt.date, **extra: Any) -> Any:
    body = citizen_body(channel="letter", received_on=received_on.isoformat(), **extra)
    return client.post("/api/v1/requests", json=body, headers=world.officer.headers)


def test_a_late_registration_without_its_reason_is_a_422_naming_late_reason(
    client: FlaskClient, world: World, session: Any
):
    for received in (dt.date(2024, 6, 3), received_days_ago(session, 18)):  # past; 2 working days left
        r = register(client, world, received)
        assert r.status_code == 422, r.json
        assert set(r.json["error"]["fields"]) == {"late_reason"}
        assert "延迟登记的原因" in r.json["error"]["fields"]["late_reason"]
        blank = register(client, world, received, late_reason="  ")
        assert blank.status_code == 422 and set(blank.json["error"]["fields"]) == {"late_reason"}
    # every field error at once: the reason beside the applicant's
    r = register(client, world, dt.date(2024, 6, 3), delivery="post")
    assert set(r.json["error"]["fields"]) == {"late_reason", "applicant.address"}


def test_with_its_reason_it_is_registered_and_the_reason_kept(client: FlaskClient, world: World):
    r = register(client, world, dt.date(2024, 6, 3), late_reason="信件误投至办公室，今日转来")
    assert r.status_code == 201, r.json
    view = client.get(f"/api/v1/requests/{r.json['tracking_number']}", headers=world.officer.headers).json
    submitted = view["events"][0]
    assert submitted["data"]["late_reason"] == "信件误投至办公室，今日转来"
    assert "延迟登记原因：信件误投至办公室，今日转来" in submitted["note"]


def test_a_registration_with_time_left_needs_no_reason(client: FlaskClient, world: World, session: Any):
    r = register(client, world, received_days_ago(session, 2))
    assert r.status_code == 201, r.json
    assert register(client, world, today()).status_code == 201
