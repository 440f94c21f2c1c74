"""The Content-Security-Policy as Chromium applies it: every main page of the citizens, the staff, the
heads and the administrators loads with its script and styles working and not one policy violation
(`securitypolicyviolation` events and console reports are recorded on every page). And the login lockout
message as a user sees it (artifacts/screenshots/30-login-locked-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import PASSWORD
from tests.web.conftest import DESKTOP, Live, screenshot
from tests.web.test_browser import fill_applicant, staff_login

pytestmark = pytest.mark.timeout(240)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


class Watched:
    """A page whose CSP violations (events and console reports) are collected on every navigation."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.seen: list[str] = []

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def visit(self, path: str, *, styled: bool = True) -> Any:
        self.page.goto(path)
        self.page.wait_for_load_state("load")
        self.check(styled=styled)
        return self.page

    def check(self, *, styled: bool = True) -> None:
        url = self.page.url
        self.seen.append(url)
        events = self.page.evaluate("window.__csp || []")
        assert events == [], (url, events)
        assert self.console == [], (url, self.console)
        if not styled:
            return
        # Our own stylesheet applies: the header is coloured.
        colour = self.page.evaluate(
            "getComputedStyle(document.querySelector('.site-header') || document.body).backgroundColor"
        )
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), (url, colour)


@pytest.fixture
def context(browser: Any, live: Live) -> Iterator[Any]:
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live.url)
    ctx.set_default_timeout(15_000)
    ctx.add_init_script(RECORD_VIOLATIONS)
    try:
        yield ctx
    finally:
        ctx.close()


def test_every_main_page_loads_without_a_policy_violation(context: Any, browser: Any, live: Live):
    citizen = Watched(context)
    for path in ("/", "/apply", "/track", "/staff/login"):
        citizen.visit(path)
    citizen.visit("/no-such-page", styled=False)  # werkzeug's own page: no stylesheet
    # The watcher does see a violation: an inline script slipped into the page is refused and reported.
    page = citizen.visit("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert "script-src" in page.evaluate("window.__csp[0]")
    citizen.console.clear()
    page = citizen.visit("/apply")
    fill_applicant(page, name="赵六")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("load")
    citizen.check()
    assert "/apply/receipt" in page.url
    tracking_number = page.locator("#tracking-number").inner_text().strip()
    assert page.get_by_role("button", name="打印回执").is_visible()  # app.js ran
    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_load_state("load")
    citizen.check()
    assert tracking_number in page.url

    staff_context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live.url)
    staff_context.add_init_script(RECORD_VIOLATIONS)
    try:
        for role, paths in (
            ("officer", ["/staff/queue", "/staff/requests", "/staff/register", "/staff/mail"]),
            ("head", ["/staff/approvals", "/staff/reports"]),
            ("admin", ["/admin/", "/admin/agencies", "/admin/users", "/admin/tokens", "/admin/calendar"]),
        ):
            staff = Watched(staff_context)
            staff_login(staff.page, live, role)
            staff.check()
            for path in paths:
                staff.visit(path)
            if role == "officer":
                staff.visit(f"/staff/requests/{tracking_number}")
            if role == "head":
                # The report with its SVG charts; the print button is shown by app.js.
                assert staff.page.locator(".report svg").count() >= 1
                assert staff.page.locator("[data-print]").first.is_visible()
            staff.page.get_by_role("button", name="退出登录").click()
            staff.page.wait_for_load_state("load")
            staff.check()
            staff.page.close()
    finally:
        staff_context.close()


def test_a_locked_account_says_when_to_try_again(context: Any, live: Live):
    page = Watched(context).page
    page.goto("/staff/login")
    for _ in range(5):
        page.get_by_label("电子邮箱").fill(live.people["stranger"])
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("load")
    summary = page.locator(".error-summary")
    assert "该账号已暂时锁定" in summary.inner_text()
    assert "北京时间" in summary.inner_text()
    screenshot(page, "30-login-locked")
    # The right password does not open it now either.
    page.get_by_label("电子邮箱").fill(live.people["stranger"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    assert "/staff/login" in page.url
