"""In Chromium: the platform administrator pastes the State Council's 2026 notice, sees every day of it on
the year's calendar agree with the stored calendar, and confirms the year in one step. Screenshots of the
page go to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from tests.web.conftest import Live, screenshot
from tests.web.test_browser import staff_login
from webapp.domain.calendar import current_calendar
from webapp.extensions import db
from webapp.models import CalendarYear

pytestmark = pytest.mark.timeout(240)
NOTICE_2026 = Path(__file__).resolve().parents[1] / "data" / "holiday_notices" / "2026.txt"


def test_the_administrator_pastes_the_2026_notice_and_every_day_agrees(context: Any, live: Live):
    page = context.new_page()
    staff_login(page, live, "platform")
    page.goto("/admin/calendar?year=2026")
    page.get_by_role("link", name="粘贴国务院节假日安排通知").click()
    page.get_by_label("通知全文").fill(NOTICE_2026.read_text(encoding="utf-8"))
    page.get_by_role("button", name="读取并比对").click()
    page.wait_for_load_state()

    assert "通知的每一天都与系统现有日历一致" in page.locator("#agreement").inner_text()
    cells = page.locator(".year-grid .cal-day")
    assert cells.count() == 365
    assert page.locator(".year-grid .cal-day.differs").count() == 0
    with live.app.app_context():
        stored = current_calendar(db.session())
        db.session.remove()
    # Every day drawn: its kind as the notice says, and the stored calendar (the package's 2026) agrees.
    kinds = cells.evaluate_all("cells => cells.map(c => [c.dataset.day, c.className])")
    for iso, classes in kinds:
        day = dt.date.fromisoformat(iso)
        working = "workday" in classes or "makeup" in classes
        assert working == stored.is_workday(day) == chinese_calendar.is_workday(day), iso
        assert ("holiday" in classes) == (day in chinese_calendar.holidays), iso
        assert ("makeup" in classes) == (day in chinese_calendar.workdays), iso
    assert page.locator('.cal-day.holiday[data-day="2026-02-15"]').count() == 1
    assert page.locator('.cal-day.makeup[data-day="2026-02-28"]').count() == 1
    screenshot(page, "admin-calendar-notice")

    page.get_by_role("button", name="保存并确认2026年日历").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/calendar?year=2026")
    assert "已按通知录入2026年节假日安排并确认：0天随之调整" in page.content()
    assert "已确认" in page.locator("#state-h + p").inner_text()
    with live.app.app_context():
        assert db.session.get(CalendarYear, 2026) is not None
        db.session.remove()
    page.close()
