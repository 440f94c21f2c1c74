"""忘记查询码？ on the pages: linked from the tracking page; the same message whatever the number, the code
never on a page; the new code opens the request on the tracking form and the old one no longer does, in
this browser too."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People
from tests.web.conftest import post
from tests.web.test_citizen import application
from webapp.models import OutboxMessage


def sent_message(client: FlaskClient, number: str, contact: str = "") -> tuple[int, str]:
    r = post(client, "/track/lost-code", {"tracking_number": number, "contact": contact})
    assert r.status_code == 302 and r.headers["Location"] == "/track"
    page = client.get("/track").get_data(as_text=True)
    return r.status_code, re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page)  # timestamped


def test_a_lost_code_is_sent_again_with_the_same_message_for_any_number(
    client: FlaskClient, people: People, session: Any
):
    assert 'href="/track/lost-code"' in client.get("/track").get_data(as_text=True)
    assert "忘记查询码？" in client.get("/track").get_data(as_text=True)
    r = post(client, "/apply", application())
    assert r.status_code == 302
    receipt = client.get(r.headers["Location"]).get_data(as_text=True)
    number = receipt.split('id="tracking-number">')[1].split("<")[0].strip()
    old = receipt.split('id="access-code">')[1].split("<")[0].strip()
    assert client.get(f"/track/{number}").status_code == 200  # this browser opened it by submitting

    known = sent_message(client, number)
    (row,) = session.execute(
        select(OutboxMessage).where(OutboxMessage.delivery_key.like(f"access_code:{number}:%:email"))
    ).scalars()
    new = str(row.payload["code"])
    assert new not in known[1] and old not in known[1]
    assert "原查询码随即失效" in known[1]
    assert sent_message(client, "CITYHR-2099-999999") == known
    assert sent_message(client, number, "someone@example.cn") == known  # not the contact on file
    # the browser that had opened it with the old code has lost it
    assert client.get(f"/track/{number}").status_code == 302
    assert post(client, "/track", {"tracking_number": number, "access_code": old}).status_code == 422
    opened = post(client, "/track", {"tracking_number": number, "access_code": new.lower()})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/track/{number}"


def test_a_contact_that_is_not_one_is_said_beside_it(client: FlaskClient, people: People):
    r = post(client, "/track/lost-code", {"tracking_number": "CITYHR-2099-1", "contact": "12345"})
    assert r.status_code == 422
    assert "请填写11位手机号码" in r.get_data(as_text=True)
    r = post(client, "/track/lost-code", {"tracking_number": "", "contact": ""})
    assert r.status_code == 422 and 'id="tracking_number-error"' in r.get_data(as_text=True)
    # both wrong: both said at once
    both = post(client, "/track/lost-code", {"tracking_number": "", "contact": "12345"})
    html = both.get_data(as_text=True)
    assert 'id="tracking_number-error"' in html and 'id="contact-error"' in html
