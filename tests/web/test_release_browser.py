"""Released information in the browser (docs/rules.md §Released information, §Redaction, §Delivery), in
headless Chromium against the app served over HTTP: a citizen applies online; the officer redacts a PDF
on the redaction step, replies with a partial disclosure releasing the redacted copy; the citizen
downloads it from the tracking page, and the download holds none of the marked passages. An officer
records a posting and a collection. Screenshots of the redaction step, the reply form and the tracking
page with its downloads go to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.factories import VALID_RESIDENT_ID, pdf_text, sample_pdf
from tests.web.conftest import Live, screenshot
from tests.web.test_browser import action, fill_applicant, new_page, staff_login, stored
from webapp.domain.requests import Applicant, act, submit
from webapp.extensions import db
from webapp.models import User

pytestmark = pytest.mark.timeout(240)

MARKED = ["张三", "Secret Project Alpha", "110105194912310021", "13812345678", "zhangsan@example.cn"]


def test_citizen_receives_a_partial_disclosure_with_a_redacted_pdf(browser: Any, live: Live, tmp_path: Path):
    citizen = new_page(browser, live, phone=True)
    citizen.goto("/apply")
    fill_applicant(citizen, name="王五")
    citizen.get_by_label("网上获取").check()
    citizen.get_by_role("button", name="提交申请").click()
    tracking_number = citizen.locator("#tracking-number").inner_text()
    code = citizen.locator("#access-code").inner_text()

    officer = new_page(browser, live)
    staff_login(officer, live, "officer")
    officer.goto(f"/staff/requests/{tracking_number}")
    action(officer, "受理").get_by_role("button", name="受理").click()
    original = sample_pdf()
    officer.set_input_files(
        "#attachments", files=[{"name": "项目批复.pdf", "mimeType": "application/pdf", "buffer": original}]
    )
    officer.locator("#files").get_by_role("button", name="上传", exact=True).click()
    officer.get_by_role("link", name="删除处理后公开").click()

    # The redaction step: the PDF's text, the personal data the product found (all ticked), passages typed.
    assert "联系人：张三，身份证号110105194912310021" in officer.locator(".pdf-text").inner_text()
    found = officer.locator("#found input[type=checkbox]")
    assert found.count() == 3 and all(found.nth(i).is_checked() for i in range(3))
    officer.get_by_label("其他需要删除的内容").fill("张三\nSecret Project Alpha")
    screenshot(officer, "release-01-redaction-step")
    officer.get_by_role("button", name="生成删除处理后的文件").click()
    assert "删除5处" in officer.locator(".flashes").inner_text()
    assert "项目批复（删除处理）.pdf" in officer.locator("#release-files").inner_text()

    # The reply form: the outcome, the file to release, each part withheld and why.
    form = action(officer, "答复")
    form.get_by_label("答复结果").select_option("partially_disclosed")
    form.get_by_label("项目批复（删除处理）.pdf").check()
    form.locator("#reply-withheld-0-part").fill("联系人的姓名、身份证号码、电话和邮箱")
    form.locator("#reply-withheld-0-basis").select_option("withheld_third_party")
    form.locator("#reply-withheld-1-part").fill("未立项项目的名称")
    form.locator("#reply-withheld-1-basis").select_option("withheld_deliberative")
    screenshot(officer, "release-02-reply-form")
    form.get_by_role("button", name="答复").click()
    assert officer.locator("#status").inner_text() == "已办结"
    assert "已于" in officer.locator("#delivery").inner_text()  # online: on the tracking page from today

    # The citizen's tracking page: the download, the letter listing the file and the parts withheld.
    citizen.goto("/track")
    citizen.get_by_label("申请编号").fill(tracking_number)
    citizen.get_by_label("查询码").fill(code)
    citizen.get_by_role("button", name="查询").click()
    released = citizen.locator("#released")
    assert "项目批复（删除处理）.pdf" in released.inner_text() and "1页" in released.inner_text()
    screenshot(citizen, "release-03-tracking-downloads")
    with citizen.expect_download() as caught:
        released.get_by_role("link", name="下载").click()
    saved = tmp_path / "downloaded.pdf"
    caught.value.save_as(saved)
    text = pdf_text(saved.read_bytes())
    assert not any("".join(m.split()) in text for m in MARKED)
    assert "联系人" in text and "其余内容保持不变" in text
    letter = citizen.locator("#documents details").last
    letter.locator("summary").click()
    body = letter.inner_text()
    assert "项目批复（删除处理）.pdf（1页）" in body
    assert "未立项项目的名称：属于四类过程性信息" in body
    assert stored(live, tracking_number).outcome == "partially_disclosed"
    citizen.context.close()
    officer.context.close()


def test_an_officer_records_a_posting_and_a_collection(browser: Any, live: Live):
    now = dt.datetime.now(dt.UTC)
    numbers = {}
    with live.app.app_context():
        session = db.session()
        officer = session.query(User).filter_by(email=live.people["officer"]).one()
        for delivery in ("post", "pickup"):
            req, _ = submit(
                session,
                agency=officer.agencies[0],
                applicant=Applicant(
                    type="natural_person",
                    name="赵六",
                    id_number=VALID_RESIDENT_ID,
                    phone="13900000000",
                    address="白城市某路1号",
                ),
                description="申请公开本局2025年度部门决算",
                delivery=delivery,
                now=now,
            )
            act(session, req, "reply", officer, now=now, outcome="not_exist")
            numbers[delivery] = req.tracking_number
        session.commit()
        db.session.remove()

    page = new_page(browser, live)
    staff_login(page, live, "officer")
    page.goto(f"/staff/requests/{numbers['post']}")
    assert page.locator("#delivery").inner_text() == "尚未送达"
    assert "登记领取" not in page.locator("details.action > summary").all_inner_texts()
    form = action(page, "登记邮寄")
    form.get_by_label("寄递企业").fill("中国邮政EMS")
    form.get_by_label("运单号").fill("1151234567890")
    screenshot(page, "release-04-record-posting")
    form.get_by_role("button", name="登记邮寄").click()
    assert "邮寄" in page.locator("#delivery").inner_text()
    assert "中国邮政EMS，运单号1151234567890" in page.locator("#delivery").inner_text()
    assert "邮寄送达" in page.locator("#history").inner_text()

    page.goto(f"/staff/requests/{numbers['pickup']}")
    form = action(page, "登记领取")
    form.get_by_label("领取人").fill("赵六")
    form.get_by_role("button", name="登记领取").click()
    assert "领取人：赵六" in page.locator("#delivery").inner_text()
    assert "当面领取" in page.locator("#history").inner_text()
    page.context.close()
