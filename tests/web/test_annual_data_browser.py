"""The annual report's own data as people enter it, in headless Chromium: an officer at the reception desk
taps the counter and logs an enquiry on a phone (390 px). Screenshots under artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Live, screenshot
from tests.web.test_browser import new_page, staff_login

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
