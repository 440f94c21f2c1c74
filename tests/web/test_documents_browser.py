"""Official documents in the browser: the officer previews, edits and sends a reply; the applicant reads
and downloads it on the status page (phone). Screenshots: artifacts/screenshots/2x-documents-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD, VALID_RESIDENT_ID
from tests.web.conftest import PHONE, Live, screenshot
from tests.web.test_browser import staff_login

pytestmark = pytest.mark.timeout(240)


def test_reply_previewed_edited_sent_and_read_by_the_applicant(context: Any, browser: Any, live: Live):
    # The citizen applies online.
    citizen_ctx = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    citizen_ctx.set_default_timeout(15_000)
    citizen = citizen_ctx.new_page()
    citizen.goto("/apply")
    citizen.locator("select#agency").select_option("CITYHR")
    citizen.get_by_label("自然人").check()
    citizen.get_by_label("姓名或名称").fill("赵六")
    citizen.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    citizen.get_by_label("联系电话").fill("13900000000")
    citizen.get_by_label("所需政府信息的描述").fill("申请公开本市2025年度社会保险基金预算执行情况")
    citizen.get_by_label("网上获取").check()
    citizen.get_by_role("button", name="提交申请").click()
    tracking_number = citizen.locator("#tracking-number").inner_text()
    code = citizen.locator("#access-code").inner_text()

    officer = context.new_page()
    officer.goto("/staff/login")
    officer.get_by_label("电子邮箱").fill(live.people["officer"])
    officer.get_by_label("密码").fill(PASSWORD)
    officer.get_by_role("button", name="登录").click()
    officer.goto(f"/staff/requests/{tracking_number}")
    assert "政府信息公开申请受理回执（PDF）" in officer.locator("#documents").inner_text()
    details = officer.locator("details.action", has=officer.get_by_text("答复", exact=True))
    details.locator("summary").click()
    details.get_by_label("答复结果").select_option("not_held")
    details.get_by_label("负责公开该信息的机关（选填）").fill("示范市社会保险事业管理中心")
    details.get_by_label("该机关的电话").fill("010-66668888")
    details.get_by_role("button", name="预览文书").click()
    preview = officer.locator("#document-reply .official-doc")
    assert "行政机关为示范市社会保险事业管理中心（电话：010-66668888）" in preview.inner_text()
    text = officer.locator("#reply-document_text")
    assert "第三十六条第（五）项" in text.input_value()
    preview.scroll_into_view_if_needed()
    screenshot(officer, "20-documents-preview")
    text.fill(text.input_value() + "\n办公时间：工作日9:00至17:00。")
    officer.locator("#action-reply").get_by_role("button", name="答复", exact=True).click()
    assert officer.locator("#status").inner_text() == "已办结"
    assert "政府信息公开申请答复书（PDF）" in officer.locator("#documents").inner_text()

    citizen.goto("/track")
    citizen.get_by_label("申请编号").fill(tracking_number)
    citizen.get_by_label("查询码").fill(code)
    citizen.get_by_role("button", name="查询").click()
    listed = citizen.locator("#documents")
    assert "政府信息公开申请受理回执（PDF）" in listed.inner_text()
    reply = listed.locator("li", has=citizen.get_by_text("政府信息公开申请答复书（PDF）"))
    reply.locator("summary").click()
    assert "办公时间：工作日9:00至17:00。" in reply.locator(".official-doc").inner_text()
    screenshot(citizen, "21-documents-status")
    href = reply.get_by_role("link", name="政府信息公开申请答复书（PDF）").get_attribute("href")
    pdf = citizen_ctx.request.get(href)  # with the page's session cookie, as a click would
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    citizen_ctx.close()


def test_admin_sets_the_documents_letterhead(context: Any, live: Live):
    admin = context.new_page()
    admin.goto("/staff/login")
    admin.get_by_label("电子邮箱").fill(live.people["admin"])
    admin.get_by_label("密码").fill(PASSWORD)
    admin.get_by_role("button", name="登录").click()
    admin.goto("/admin/agencies/CITYHR")
    section = admin.locator("#documents")
    section.get_by_label("发文机关代字").fill("示人社公开")
    section.get_by_label("联系电话").fill("010-12345678")
    section.get_by_role("button", name="保存文书设置").click()
    assert "已保存文书设置" in admin.locator(".flashes").inner_text()
    assert admin.locator("#documents").get_by_label("发文机关代字").input_value() == "示人社公开"
    admin.locator("#documents").scroll_into_view_if_needed()
    screenshot(admin, "22-documents-admin")


def test_platform_admin_sets_the_government_an_agency_reports_to(context: Any, live: Live):
    admin = context.new_page()
    staff_login(admin, live, "platform")
    admin.goto("/admin/agencies/CITYENV")
    section = admin.locator("#parent")
    section.get_by_label("上级政府（本级政府）").select_option("CITYHR")
    section.get_by_role("button", name="保存上级政府").click()
    assert "已保存上级政府" in admin.locator(".flashes").inner_text()
    admin.goto("/admin/agencies/CITYHR")
    assert "所属机关：" in admin.locator("#parent").inner_text()
    section = admin.locator("#parent")
    section.get_by_label("上级政府（本级政府）").select_option("CITYENV")  # its own agency: a cycle
    section.get_by_role("button", name="保存上级政府").click()
    assert "CITYENV 属于本机关" in admin.locator("#parent-parent-error").inner_text()
    admin.locator("#parent").scroll_into_view_if_needed()
    screenshot(admin, "23-agency-parent-admin")
