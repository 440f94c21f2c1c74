"""The whole annual report in the browser (docs/rules.md §The annual report): a head opens the report
editor, sees a sentence quoting a number the tables contradict flagged, puts the draft back, writes
section 五, signs off; then anyone, without logging in, finds the report on the agency's public page and
opens its PDF. Screenshots of the editor, the flag and the public page under artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import make_request
from tests.web.conftest import PHONE, Live, screenshot
from tests.web.test_browser import staff_login
from webapp.domain.calendar import china_today
from webapp.domain.requests import act
from webapp.extensions import db
from webapp.models import Agency, User

pytestmark = pytest.mark.timeout(240)


def last_year_requests(live: Live) -> int:
    """Three requests of last year for CITYHR, two replied; answers the year."""
    now = dt.datetime.now(dt.UTC)
    year = china_today(now).year - 1
    with live.app.app_context():
        session = db.session()
        agency = session.execute(select(Agency).where(Agency.code == "CITYHR")).scalar_one()
        officer = session.execute(select(User).where(User.email == live.people["officer"])).scalar_one()
        for month, outcome in ((3, "disclosed"), (5, "not_exist"), (12, None)):
            received = dt.date(year, month, 3 if month != 12 else 28)
            req, _ = make_request(
                session, now, agency, received_on=received, channel="in_person", officer=officer
            )
            if outcome:
                where = {"published_where": "本机关门户网站"} if outcome == "disclosed" else {}
                act(session, req, "reply", officer, now=now, on=received, outcome=outcome, **where)
        session.commit()
        db.session.remove()
    return year


def test_head_edits_and_signs_off_and_anyone_reads_it(context: Any, browser: Any, live: Live):
    year = last_year_requests(live)
    page = context.new_page()
    staff_login(page, live, "head")
    page.get_by_role("link", name="年度报告").click()
    assert page.get_by_role("heading", name="三、收到和处理政府信息公开申请情况").is_visible()
    requests_text = page.locator("#text-requests")
    assert f"{year}年，本机关共收到政府信息公开申请3件" in requests_text.input_value()
    assert page.get_by_text("文字中引用的数字均与表格一致").is_visible()
    screenshot(page, "40-annual-report-editor")

    # the year not ended: no sign-off, the reason beside the disabled button
    page.goto(f"/staff/reports/annual?agency=CITYHR&year={year + 1}&form=2021")
    assert page.get_by_role("button", name="签发并公开…").is_disabled()
    reason = page.locator("#sign-reason")
    assert reason.inner_text() == f"{year + 1}年度尚未结束，{year + 2}年1月1日起才能签发。"
    page.locator("#sign-off").scroll_into_view_if_needed()
    screenshot(page, "48-annual-report-year-not-ended")
    page.goto(f"/staff/reports/annual?agency=CITYHR&year={year}&form=2021")

    requests_text.fill(f"{year}年，本机关共收到政府信息公开申请5件，办结2件。")
    page.get_by_role("button", name="保存文字").click()
    flag = page.locator("#edit-requests .annual-flags")
    assert "引用5，表格为3" in flag.inner_text()
    assert page.get_by_role("button", name="签发并公开…").is_disabled()
    flag.scroll_into_view_if_needed()
    screenshot(page, "41-annual-report-flag")

    page.locator("#edit-requests").get_by_role("button", name="恢复系统草稿").click()
    assert "共收到政府信息公开申请3件" in page.locator("#text-requests").input_value()
    page.locator("#text-problems").fill("一是政府信息公开工作力量较为薄弱。二是主动公开的及时性有待提高。")
    page.get_by_role("button", name="保存文字").click()
    assert page.locator("#edit-problems .tag-info").inner_text() == "已修改"
    assert page.locator("#edit-overview .tag").inner_text() == "系统草稿"  # left as drafted: not saved
    page.get_by_role("button", name="签发并公开…").click()
    # the confirmation: what is frozen and published, the sections left as the system drafted them
    assert page.get_by_role("heading", name="签发并公开年度报告").is_visible()
    assert page.get_by_text("以下部分仍是系统草稿，本机关未作修改：一、总体情况").is_visible()
    page.get_by_role("button", name="确认签发并公开").click()  # not ticked: refused, nothing published
    assert page.get_by_text("请确认已审阅报告全文和表格").first.is_visible()
    screenshot(page, "46-annual-report-sign-off-confirm")
    page.get_by_label("我已审阅报告全文和表格").check()
    page.get_by_role("button", name="确认签发并公开").click()
    assert page.get_by_text("签发并公开。").first.is_visible()

    # anyone, not logged in, on a phone
    public = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    try:
        visitor = public.new_page()
        visitor.goto("/")  # from the home page, as a citizen finds it
        home_link = visitor.get_by_role("link", name="查阅各机关的政府信息公开工作年度报告")
        home_link.scroll_into_view_if_needed()
        screenshot(visitor, "47-home-annual-reports-link")
        home_link.click()
        visitor.get_by_role("link", name="示范市人力资源和社会保障局").click()
        link = visitor.get_by_role("link", name=f"示范市人力资源和社会保障局{year}年政府信息公开工作年度报告")
        assert link.is_visible()
        screenshot(visitor, "42-annual-report-public")
        pdf = visitor.request.get(visitor.get_by_role("link", name="PDF").get_attribute("href"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        link.click()
        assert visitor.get_by_text("一是政府信息公开工作力量较为薄弱").is_visible()
        assert visitor.get_by_text("六、其他需要报告的事项").is_visible()
        screenshot(visitor, "43-annual-report-published")

        # the head corrects it: the reason, the text, a new version; the original still public
        page.get_by_label("更正说明").fill("第五部分表述不完整，予以更正。")
        page.get_by_role("button", name="撤回更正").click()
        assert page.get_by_text("更正中：第五部分表述不完整，予以更正。").is_visible()
        screenshot(page, "45-annual-report-correcting")
        page.locator("#text-problems").fill("一是政府信息公开工作力量较为薄弱，专职人员不足。")
        page.get_by_role("button", name="保存文字").click()
        page.get_by_role("button", name="签发更正版本…").click()
        page.get_by_label("我已审阅报告全文和表格").check()
        page.get_by_role("button", name="确认签发更正版本").click()
        assert page.get_by_text("第2版，更正说明：第五部分表述不完整，予以更正。").is_visible()
        visitor.goto("/agencies/CITYHR/annual-reports")
        assert visitor.get_by_text("已更正").is_visible()
        assert visitor.get_by_text("更正说明：第五部分表述不完整，予以更正。").is_visible()
        screenshot(visitor, "44-annual-report-corrected")
        visitor.get_by_role("link", name="查看原版本").click()
        assert visitor.get_by_text("主动公开的及时性有待提高").is_visible()  # the original's words
        visitor.goto("/agencies/CITYHR/annual-reports")
        link = visitor.get_by_role("link", name=f"示范市人力资源和社会保障局{year}年政府信息公开工作年度报告")
        link.click()
        assert visitor.get_by_text("专职人员不足").is_visible()
    finally:
        public.close()
