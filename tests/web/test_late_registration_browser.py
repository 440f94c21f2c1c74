"""A late registration in a real browser on a phone (390 px): the hint under 延迟登记的原因 follows the typed
received-on date — the field hidden for today, optional for a date whose due date is still weeks away,
required for one already past — and the receipt of a letter registered after its due date is dated today
and says the period had ended instead of promising a date gone by."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, screenshot
from tests.web.test_browser import fill_applicant, new_page, staff_login
from tests.web.test_late_registration import today
from webapp.domain.calendar import current_calendar
from webapp.extensions import db

pytestmark = pytest.mark.timeout(240)


def days_ago(live: Live, working_days: int) -> Any:
    with live.app.app_context():
        cal = current_calendar(db.session())
        day = today()
        while cal.count_wd(day, today()) < working_days:
            day = day.fromordinal(day.toordinal() - 1)
        db.session.remove()
    return day


def test_the_reason_hint_follows_the_date_and_the_receipt_says_the_period_has_ended(browser: Any, live: Live):
    page = new_page(browser, live, phone=True)
    staff_login(page, live, "officer")
    page.goto("/staff/register")
    reason, hint = page.locator("#late-reason-field"), page.locator("#late_reason-hint")
    received = page.get_by_label("收到申请之日")
    received.fill(today().isoformat())
    expect(reason).to_be_hidden()
    received.fill(days_ago(live, 2).isoformat())
    page.locator("#late-text").wait_for(state="visible")
    expect(hint).to_have_text(re.compile("^选填"))
    assert "无须说明原因" in hint.inner_text() and reason.is_visible()
    received.fill(days_ago(live, 25).isoformat())
    expect(hint).to_have_text(re.compile("^须填写"))
    page.locator("#late-registration").scroll_into_view_if_needed()
    screenshot(page, "late-register-hint")
    page.get_by_label("申请渠道").select_option("letter")
    fill_applicant(page, name="李四")
    page.get_by_label("邮寄").check()
    page.get_by_label("通信地址").fill("示范市人民路1号")
    page.get_by_label("延迟登记的原因").fill("信件误投至其他科室，今日转来")
    page.get_by_role("button", name="登记并出具回执").click()
    day = today()
    assert page.locator("#registered-on").inner_text() == f"{day.year}年{day.month}月{day.day}日"
    assert "本申请登记时答复期限已届满，本机关将尽快答复。" in page.locator("#late-due").inner_text()
    screenshot(page, "late-receipt")
    page.context.close()
