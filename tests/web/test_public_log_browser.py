"""The public log in the browser (docs/rules.md §The public log): an officer replies with a partial
disclosure and publishes it; the entry is in the public log without any personal field of the applicant;
a new citizen describing a similar request is shown it before submitting. Screenshots (phone) of the
public log, an entry and the suggestion go to artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Live, screenshot
from tests.web.test_browser import action, new_page, staff_login

pytestmark = pytest.mark.timeout(240)

PERSON = {
    "name": "欧阳明远",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "email": "mingyuan.ouyang@example.cn",
    "address": "吉林省白城市洮北区海明路18号3栋2单元501室",
}
DESCRIPTION = (
    "本人欧阳明远，电话13912345678，申请公开2023年度城镇职工基本养老保险基金收支情况及结余资金的投资运营情况"
)


def test_an_officer_publishes_a_partial_disclosure_and_the_next_citizen_sees_it(browser: Any, live: Live):
    body = {
        "agency": "CITYHR",
        "applicant": {"type": "natural_person", **PERSON},
        "description": DESCRIPTION,
        "delivery": "email",
    }
    r = live.app.test_client().post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.json
    tracking_number = r.json["tracking_number"]

    officer = new_page(browser, live)
    staff_login(officer, live, "officer")
    officer.goto(f"/staff/requests/{tracking_number}")
    action(officer, "受理").get_by_role("button", name="受理").click()
    form = action(officer, "答复")
    form.get_by_label("答复结果").select_option("partially_disclosed")
    form.get_by_label("已主动公开信息的获取途径").fill("本局门户网站“财政资金”栏目")
    form.locator("#reply-withheld-0-part").fill("结余资金投资运营中涉及商业秘密的部分")
    form.locator("#reply-withheld-0-basis").select_option("withheld_third_party")
    form.get_by_label("在公开答复库中发布").check()
    screenshot(officer, "public-01-reply-publish")
    form.get_by_role("button", name="答复").click()
    assert officer.locator("#status").inner_text() == "已办结"
    officer.context.close()

    citizen = new_page(browser, live, phone=True)
    citizen.goto("/answers?q=养老保险")
    cards = citizen.locator(".answers li")
    assert cards.count() == 1
    assert "2023年度城镇职工基本养老保险基金收支情况" in cards.first.inner_text()
    screenshot(citizen, "public-02-log")
    cards.first.get_by_role("link").click()
    page = citizen.locator("main").inner_text()
    assert "部分公开" in page and "本局门户网站“财政资金”栏目" in page
    for value in [*PERSON.values(), tracking_number]:
        assert value not in citizen.content(), value
    screenshot(citizen, "public-03-entry")

    # Another citizen describing something similar is shown the published answer before submitting.
    citizen.goto("/apply")
    citizen.get_by_label("所需政府信息的描述").fill("想了解本市职工养老保险基金的收支和结余情况")
    suggestion = citizen.locator("#similar-answers")
    suggestion.wait_for(state="visible")
    assert "以下信息可能已经公开" in suggestion.inner_text()
    assert "城镇职工基本养老保险基金收支情况" in suggestion.inner_text()
    suggestion.scroll_into_view_if_needed()
    screenshot(citizen, "public-04-suggestion")
    citizen.context.close()
