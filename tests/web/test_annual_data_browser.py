"""The annual report's own data as people enter it, in headless Chromium: an officer at the reception desk
taps the counter and logs an enquiry on a phone (390 px). Screenshots under artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import applicant
from tests.web.conftest import Live, screenshot
from tests.web.test_browser import new_page, staff_login
from webapp.domain.calendar import china_today
from webapp.domain.requests import submit
from webapp.extensions import db
from webapp.models import Agency, User

pytestmark = pytest.mark.timeout(240)


def test_an_officer_logs_enquiries_on_a_phone(browser: Any, live: Live):
    page = new_page(browser, live, phone=True)
    staff_login(page, live, "officer")
    page.goto("/staff/enquiries")
    assert page.locator("#tally-phone .tally-count").inner_text() == "0"
    for _ in range(3):
        page.locator("#tally-phone").click()
        page.wait_for_load_state()
    page.locator("#tally-in_person").click()
    page.wait_for_load_state()
    assert page.locator("#tally-phone .tally-count").inner_text() == "3"
    assert page.locator("#tally-in_person .tally-count").inner_text() == "1"
    assert "今天共1人次" in page.locator(".flashes").inner_text()
    # The three buttons side by side, each at least a thumb wide, nothing wider than the phone.
    boxes = [page.locator(f"#tally-{c}").bounding_box() for c in ("online", "in_person", "phone")]
    assert all(b is not None and b["width"] >= 100 and b["height"] >= 90 for b in boxes)
    assert len({round(b["y"]) for b in boxes if b}) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    form = page.locator("form", has=page.get_by_role("button", name="登记", exact=True))
    form.get_by_label("咨询电话").check()
    form.get_by_label("咨询事项").fill("灵活就业人员养老保险缴费基数")
    form.get_by_label("已转办").check()
    form.get_by_label("提供了服务类信息（办事指南、办理地点、所需材料等）").check()
    form.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_load_state()
    assert "已登记一条咨询电话" in page.locator(".flashes").inner_text()
    assert page.locator("#tally-phone .tally-count").inner_text() == "4"
    recent = page.locator("table.rows").inner_text()
    assert "灵活就业人员养老保险缴费基数" in recent and "已转办" in recent
    screenshot(page, "40-enquiries")
    page.context.close()


def test_a_head_enters_the_years_figures_and_imports_a_file(browser: Any, live: Live, tmp_path: Any):
    page = new_page(browser, live, phone=True)
    staff_login(page, live, "head")
    page.goto("/staff/reports")
    page.get_by_role("link", name="年度数据填报").click()
    page.wait_for_load_state()
    year = int(page.locator("#year").input_value())
    values = {
        "规章·本年制发件数": "2",
        "规章·本年废止件数": "1",
        "规章·现行有效件数": "14",
        "行政规范性文件·本年制发件数": "9",
        "行政规范性文件·本年废止件数": "3",
        "行政规范性文件·现行有效件数": "61",
        "行政许可·本年处理决定数量": "1520",
        "行政处罚·本年处理决定数量": "37",
        "行政强制·本年处理决定数量": "4",
        "行政事业性收费·本年收费金额（单位：万元）": "12.5",
    }
    groups = page.locator("fieldset.figure-group")
    for label, value in values.items():
        group_name, figure = label.split("·")
        groups.filter(has_text=group_name).get_by_label(figure, exact=True).fill(value)
    annex = groups.filter(has_text="附表一")
    annex.get_by_label("主动公开信息数").fill("635")
    annex.get_by_label("其中:政务动态信息").fill("350")
    annex.get_by_label("其它类信息").fill("284")  # does not add up
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert "应等于政务动态信息与其它类信息之和" in page.locator(".error-summary").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    annex = page.locator("fieldset.figure-group").filter(has_text="附表一")
    annex.get_by_label("其它类信息").fill("285")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert "已保存" in page.locator(".flashes").inner_text()
    screenshot(page, "41-annual-figures")

    # Last year's file, one line wrong, then right.
    header = "机关代码,年度,附表一·主动公开信息数,附表一·其中:政务动态信息,附表一·其它类信息,行政许可·本年处理决定数量"  # noqa: E501
    bad = tmp_path / "figures.csv"
    bad.write_text(f"{header}\nCITYHR,{year - 1},600,300,300,\nCITYHR,{year - 1},1,1,1,\n", encoding="utf-8")
    page.locator("#f-file").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    problems = page.locator(".import-problems").inner_text()
    assert "第3行" in problems
    screenshot(page, "42-figures-import-problems")
    page.go_back()
    good = tmp_path / "figures-good.csv"
    good.write_text(f"{header}\nCITYHR,{year - 1},600,300,300,\n", encoding="utf-8")
    page.locator("#f-file").set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    assert "将要保存的数据" in page.content()
    page.get_by_role("button", name="确认导入1行").click()
    page.wait_for_load_state()
    assert "已导入1行" in page.locator(".flashes").inner_text()
    page.goto(f"/staff/reports/figures?agency=CITYHR&year={year}")
    assert "上年：600" in page.content()
    page.context.close()


def test_an_officer_records_a_review_on_the_requests_page(browser: Any, live: Live):
    with live.app.app_context():
        session = db.session()
        agency = session.execute(select(Agency).where(Agency.code == "CITYHR")).scalar_one()
        officer = session.execute(select(User).where(User.email == live.people["officer"])).scalar_one()
        moment = dt.datetime.now(dt.UTC)
        req, _ = submit(
            session,
            agency=agency,
            applicant=applicant(),
            description="申请公开某项目的环评审批材料",
            delivery="email",
            now=moment,
            channel="letter",
            received_on=china_today(moment),
            registered_by=officer,
            require_late_reason=False,
        )
        number = req.tracking_number
        session.commit()
        db.session.remove()
    page = new_page(browser, live, phone=True)
    staff_login(page, live, "officer")
    page.goto(f"/staff/requests/{number}")
    page.get_by_role("link", name="查看和记录本申请的行政复议、行政诉讼").click()
    page.wait_for_load_state()
    form = page.locator("form", has=page.get_by_role("button", name="记录", exact=True))
    form.get_by_label("行政复议").check()
    form.get_by_label("申请复议或起诉之日").fill(china_today(dt.datetime.now(dt.UTC)).isoformat())
    form.get_by_label("复议机关或法院").fill("示范市人民政府")
    form.get_by_label("尚未审结").check()
    form.get_by_role("button", name="记录", exact=True).click()
    page.wait_for_load_state()
    card = page.locator(".card").first
    assert "示范市人民政府" in card.inner_text() and "尚未审结" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "43-appeals")
    page.context.close()
