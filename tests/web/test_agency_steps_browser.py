"""The agency steps on the request page (docs/rules.md §Agency steps), in the browser: the officer asks
for reasons (2019 rules Art. 35), records them, sets a later reasonable reply date, and corrects the
applicant's details from a paper form. Screenshots: artifacts/screenshots/3x-agency-steps-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import PASSWORD, applicant
from tests.web.conftest import Live, screenshot
from webapp.domain import documents
from webapp.domain.requests import submit
from webapp.extensions import db
from webapp.models import Agency, Request, User

pytestmark = pytest.mark.timeout(300)


def test_reasons_a_later_date_and_a_corrected_applicant_on_the_request_page(context: Any, live: Live):
    with live.app.app_context():
        session = db.session()
        agency = session.query(Agency).filter_by(code="CITYHR").one()
        officer = session.query(User).filter_by(email=live.people["officer"]).one()
        documents.save_settings(
            session,
            agency,
            {"review_body": "示范市人民政府", "court": "示范市东城区人民法院"},
            {},
            now=dt.datetime.now(dt.UTC),
        )
        today = dt.date.today()
        req, _ = submit(
            session,
            agency=agency,
            applicant=applicant(name="李四", phone=None, email="lisi@example.cn"),
            description="申请公开本局2025年度全部行政处罚决定书及其送达回证",
            delivery="email",
            now=dt.datetime.now(dt.UTC),
            channel="letter",
            received_on=today,
            registered_by=officer,
            require_late_reason=False,
        )
        number = req.tracking_number
        session.commit()

    page = context.new_page()
    page.goto("/staff/login")
    page.get_by_label("电子邮箱").fill(live.people["officer"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"/staff/requests/{number}")

    reasons = page.locator("#action-request_reasons")
    reasons.locator("summary").click()
    reasons.get_by_label("明显超过合理范围的情形").fill("一个月内提出政府信息公开申请120件")
    reasons.get_by_label("说明理由的期限（工作日）").fill("10")
    screenshot(page, "30-agency-steps-reasons-form")
    reasons.get_by_role("button", name="要求说明理由", exact=True).click()
    assert page.locator("#status").inner_text() == "待说明理由"
    assert "政府信息公开申请说明理由告知书（PDF）" in page.locator("#documents").inner_text()
    screenshot(page, "31-agency-steps-awaiting-reasons")

    received = page.locator("#action-receive_reasons")
    received.locator("summary").click()
    received.get_by_label("申请人说明的理由（摘要）").fill("用于撰写执法规范化研究报告")
    received.get_by_role("button", name="收到申请人说明的理由", exact=True).click()
    assert page.locator("#status").inner_text() == "办理中"

    later = page.locator("#action-set_reply_period")
    later.locator("summary").click()
    later.get_by_label("延迟答复的合理期限（工作日）").fill("40")
    later.get_by_label("无法按期答复的原因").fill("需逐件调取120件档案并作保密审查")
    later.get_by_role("button", name="确定延迟答复的合理期限", exact=True).click()
    assert "政府信息公开申请延迟答复告知书（PDF）" in page.locator("#documents").inner_text()
    screenshot(page, "32-agency-steps-later-date")

    correct = page.locator("#action-correct_applicant")
    correct.locator("summary").click()
    assert correct.get_by_label("姓名或名称").input_value() == "李四"
    correct.get_by_label("申请人类型").select_option("commercial_enterprise")
    correct.get_by_label("姓名或名称").fill("某某科技有限公司")
    correct.get_by_label("证件类型").select_option("credit_code")
    correct.get_by_label("证件号码").fill("91350100M000100Y43")
    correct.get_by_label("更正依据").fill("收到加盖公章的纸质申请表")
    screenshot(page, "33-agency-steps-correct-applicant")
    correct.get_by_role("button", name="更正申请人信息", exact=True).click()
    assert "某某科技有限公司" in page.locator("main").inner_text()
    screenshot(page, "34-agency-steps-history")

    with live.app.app_context():
        req = db.session.query(Request).filter_by(tracking_number=number).one()
        assert (req.applicant_type, req.applicant_id_kind) == ("commercial_enterprise", "credit_code")
        assert [e.type for e in req.events][-4:] == [
            "reasons_requested",
            "reasons_received",
            "reply_period_set",
            "applicant_corrected",
        ]
