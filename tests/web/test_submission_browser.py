"""In headless Chromium: going back and sending the application again makes one request, not two
(docs/rules.md §One request per submission); the identity field follows the applicant's type; the
late-registration preview as the officer types the date; the form's errors and the receipt at 390 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID
from tests.web.conftest import PHONE, SCREENSHOTS, Live, screenshot
from tests.web.test_browser import fill_applicant, staff_login
from webapp.domain.calendar import china_today, current_calendar
from webapp.extensions import db
from webapp.models import Request

pytestmark = pytest.mark.timeout(240)


def count(live: Live, name: str) -> int:
    with live.app.app_context():
        n = db.session.execute(select(func.count()).where(Request.applicant_name == name)).scalar_one()
        db.session.remove()
        return int(n)


def test_back_and_submit_again_makes_one_request(context: Any, live: Live):
    page = context.new_page()
    page.goto("/apply")
    fill_applicant(page, name="回退重交")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt")
    number = page.locator("#tracking-number").inner_text()
    assert count(live, "回退重交") == 1

    page.go_back()  # the form again, as the browser kept it
    page.wait_for_url("**/apply")
    # Chromium restores what was typed except the ID number (autocomplete=off): the applicant types
    # it again, and the same form goes off a second time.
    assert page.get_by_label("姓名或名称").input_value() == "回退重交"
    fill_applicant(page, name="回退重交")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert count(live, "回退重交") == 1
    assert "没有重复提交" in page.content(), page.locator("main").inner_text()[:800]
    assert page.locator("#tracking-number").inner_text() == number  # its receipt, once more

    # Another application from the same browser is a request of its own.
    page.goto("/apply")
    fill_applicant(page, name="回退重交")
    page.get_by_label("所需政府信息的描述").fill("申请公开2024年度本局部门决算")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt")
    assert count(live, "回退重交") == 2


def test_an_organisation_gives_its_credit_code(context: Any, live: Live):
    page = context.new_page()
    page.goto("/apply")
    assert page.get_by_label("证件类型").is_visible()
    page.get_by_label("商业企业").check()
    assert not page.get_by_label("证件类型").is_visible()  # one document: the credit code
    assert page.get_by_label("统一社会信用代码").is_visible()
    page.get_by_label("姓名或名称").fill("某建材有限公司")
    page.get_by_label("统一社会信用代码").fill(VALID_CREDIT_CODE)
    page.get_by_label("电子邮箱").fill("office@example.cn")
    page.get_by_label("所需政府信息的描述").fill("申请公开本市建材行业扶持资金分配结果")
    page.get_by_label("自然人").check()  # and back: the person's list again
    assert page.get_by_label("证件类型").input_value() == "resident_id"
    page.get_by_label("商业企业").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt")
    with live.app.app_context():
        req = db.session.execute(
            select(Request).where(Request.applicant_name == "某建材有限公司")
        ).scalar_one()
        assert (req.applicant_id_kind, req.applicant_id_number) == ("credit_code", VALID_CREDIT_CODE)
        db.session.remove()


def test_the_form_with_errors_and_the_receipt_at_390_px(browser: Any, live: Live):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    page = ctx.new_page()
    page.goto("/apply")
    page.get_by_label("姓名或名称").fill("张三")
    page.get_by_label("证件号码").fill("110105194912310021")
    page.get_by_label("联系电话").fill("abc")
    page.get_by_label("所需政府信息的描述").fill("字" * 5001)
    page.get_by_role("button", name="提交申请").click()
    for field in ("id_number", "phone", "email", "description"):  # all at once
        assert page.locator(f"#{field}-error").is_visible(), field
    assert "不能超过5000个字符" in page.locator("#description-error").inner_text()
    page.screenshot(path=str(shot("10-apply-errors-390")), full_page=True)

    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    page.get_by_label("联系电话").fill("0436-3209609")
    page.get_by_label("电子邮箱").fill("zhangsan@example.cn")
    page.get_by_label("所需政府信息的描述").fill("申请公开2025年度本局部门预算及其说明")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt")
    title = page.locator(".receipt-title")
    box = title.bounding_box()
    line = float(
        title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || e.getBoundingClientRect().height")
    )
    assert box is not None and box["height"] < 1.6 * line  # the title on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shot("11-receipt-390")), full_page=True)
    ctx.close()


def test_the_late_registration_preview_and_reason(context: Any, live: Live):
    page = context.new_page()
    staff_login(page, live, "officer")
    page.goto("/staff/register")
    assert not page.locator("#late-registration").is_visible()
    with live.app.app_context():
        cal = current_calendar(db.session())
        today = china_today(dt.datetime.now(dt.UTC))
        received = today - dt.timedelta(days=1)
        while cal.count_wd(received, today) < 22:
            received -= dt.timedelta(days=1)
        db.session.remove()
    page.get_by_label("收到申请之日").fill(received.isoformat())
    page.locator("#late-registration").wait_for(state="visible")
    assert "已过22个工作日" in page.locator("#late-text").inner_text()
    assert page.locator("#late-warning").is_visible()
    page.get_by_label("申请渠道").select_option("letter")
    page.get_by_label("姓名或名称").fill("迟登记")
    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    page.get_by_label("通信地址").fill("示范市解放路8号")
    page.get_by_label("邮寄").check()
    page.get_by_label("所需政府信息的描述").fill("申请公开示范路改造工程的立项批复")
    screenshot(page, "12-register-late")
    page.get_by_role("button", name="登记并出具回执").click()
    assert "请说明延迟登记的原因" in page.locator("#late_reason-error").inner_text()
    page.get_by_label("延迟登记的原因").fill("信件误投至档案室，今日才转来")
    page.get_by_role("button", name="登记并出具回执").click()
    page.wait_for_url("**/staff/register/receipt")
    assert page.locator("#registered-on").inner_text() != page.locator("#received-on").inner_text()
    screenshot(page, "13-register-late-receipt")


def shot(name: str) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
