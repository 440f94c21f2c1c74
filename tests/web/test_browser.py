"""The pages as people use them, in headless Chromium (Debian's) against the app served over HTTP:
a citizen applies and tracks; an officer registers a letter, asks for a correction, the citizen corrects,
the officer replies; a head approves an extension; an administrator enters a calendar override and sees
the due dates move. Screenshots of the main pages at phone and desktop widths go to artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, VALID_RESIDENT_ID
from tests.web.conftest import DESKTOP, PHONE, Live, screenshot
from webapp.domain.calendar import china_today, current_calendar
from webapp.extensions import db
from webapp.models import Request

pytestmark = pytest.mark.timeout(240)

# The smallest valid PNG and PDF: scans to upload.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_page(browser: Any, live: Live, *, phone: bool = False) -> Any:
    ctx = browser.new_context(viewport=PHONE if phone else DESKTOP, locale="zh-CN", base_url=live.url)
    ctx.set_default_timeout(15_000)
    return ctx.new_page()


def staff_login(page: Any, live: Live, role: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("电子邮箱").fill(live.people[role])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/staff/login" not in page.url


def stored(live: Live, tracking_number: str) -> Request:
    with live.app.app_context():
        req = db.session.execute(
            select(Request).where(Request.tracking_number == tracking_number)
        ).scalar_one()
        db.session.expunge(req)
        db.session.remove()
        return req


def due_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fill_applicant(page: Any, *, name: str) -> None:
    page.get_by_label("自然人").check()
    page.get_by_label("姓名或名称").fill(name)
    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    page.get_by_label("联系电话").fill("13900000000")
    page.get_by_label("电子邮箱").fill("citizen@example.cn")
    page.get_by_label("所需政府信息的描述").fill("申请公开2025年度本局部门预算及其说明")


def action(page: Any, name: str) -> Any:
    """Open an action's form on the request page and return it."""
    details = page.locator("details.action", has=page.get_by_text(name, exact=True))
    details.locator("summary").click()
    return details


def test_citizen_applies_and_tracks(context: Any, browser: Any, live: Live):
    page = context.new_page()
    page.goto("/")
    screenshot(page, "01-home")
    page.get_by_role("link", name="开始申请").click()
    assert page.get_by_role("heading", name="政府信息公开申请表").is_visible()
    screenshot(page, "02-apply")

    # Nothing filled in: each missing answer is named at the top and beside its input.
    page.get_by_role("button", name="提交申请").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.locator("#name-error").inner_text().endswith("必填")
    assert page.locator("#description-error").is_visible()
    assert page.get_by_label("姓名或名称").get_attribute("aria-invalid") == "true"
    # A wrong check digit is an error beside the ID number (docs/rules.md §Intake), and the rest is kept.
    page.get_by_label("姓名或名称").fill("张三")
    page.get_by_label("证件号码").fill("110105194912310021")
    page.get_by_label("所需政府信息的描述").fill("申请公开2025年度本局部门预算及其说明")
    page.get_by_role("button", name="提交申请").click()
    assert "校验位" in page.locator("#id_number-error").inner_text()
    # e-mail delivery (the default) without an e-mail address: the error stands beside that input
    assert "须填写电子邮箱" in page.locator("#email-error").inner_text()
    assert page.get_by_label("姓名或名称").input_value() == "张三"
    screenshot(page, "03-apply-errors")

    fill_applicant(page, name="张三")
    page.get_by_label("电子邮件", exact=True).check()
    page.set_input_files(
        "#attachments", files=[{"name": "身份证.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="提交申请").click()
    assert page.get_by_role("heading", name=re.compile("受理回执")).is_visible()
    tracking_number = page.locator("#tracking-number").inner_text()
    code = page.locator("#access-code").inner_text()
    assert "?" not in page.url and code not in page.url
    req = stored(live, tracking_number)
    assert req.channel == "online" and req.status == "received"
    assert req.due_on is not None
    assert due_text(req.due_on) in page.locator("#due-on").inner_text()
    screenshot(page, "04-receipt")

    # Later, on a phone without the session: the number and the code open the request.
    phone = new_page(browser, live, phone=True)
    phone.goto("/track")
    phone.get_by_label("申请编号").fill(tracking_number)
    phone.get_by_label("查询码").fill("WRONG-CODE-0000-0000")
    phone.get_by_role("button", name="查询").click()
    assert "申请编号或查询码不正确" in phone.locator(".error-summary").inner_text()
    phone.get_by_label("查询码").fill(code.lower().replace("-", ""))  # as people type it
    phone.get_by_role("button", name="查询").click()
    assert phone.locator("#status").inner_text() == "已收到"
    assert due_text(req.due_on) in phone.locator("#due").inner_text()
    timeline = phone.locator(".timeline").inner_text()
    assert "收到申请" in timeline and "上传材料" in timeline
    assert code not in phone.url
    screenshot(phone, "05-track-status")
    phone.context.close()


def test_officer_registers_a_letter_asks_for_correction_and_replies(context: Any, browser: Any, live: Live):
    officer = context.new_page()
    officer.goto("/staff/queue")
    assert "/staff/login" in officer.url  # not logged in yet
    screenshot(officer, "06-login")
    staff_login(officer, live, "officer")
    screenshot(officer, "07-queue")

    officer.get_by_role("link", name="登记申请").first.click()
    officer.get_by_label("申请渠道").select_option("letter")
    today = china_today(dt.datetime.now(dt.UTC))
    officer.get_by_label("收到申请之日").fill(today.isoformat())
    fill_applicant(officer, name="李四")
    officer.get_by_label("邮寄").check()
    officer.get_by_label("通信地址").fill("示范市人民路1号")
    officer.set_input_files(
        "#attachments", files=[{"name": "来信.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(officer, "08-register")
    officer.get_by_role("button", name="登记并出具回执").click()
    tracking_number = officer.locator("#tracking-number").inner_text()
    code = officer.locator("#access-code").inner_text()
    officer.get_by_role("link", name="打开申请").click()
    assert officer.locator("#status").inner_text() == "已收到"
    assert "来信.pdf" in officer.locator("#files").inner_text()
    # Only the actions the state allows are offered: an officer of a received request may not extend.
    offered = officer.locator("details.action > summary").all_inner_texts()
    assert "告知补正" in offered and "受理" in offered
    assert "延期答复" not in offered and "收到补正" not in offered and "不同意延期" not in offered
    screenshot(officer, "09-request")

    form = action(officer, "告知补正")
    form.get_by_label("需要补正的事项").fill("请写明所需预算信息的年度和具体项目名称。")
    form.get_by_label("补正期限（工作日）").fill("10")
    form.get_by_role("button", name="告知补正").click()
    assert officer.locator("#status").inner_text() == "待补正"
    assert "期限暂停计算" in officer.locator("#due").inner_text()

    # The citizen corrects, with the number and the code from the officer's receipt.
    citizen = new_page(browser, live, phone=True)
    citizen.goto("/track")
    citizen.get_by_label("申请编号").fill(tracking_number)
    citizen.get_by_label("查询码").fill(code)
    citizen.get_by_role("button", name="查询").click()
    assert citizen.locator("#status").inner_text() == "待补正"
    assert "请写明所需预算信息的年度" in citizen.locator("#correction-h + p + blockquote").inner_text()
    screenshot(citizen, "10-track-correction")
    citizen.get_by_label("补正内容").fill("所需信息为2025年度部门预算中的“三公”经费预算。")
    citizen.get_by_role("button", name="提交补正").click()
    assert citizen.locator("#status").inner_text() == "办理中"
    assert "补正已提交" in citizen.locator(".flashes").inner_text()

    officer.reload()
    assert officer.locator("#status").inner_text() == "办理中"
    offered = officer.locator("details.action > summary").all_inner_texts()
    assert "告知补正" not in offered  # once only
    form = action(officer, "答复")
    form.get_by_label("答复结果").select_option("disclosed")
    form.get_by_label("答复内容摘要").fill("已通过电子邮件提供2025年度“三公”经费预算。")
    form.get_by_role("button", name="答复").click()
    assert officer.locator("#status").inner_text() == "已办结"
    history = officer.locator("#history").inner_text()
    for step in ("收到申请", "告知补正", "收到补正", "答复"):
        assert step in history

    citizen.reload()
    assert citizen.locator("#status").inner_text() == "已办结"
    assert citizen.locator("#outcome").inner_text() == "予以公开"
    screenshot(citizen, "11-track-replied")
    citizen.context.close()
    assert stored(live, tracking_number).outcome == "disclosed"


def test_head_approves_an_extension(context: Any, browser: Any, live: Live):
    officer = context.new_page()
    staff_login(officer, live, "officer")
    officer.get_by_role("link", name="登记申请").first.click()
    officer.get_by_label("申请渠道").select_option("fax")
    officer.get_by_label("收到申请之日").fill(china_today(dt.datetime.now(dt.UTC)).isoformat())
    fill_applicant(officer, name="王五")
    officer.get_by_role("button", name="登记并出具回执").click()
    tracking_number = officer.locator("#tracking-number").inner_text()
    officer.get_by_role("link", name="打开申请").click()
    form = action(officer, "提请延期")
    form.get_by_label("延长的工作日数").fill("10")
    form.get_by_label("延期理由").fill("所需信息分散在三个处室，需要汇总核对。")
    form.get_by_role("button", name="提请延期").click()
    assert "待负责人审批的延期申请" in officer.locator(".side-col").inner_text()
    before = stored(live, tracking_number)
    assert before.extended_days == 0 and before.due_on is not None

    head = new_page(browser, live)
    staff_login(head, live, "head")
    head.get_by_role("link", name="延期审批").click()
    card = head.locator(f"#proposal-{tracking_number}")
    assert "10个工作日" in card.inner_text()
    screenshot(head, "12-approvals")
    card.get_by_role("button", name="批准延期").click()
    assert f"已批准 {tracking_number}" in head.locator(".flashes").inner_text()
    assert head.locator(f"#proposal-{tracking_number}").count() == 0

    after = stored(live, tracking_number)
    with live.app.app_context():
        expected = current_calendar(db.session()).add_wd(before.due_on, 10)
        db.session.remove()
    assert after.extended_days == 10 and after.due_on == expected
    head.goto(f"/staff/requests/{tracking_number}")
    assert due_text(expected) in head.locator("#due").inner_text()
    assert "经负责人同意延期答复" in head.locator("#explain-h + ol").inner_text()
    head.context.close()


def test_admin_enters_a_calendar_override_and_due_dates_move(context: Any, live: Live):
    officer = context.new_page()
    staff_login(officer, live, "officer")
    officer.get_by_role("link", name="登记申请").first.click()
    officer.get_by_label("申请渠道").select_option("in_person")
    officer.get_by_label("收到申请之日").fill(china_today(dt.datetime.now(dt.UTC)).isoformat())
    fill_applicant(officer, name="赵六")
    officer.get_by_role("button", name="登记并出具回执").click()
    tracking_number = officer.locator("#tracking-number").inner_text()
    before = stored(live, tracking_number)
    assert before.due_on is not None
    with live.app.app_context():
        cal = current_calendar(db.session())
        db.session.remove()
    holiday = cal.add_wd(before.received_on, 1)  # a working day inside the request's count
    expected = cal.add_wd(before.due_on, 1)

    officer.get_by_role("button", name="退出登录").click()
    staff_login(officer, live, "platform")
    officer.get_by_role("link", name="系统管理").click()
    screenshot(officer, "13-admin")
    officer.get_by_role("link", name="机关", exact=True).first.click()
    screenshot(officer, "14-admin-agencies")
    officer.get_by_role("link", name="CITYHR").click()
    officer.get_by_label("依申请公开信息目录数").fill("15")
    officer.get_by_role("button", name="保存目录数").click()
    assert "已保存" in officer.locator(".flashes").inner_text()
    officer.get_by_role("link", name="用户", exact=True).click()
    screenshot(officer, "15-admin-users")
    officer.get_by_role("link", name="接口令牌").click()
    officer.get_by_role("button", name="签发").click()
    assert officer.locator("#new-token").inner_text().startswith("gd_")
    screenshot(officer, "16-admin-tokens")

    officer.get_by_role("link", name="工作日历").click()
    officer.goto(f"/admin/calendar?year={holiday.year}")
    officer.locator("#day-day").fill(holiday.isoformat())
    officer.get_by_label("放假（不计为工作日）").check()
    officer.get_by_label("名称").fill("地方调整（测试）")
    officer.get_by_role("button", name="保存", exact=True).click()
    message = officer.locator(".flashes").inner_text()
    assert "答复期限随之调整" in message
    assert "地方调整（测试）" in officer.locator("#overrides-h + .table-wrap").inner_text()
    screenshot(officer, "17-admin-calendar")

    after = stored(live, tracking_number)
    assert after.due_on == expected
    # The platform's administrator handles no request: the agency's officer looks at it.
    officer.get_by_role("button", name="退出登录").click()
    staff_login(officer, live, "officer")
    officer.goto(f"/staff/requests/{tracking_number}")
    assert due_text(expected) in officer.locator("#due").inner_text()
    history = officer.locator("#history").inner_text()
    assert "答复期限调整" in history
    assert f"调整为{expected.year}年{expected.month}月{expected.day}日" in history
    assert due_text(holiday) in officer.locator("#explain-h + ol").inner_text()  # named as skipped

    # Removing the override (the platform's administrator again) moves them back.
    officer.get_by_role("button", name="退出登录").click()
    staff_login(officer, live, "platform")
    officer.goto(f"/admin/calendar?year={holiday.year}")
    officer.get_by_role("button", name=re.compile("删除.*的调整")).first.click()
    assert stored(live, tracking_number).due_on == before.due_on


def test_reports_page_and_english(context: Any, live: Live):
    page = context.new_page()
    staff_login(page, live, "head")
    page.get_by_role("link", name="年度报表").click()
    assert page.locator(".report").count() == 1
    screenshot(page, "18-reports")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Queue").is_visible()
    page.get_by_role("link", name="Queue").click()
    screenshot(page, "19-queue-english")
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("link", name="待办队列").is_visible()
