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
from webapp.domain.requests import act, set_calendar_day
from webapp.domain.requests.history import append_event
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
    assert response.status_code == 422 and re.search(r'id="text-error">.*2026年1月1日不是周三', response.text)
    assert session.get(CalendarYear, 2026) is None
    response = post(client, "/admin/calendar/notice", {"text": ""})
    assert response.status_code == 422 and re.search(r'id="text-error">', response.text)


def test_agency_administrators_may_not_paste(client: FlaskClient, people: People):
    login(client, people.admin)
    assert client.get("/admin/calendar/notice").status_code == 403
    assert "粘贴国务院节假日安排通知" not in client.get("/admin/calendar").text


def test_a_notice_moves_and_counts_only_the_due_dates_it_changes_written_as_chinese_writes_days(
    client: FlaskClient, people: People, session: Any
):
    """A paused request (awaiting correction: no due date running) gets no "由—调整为—" line and is not
    counted; the moved request's line reads 2024年7月3日, not 2024-07-03, for the citizen too."""
    moment = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    running, code = make_request(
        session, moment, people.agency, received_on=dt.date(2024, 6, 3), officer=people.officer
    )
    paused, _ = make_request(
        session, moment, people.agency, received_on=dt.date(2024, 6, 12), officer=people.officer
    )
    act(session, paused, "request_correction", people.officer, now=moment, items="请写明年度", period_days=15)
    set_calendar_day(session, dt.date(2024, 6, 28), is_workday=False, name="地方", actor=None, now=moment)
    session.commit()
    events = len(paused.events)
    assert running.due_on == dt.date(2024, 7, 3) and paused.due_on is None
    login(client, people.platform)
    text = (NOTICES / "2024.txt").read_text(encoding="utf-8")
    done = post(client, "/admin/calendar/notice", {"text": text, "apply": "1"})
    assert "1天随之调整，1件未办结申请的答复期限随之调整" in client.get(done.location).text
    session.expire_all()
    assert len(paused.events) == events  # nothing moved, nothing written
    line = "2024年节假日安排已按国务院办公厅通知录入：答复期限由2024年7月3日调整为2024年7月2日"
    assert running.events[-1].note == line
    citizen = client.application.test_client()
    post(citizen, "/track", {"tracking_number": running.tracking_number, "access_code": code})
    page = citizen.get(f"/track/{running.tracking_number}").text
    assert line in page and "2024-07-0" not in page and "—调整为—" not in page
    officer = client.application.test_client()
    login(officer, people.officer)
    assert line in officer.get(f"/staff/requests/{running.tracking_number}").text
    assert "由—调整为—" not in officer.get(f"/staff/requests/{paused.tracking_number}").text


def test_a_history_line_stored_with_iso_days_is_shown_with_chinese_days(
    client: FlaskClient, people: People, session: Any
):
    moment = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    req, _ = make_request(
        session, moment, people.agency, received_on=dt.date(2024, 6, 3), officer=people.officer
    )
    append_event(
        session,
        req,
        "due_recomputed",
        on=dt.date(2024, 6, 14),
        now=moment,
        actor=None,
        from_status=req.status,
        to_status=req.status,
        note="工作日历调整（2024-06-28放假）：答复期限由2024-07-02调整为2024-07-03",
    )
    session.commit()
    login(client, people.officer)
    page = client.get(f"/staff/requests/{req.tracking_number}").text
    assert "工作日历调整（2024年6月28日放假）：答复期限由2024年7月2日调整为2024年7月3日" in page
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/staff/requests/{req.tracking_number}").text
    assert re.search(
        r"Calendar change \(2024-06-28 [A-Za-z ]+\): reply due date moved from 2024-07-02 to 2024-07-03", page
    )
