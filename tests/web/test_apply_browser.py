"""The application form on a phone (390 px), in a real browser: the answers already published that look
like the description appear right under the description while it is typed, not below the attachments off
the screen; the description counts its characters against the 5000-character limit as it is typed and
says by how many a text is over, cutting nothing (the server's check stays)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.conftest import citizen_body
from tests.web.conftest import Live, screenshot
from tests.web.test_browser import new_page
from webapp.domain.accounts import issue_token
from webapp.extensions import db
from webapp.models import User

pytestmark = pytest.mark.timeout(240)


def publish_an_answer(live: Live) -> None:
    client = live.app.test_client()
    with live.app.app_context():
        officer = db.session.query(User).filter_by(email=live.people["officer"]).one()
        headers = {
            "Authorization": f"Bearer {issue_token(db.session(), officer, now=dt.datetime.now(dt.UTC))}"
        }
        db.session.commit()
    body = citizen_body(description="申请公开2023年度城镇职工基本养老保险基金收支情况")
    tn = client.post("/api/v1/requests", json=body).json["tracking_number"]
    url = f"/api/v1/requests/{tn}/actions"
    assert client.post(url, json={"action": "accept"}, headers=headers).status_code == 200
    reply = {"action": "reply", "outcome": "disclosed", "published_where": "本局网站", "publish": True}
    assert client.post(url, json=reply, headers=headers).status_code == 200


def test_the_suggestion_is_under_the_description_and_the_description_counts_its_characters(
    browser: Any, live: Live
):
    publish_an_answer(live)
    page = new_page(browser, live, phone=True)
    page.goto("/apply")
    description = page.get_by_label("所需政府信息的描述")
    counter = page.locator("#description-count")
    assert counter.inner_text() == "已输入0字，上限5000字"
    description.click()
    page.keyboard.type("想了解本市职工养老保险基金的收支情况")
    assert counter.inner_text() == "已输入18字，上限5000字"
    suggestion = page.locator("#similar-answers")
    suggestion.wait_for(state="visible")
    assert "城镇职工基本养老保险基金收支情况" in suggestion.inner_text()
    # right under the description: between it and the next field, its heading on the screen while typing
    area, box = description.bounding_box(), suggestion.bounding_box()
    gap = box["y"] - (area["y"] + area["height"])
    assert 0 <= gap < 80, gap
    heading = suggestion.get_by_role("heading").bounding_box()
    assert heading["y"] + heading["height"] <= page.viewport_size["height"], (heading, area)
    number = page.get_by_label("文号（如知道）").bounding_box()
    assert box["y"] + box["height"] <= number["y"]
    screenshot(page, "apply-suggestion")

    # over the limit: said beside the field, nothing cut
    description.fill("字" * 5003)
    assert counter.inner_text() == "已输入5003字，超过上限5000字，请删减3字"
    assert len(description.input_value()) == 5003
    counter.scroll_into_view_if_needed()
    screenshot(page, "apply-counter-over")
    page.context.close()
