"""The calendar in one paste (/admin/calendar/notice): the platform administrator pastes the State
Council's notice, sees it on the year's calendar beside what is stored, and confirms it in one step."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People, make_request
from tests.web.conftest import login, post
from webapp.domain.requests import set_calendar_day
from webapp.models import CalendarOverride, CalendarYear

NOTICES = Path(__file__).resolve().parents[1] / "data" / "holiday_notices"


def test_the_pasted_notice_is_drawn_and_compared_and_confirmed(
    client: FlaskClient, people: People, session: Any
):
    moment = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    req, _ = make_request(
        session, moment, people.agency, received_on=dt.date(2024, 6, 3), officer=people.officer
    )
    set_calendar_day(session, dt.date(2024, 6, 28), is_workday=False, name="地方", actor=None, now=moment)
    session.commit()
    login(client, people.platform)
    assert "粘贴国务院节假日安排通知" in client.get("/admin/calendar?year=2024").text
    text = (NOTICES / "2024.txt").read_text(encoding="utf-8")
    page = post(client, "/admin/calendar/notice", {"text": text})
    assert page.status_code == 200
    html = page.text
    assert "2024年：通知所列" in html and "有1天与系统现有日历不同" in html
    assert re.search(r"<td[^>]*>2024年6月28日</td>\s*<td[^>]*>休息日</td>\s*<td[^>]*>工作日</td>", html)
    assert 'class="cal-day holiday" data-day="2024-02-10"' in html
    assert 'class="cal-day makeup" data-day="2024-02-04"' in html
    assert 'class="cal-day workday differs" data-day="2024-06-28"' in html
    assert session.get(CalendarYear, 2024) is None  # reading stores nothing

    done = post(client, "/admin/calendar/notice", {"text": text, "apply": "1"})
    assert done.status_code == 302 and done.location == "/admin/calendar?year=2024"
    shown = client.get(done.location).text
    assert "已按通知录入2024年节假日安排并确认：1天随之调整" in shown and "已确认" in shown
    session.expire_all()
    assert session.get(CalendarOverride, dt.date(2024, 6, 28)).is_workday is True
    assert session.get(CalendarYear, 2024).confirmed_by_id == people.platform.id
    history = client.get(f"/staff/requests/{req.tracking_number}")  # the platform admin handles none
    assert history.status_code in (403, 404)
    officer = client.application.test_client()
    login(officer, people.officer)
    page = officer.get(f"/staff/requests/{req.tracking_number}").text
    entry = page[page.index("2024年节假日安排已按国务院办公厅通知录入") :]
    entry = entry[: entry.index("</li>")]
    assert people.platform.email in entry  # the administrator who applied it, by name

    again = post(client, "/admin/calendar/notice", {"text": text}).text
    assert "通知的每一天都与系统现有日历一致" in again


def test_a_notice_that_cannot_be_read_names_the_field(client: FlaskClient, people: People, session: Any):
    login(client, people.platform)
    response = post(client, "/admin/calendar/notice", {"text": "一、元旦：1月1日放假。"})
    assert response.status_code == 422 and re.search(r'id="year-error">.*未写明年度', response.text)
    response = post(
        client,
        "/admin/calendar/notice",
        {"text": "一、元旦：1月1日（周三）放假。", "year": "2026", "apply": "1"},
    )
    assert response.status_code == 422 and re.search(r'id="text-error">.*2026-01-01不是周三', response.text)
    assert session.get(CalendarYear, 2026) is None
    response = post(client, "/admin/calendar/notice", {"text": ""})
    assert response.status_code == 422 and re.search(r'id="text-error">', response.text)


def test_agency_administrators_may_not_paste(client: FlaskClient, people: People):
    login(client, people.admin)
    assert client.get("/admin/calendar/notice").status_code == 403
    assert "粘贴国务院节假日安排通知" not in client.get("/admin/calendar").text
