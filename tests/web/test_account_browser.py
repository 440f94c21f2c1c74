"""A citizen's account in a real browser (Debian's Chromium, on a phone's width): sign in with the code from
the SMS sink, see an earlier request made with that number, claim another by number and access code, and
apply a third time with the details filled in (docs/rules.md §Citizens' accounts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.api.conftest import citizen_body
from tests.web.conftest import PHONE, Live, screenshot
from webapp.extensions import db
from workers.notices import RelaySettings
from workers.sms import SmsDropTransport, relay_sms_rows

MOBILE = "13911112222"


def submit(live: Live, **applicant: Any) -> dict[str, Any]:
    body = citizen_body(agency="CITYHR")
    body["applicant"] = body["applicant"] | applicant
    r = live.app.test_client().post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def code_from_the_sms_sink(live: Live, sink: Path) -> str:
    """Run the SMS relay once, as the worker would, and read the sign-in code off the sink."""
    with live.app.app_context():
        relay_sms_rows(db.session(), SmsDropTransport(sink), RelaySettings(), base_url=live.url, per_hour=10)
        db.session.remove()
    texts = [json.loads(p.read_text()) for p in sorted(sink.glob("citizen-code*.json"))]
    assert texts and texts[-1]["to"] == MOBILE
    return str(texts[-1]["params"]["code"])


def test_a_citizen_signs_in_claims_and_applies_again(browser: Any, live: Live, tmp_path: Path):
    mine = submit(live, name="李四", phone=MOBILE, email="lisi@example.cn")
    other = submit(live, name="李四", phone="13733334444", email="lisi.old@example.cn")
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url, is_mobile=True)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto("/")
    page.get_by_role("link", name="我的申请").click()
    assert page.get_by_role("heading", name="登录我的申请").is_visible()
    page.get_by_label("手机号码或电子邮箱").fill("139 1111 2222")
    page.get_by_role("button", name="获取验证码").click()
    assert "139****2222" in page.locator(".lead").inner_text()
    page.get_by_label("验证码").fill(
        "000000" if code_from_the_sms_sink(live, tmp_path) != "000000" else "111111"
    )
    page.get_by_role("button", name="登录").click()
    assert "验证码错误或已过期" in page.locator("#code-error").inner_text()
    page.get_by_label("验证码").fill(code_from_the_sms_sink(live, tmp_path))
    page.get_by_role("button", name="登录").click()

    assert page.get_by_role("heading", name="我的申请").is_visible()
    cards = page.locator(".request-cards li")
    assert cards.count() == 1 and mine["tracking_number"] in cards.first.inner_text()
    page.get_by_label("申请编号").fill(other["tracking_number"])
    page.get_by_label("查询码").fill(other["access_code"])
    page.get_by_role("button", name="加入").click()
    assert other["tracking_number"] in page.locator(".flash, .alert, body").first.inner_text()
    assert cards.count() == 2
    screenshot(page, "30-citizen-account")

    # One of them, opened from the list without its access code.
    page.get_by_role("link", name=mine["tracking_number"]).click()
    assert page.locator("#status").inner_text() == "已收到"
    page.go_back()

    page.get_by_role("link", name="提出新申请").click()
    assert page.get_by_label("姓名或名称").input_value() == "李四"
    assert page.get_by_label("联系电话").input_value() == "13733334444"  # the latest request's
    page.get_by_label("联系电话").fill(MOBILE)
    page.get_by_label("所需政府信息的描述").fill("申请公开2025年度本局政府信息公开工作年度报告的统计数据")
    page.get_by_role("button", name="提交申请").click()
    third = page.locator("#tracking-number").inner_text()
    page.goto("/account")
    assert cards.count() == 3 and third in cards.first.inner_text()

    # Signing out everywhere ends this browser's session too.
    page.get_by_role("button", name="在所有设备上退出").click()
    page.goto("/account")
    assert page.get_by_role("heading", name="登录我的申请").is_visible()
    ctx.close()
