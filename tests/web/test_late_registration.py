"""A request registered after the day it was received (docs/rules.md §Late registration): the form shows
the working days used and the due date, a due date past or near needs a stated reason, kept in the
history, and the receipt shows both the received-on and the registration date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_staff import registration
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.requests.late import late_registration
from webapp.models import Request


def today() -> dt.date:
    return china_today(dt.datetime.now(dt.UTC))


def received_days_ago(session: Any, working_days: int) -> dt.date:
    """The latest day with `working_days` working days between it and today."""
    cal = current_calendar(session)
    day = today() - dt.timedelta(days=1)
    while cal.count_wd(day, today()) < working_days:
        day -= dt.timedelta(days=1)
    return day


def test_the_preview_gives_the_days_used_and_the_due_date(client: FlaskClient, people: People, session):
    login(client, people.officer)
    received = received_days_ago(session, 25)
    late = client.get(f"/staff/register/late?received_on={received.isoformat()}").json
    expected = late_registration(current_calendar(session), received, today())
    assert expected is not None
    assert late["working_days_used"] == expected.days_used >= 25
    assert late["due_on"] == expected.due_on.isoformat() and late["working_days_left"] < 0
    assert late["needs_reason"] is True
    assert "已过" in late["text"] and "延迟登记的原因" in late["warning"]
    fresh = client.get(f"/staff/register/late?received_on={received_days_ago(session, 1).isoformat()}").json
    assert fresh["working_days_used"] == 1 and fresh["needs_reason"] is False and fresh["warning"] == ""
    assert client.get(f"/staff/register/late?received_on={today().isoformat()}").json == {}
    assert client.get("/staff/register/late?received_on=soon").json == {}


def test_the_preview_is_for_staff_only(client: FlaskClient, people: People):
    response = client.get(f"/staff/register/late?received_on={today().isoformat()}")
    assert response.status_code in (302, 401, 403)


def test_a_late_registration_needs_a_reason_kept_in_the_history(client: FlaskClient, people: People, session):
    login(client, people.officer)
    received = received_days_ago(session, 18)  # 2 working days left: within 3
    response = post(client, "/staff/register", registration(received_on=received.isoformat()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="late_reason-error">.*请说明延迟登记的原因', html)
    assert 'id="late-registration"' in html and "已过18个工作日" in html  # the server's own preview
    assert session.scalars(select(Request)).first() is None

    response = post(
        client,
        "/staff/register",
        registration(received_on=received.isoformat(), late_reason="信件误投至其他科室，今日转来"),
    )
    assert response.status_code == 302
    req = session.scalars(select(Request)).one()
    first = req.events[0]
    assert first.data["late_reason"] == "信件误投至其他科室，今日转来"
    assert first.data["registered_on"] == today().isoformat() and first.data["working_days_used"] == 18
    assert "延迟登记原因：信件误投至其他科室，今日转来" in first.note
    receipt = client.get("/staff/register/receipt").get_data(as_text=True)
    received_cn = f"{received.year}年{received.month}月{received.day}日"
    today_cn = f"{today().year}年{today().month}月{today().day}日"
    assert re.search(rf'id="received-on">{received_cn}<', receipt)
    assert re.search(rf'id="registered-on">{today_cn}<', receipt)


def test_a_recent_date_needs_no_reason_but_is_recorded(client: FlaskClient, people: People, session):
    login(client, people.officer)
    received = received_days_ago(session, 2)
    assert post(client, "/staff/register", registration(received_on=received.isoformat())).status_code == 302
    first = session.scalars(select(Request)).one().events[0]
    assert first.data["working_days_used"] == 2 and "late_reason" not in first.data


def test_every_error_of_the_registration_form_is_shown_at_once(client: FlaskClient, people: People, session):
    login(client, people.officer)
    received = received_days_ago(session, 30)
    form = registration(
        received_on=received.isoformat(), description="字" * 5001, id_number="110105194912310021", address=""
    )
    html = post(client, "/staff/register", form).get_data(as_text=True)
    for field in ("description", "id_number", "address", "late_reason"):
        assert f'id="{field}-error"' in html, field
