"""Two-factor sign-in in headless Chromium against the app served over HTTP, with STAFF_2FA at its
default (`admins`): an administrator logs in, is sent to enrolment, scans the QR code (zbarimg reads it
off the page: the secret in it is the one shown for manual entry), computes the code as an authenticator
app would, confirms, keeps the recovery codes, logs out, logs in with a code, then with a recovery code.
Screenshots of the enrolment, recovery-code, code and account pages at phone and desktop widths go to
artifacts/screenshots/."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import PASSWORD
from tests.web.conftest import DESKTOP, Live, screenshot
from webapp.domain import totp

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def admins_must_enrol(live: Live) -> Iterator[Live]:
    before = live.app.config["STAFF_2FA"]
    live.app.config["STAFF_2FA"] = "admins"
    try:
        yield live
    finally:
        live.app.config["STAFF_2FA"] = before


def scan(png: bytes) -> str:
    """What a QR code reader reads off the picture (zbarimg, Debian's zbar-tools, as .ci/run installs)."""
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is not installed (apt-get install zbar-tools)")
    out = subprocess.run(["zbarimg", "--raw", "-q", "-"], input=png, capture_output=True, check=True)
    text = out.stdout.decode().strip()
    assert text.startswith("otpauth://totp/"), text
    return text


def log_in_with_password(page: Any, live: Live) -> None:
    page.goto("/staff/login")
    page.get_by_label("电子邮箱").fill(live.people["admin"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出登录", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/login$"))


def test_an_administrator_enrols_and_logs_in_with_a_code_then_a_recovery_code(
    browser: Any, admins_must_enrol: Live
):
    live = admins_must_enrol
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in_with_password(page, live)
        page.wait_for_url(re.compile(r"/staff/account/two-factor$"))
        assert page.get_by_text("您的账号须使用两步验证").is_visible()
        # every other page sends the administrator back here
        page.goto("/admin/users")
        page.wait_for_url(re.compile(r"/staff/account/two-factor$"))

        qr = page.get_by_role("img", name=re.compile("二维码"))
        assert qr.is_visible()
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 150  # big enough for a phone's camera
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the picture is drawn
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        # scan the QR code as a phone's camera would: it holds the otpauth:// URI of the same secret
        scanned = parse_qs(urlsplit(scan(qr.screenshot())).query)
        assert scanned["secret"] == [secret]
        assert (scanned["digits"], scanned["period"], scanned["algorithm"]) == (["6"], ["30"], ["SHA1"])
        screenshot(page, "2fa-01-enrol")

        page.get_by_label(re.compile(r"^验证码")).fill(totp.code_at(secret, time.time()))
        page.get_by_role("button", name="确认并启用").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="恢复码").is_visible()
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        screenshot(page, "2fa-02-recovery-codes")
        page.get_by_role("link", name="我已保存恢复码，继续").click()
        page.wait_for_url(re.compile(r"/staff/queue$"))
        page.goto("/admin/users")
        assert page.get_by_role("heading", name="用户", exact=True).is_visible()
        page.goto("/staff/account")
        assert page.get_by_text("未使用的恢复码：10 个。").is_visible()
        screenshot(page, "2fa-03-account")
        log_out(page)

        # with a code (of the next period: the one that confirmed the enrolment cannot serve again)
        log_in_with_password(page, live)
        page.wait_for_url(re.compile(r"/staff/login/code$"))
        screenshot(page, "2fa-04-code")
        page.goto("/staff/queue")  # half logged in: nothing opens yet
        page.wait_for_url(re.compile(r"/staff/login\?"))
        page.goto("/staff/login/code")
        page.get_by_label("验证码或恢复码").fill(totp.code_at(secret, time.time() + 30))
        page.get_by_role("button", name="验证并登录").click()
        page.wait_for_url(re.compile(r"/staff/queue$"))
        page.goto("/admin/")
        assert page.get_by_role("heading", name="系统管理").is_visible()
        log_out(page)

        # with a recovery code, typed as people do (lower case, spaces)
        log_in_with_password(page, live)
        page.wait_for_url(re.compile(r"/staff/login/code$"))
        page.get_by_label("验证码或恢复码").fill(codes[0].lower().replace("-", " "))
        page.get_by_role("button", name="验证并登录").click()
        page.wait_for_url(re.compile(r"/staff/queue$"))
        assert page.get_by_text("您使用了一个恢复码，还剩 9 个").is_visible()
        # the agency's administrator requires it of the agency's officers and heads
        page.goto("/admin/agencies/CITYHR")
        page.get_by_label("要求本机关的经办人和负责人使用两步验证").check()
        page.locator("#two-factor").get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert page.get_by_text("已要求本机关的经办人和负责人使用两步验证。").is_visible()
        page.locator("#two-factor").scroll_into_view_if_needed()
        screenshot(page, "2fa-06-agency-requirement")
        log_out(page)

        # the same recovery code again: refused
        log_in_with_password(page, live)
        page.get_by_label("验证码或恢复码").fill(codes[0])
        page.get_by_role("button", name="验证并登录").click()
        page.wait_for_load_state()
        assert "/staff/login/code" in page.url
        assert page.locator("#code-error").get_by_text("验证码不正确或已使用过").is_visible()
        screenshot(page, "2fa-05-code-refused")
    finally:
        context.close()
