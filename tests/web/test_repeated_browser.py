"""多人申请的信息（第四十四条） in the browser (docs/rules.md §Information many ask for): three applicants —
two of them named 张三, with different identity numbers — ask for the same information; the page proposes them
together, the officer makes the group, the head records the decision to publish it proactively, and the
list shows three applicants and the decision. Screenshots (phone and desktop) to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.conftest import Live, screenshot
from tests.web.test_browser import new_page, staff_login
from webapp.domain.identity import resident_id_check_digit

pytestmark = pytest.mark.timeout(240)

ASKED = [
    ("张三", "11010519800101001", "申请公开本年度最低工资标准调整的测算依据和听证材料"),
    ("张三", "11010519800101002", "请公开今年最低工资标准调整的测算依据及听证材料"),
    ("李四", "44030519850303003", "申请公开本年度最低工资标准调整的测算依据"),
]


def test_the_same_information_asked_by_three_is_grouped_and_decided(browser: Any, live: Live) -> None:
    client = live.app.test_client()
    for i, (name, first17, description) in enumerate(ASKED):
        number = first17 + resident_id_check_digit(first17)
        person = {"name": name, "id_number": number, "email": f"asker{i}@example.cn"}
        body = {
            "agency": "CITYHR",
            "applicant": {"type": "natural_person", **person},
            "description": description,
            "delivery": "email",
        }
        assert client.post("/api/v1/requests", json=body).status_code == 201

    officer = new_page(browser, live)
    staff_login(officer, live, "officer")
    officer.goto("/staff/agencies/CITYHR/repeated-requests")
    screenshot(officer, "art44-proposals")
    officer.get_by_label("信息名称").fill("最低工资标准调整的测算依据")
    officer.get_by_role("button", name="归为同一信息").click()
    card = officer.locator(".card").first
    assert "3人" in card.inner_text()
    officer.locator(".card a.code").first.click()
    assert "本申请已归入" in officer.locator("#info-group").inner_text()
    officer.locator("#info-group").scroll_into_view_if_needed()
    screenshot(officer, "art44-request-panel")
    officer.context.close()

    head = new_page(browser, live)
    staff_login(head, live, "head")
    head.goto("/staff/agencies/CITYHR/repeated-requests")
    head.get_by_text("作出决定").click()
    head.get_by_label("纳入主动公开", exact=True).check()
    head.get_by_label("公开的位置").fill("人社局门户网站“工资收入”栏目")
    head.get_by_label("公开日期").fill(dt.date.today().isoformat())
    head.get_by_role("button", name="记录决定").click()
    text = head.locator(".card").first.inner_text()
    assert "人社局门户网站“工资收入”栏目" in text and "陈主任" in text
    screenshot(head, "art44-repeated-requests")
    head.context.close()
