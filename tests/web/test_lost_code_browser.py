"""In headless Chromium at a phone's width: 忘记查询码？ from the tracking page, the same message for any
number, the new code never on the page (screenshots 44–45)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import PHONE, Live, screenshot

pytestmark = pytest.mark.timeout(120)


def test_a_lost_code_asked_for_from_the_tracking_page(browser: Any, live: Live):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    try:
        page = ctx.new_page()
        page.goto("/track")
        page.get_by_role("link", name="忘记查询码？").click()
        page.wait_for_url("**/track/lost-code")
        screenshot(page, "44-lost-code")
        page.get_by_label("申请编号").fill("CITYHR-2099-000001")
        page.get_by_label("申请时填写的电子邮箱或手机号码（选填）").fill("12345")
        page.get_by_role("button", name="发送新的查询码").click()
        assert "请填写11位手机号码" in page.locator("#contact-error").inner_text()
        page.get_by_label("申请时填写的电子邮箱或手机号码（选填）").fill("")
        page.get_by_role("button", name="发送新的查询码").click()
        page.wait_for_url("**/track")
        assert "原查询码随即失效" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "45-lost-code-sent")
    finally:
        ctx.close()
