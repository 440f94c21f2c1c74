"""An agency's own reply text in the browser (docs/rules.md §An agency's own texts): the administrator
opens the text editor from the agency page, writes the 予以公开 reply's text, previews it on a request,
saves it; the officer's next reply reads it. Screenshots: artifacts/screenshots/4x-letter-text-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import PASSWORD, applicant
from tests.web.conftest import Live, screenshot
from webapp.domain.requests import act, submit
from webapp.extensions import db
from webapp.models import Agency, User

pytestmark = pytest.mark.timeout(300)

TEXT = (
    "{applicant}：\n本局已收到您于{received_on}提出的申请（{tracking_number}），经审查决定予以公开。"
    "\n{note}\n{remedy}"
)


def sign_in(page: Any, email: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_administrator_sets_the_disclosure_reply_and_the_officer_sends_it(
    context: Any, browser: Any, live: Live
):
    with live.app.app_context():
        session = db.session()
        agency = session.query(Agency).filter_by(code="CITYHR").one()
        officer = session.query(User).filter_by(email=live.people["officer"]).one()
        moment = dt.datetime.now(dt.UTC)
        req, _ = submit(
            session,
            agency=agency,
            applicant=applicant(name="王五", phone=None, email="wangwu@example.cn"),
            description="申请公开本局2025年度就业补助资金分配结果",
            delivery="email",
            now=moment,
            channel="letter",
            received_on=dt.date.today(),
            registered_by=officer,
        )
        act(session, req, "accept", officer, now=moment)
        number = req.tracking_number
        session.commit()

    admin = context.new_page()
    sign_in(admin, live.people["admin"])
    admin.goto("/admin/agencies/CITYHR")
    admin.get_by_role("link", name="答复书和告知书的正文（按办理结果分别设置）").click()
    screenshot(admin, "39-letter-texts-list")
    admin.get_by_role("link", name="答复书（予以公开）").click()
    assert "{applicant}" in admin.locator("#fields").inner_text()
    assert "本机关决定予以公开" in admin.locator("#starter").inner_text()
    screenshot(admin, "40-letter-text-start")
    admin.get_by_label("本机关的正文").fill("{applicant}：{申请人}")
    admin.get_by_role("button", name="保存正文").click()
    assert "{申请人}" in admin.locator("#text-error").inner_text()  # refused, naming the field
    admin.get_by_label("本机关的正文").fill(TEXT)
    admin.get_by_label("预览所用的申请编号").fill(number)
    admin.get_by_role("button", name="预览").click()
    own = admin.locator("#preview-own .official-doc").inner_text()
    assert "经审查决定予以公开" in own and number in own and "王五" in own
    assert "本机关决定予以公开" in admin.locator("#preview-built-in .official-doc").inner_text()
    screenshot(admin, "41-letter-text-preview")
    admin.get_by_role("button", name="保存正文").click()
    assert "已保存答复书（予以公开）的正文" in admin.locator(".flashes").inner_text()
    assert admin.get_by_label("本机关的正文").input_value() == TEXT

    officer_ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live.url
    )
    officer_ctx.set_default_timeout(15_000)
    page = officer_ctx.new_page()
    sign_in(page, live.people["officer"])
    page.goto(f"/staff/requests/{number}")
    details = page.locator("details.action", has=page.get_by_text("答复", exact=True))
    details.locator("summary").click()
    details.get_by_label("答复结果").select_option("disclosed")
    details.get_by_role("button", name="预览文书").click()
    assert "经审查决定予以公开" in page.locator("#reply-document_text").input_value()
    page.locator("#action-reply").get_by_role("button", name="答复", exact=True).click()
    assert page.locator("#status").inner_text() == "已办结"
    sent = page.locator("#documents li", has=page.get_by_text("政府信息公开申请答复书（PDF）"))
    sent.locator("summary").click()
    assert "本局已收到您于" in sent.locator(".official-doc").inner_text()
    officer_ctx.close()
