"""A notice that no e-mail carried, for a request whose answer goes by post (docs/rules.md §Undelivered
notices): the request page says what happened — the e-mail failed or was not sent, an SMS sent or not —
and the officer records the notice's posting (or collection); then it is no longer flagged, the history
says which notice went under which number, and the answer's own delivery is still to be recorded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import update

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_request_page_notices import letter
from webapp.domain.accounts import issue_token
from webapp.domain.release import delivery_of
from webapp.domain.sms import SMS_KIND
from webapp.models import OutboxMessage, Request


def relayed(session: Any, req: Request, *, email: str, sms: str) -> None:
    """As the relays leave the rows: the e-mail `none` (no address) or `failed`, the SMS `sent` or `none`."""
    now = dt.datetime.now(dt.UTC)
    mail = {"sent_at": now, "delivered_via": "none"}
    if email == "failed":
        mail = {"failed_at": now, "last_error": "550 mailbox unavailable"}
    text = {"sent_at": now, "delivered_via": "smsdrop" if sms == "sent" else "none"}
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice")
        .values(**mail)
    )
    for row in session.query(OutboxMessage).filter_by(request_id=req.id, kind=SMS_KIND):
        row.sent_at, row.delivered_via = text["sent_at"], text["delivered_via"]
        if sms == "sent":
            row.payload = {**row.payload, "to": "13900000000"}
    session.commit()


def banner(html: str) -> str:
    found = re.search(r'<div class="callout callout-warning" id="undelivered".*?</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(0)) if found else ""


def test_a_posted_notice_clears_its_banner_and_the_banner_says_an_sms_was_sent(
    client: FlaskClient, people: People, session: Any
):
    req = letter(session, people, "申请公开示范路改造工程的立项批复", email=None)
    relayed(session, req, email="none", sms="sent")
    login(client, people.officer)
    page = f"/staff/requests/{req.tracking_number}"
    html = client.get(page).get_data(as_text=True)
    said = banner(html)
    assert "受理回执" in said and "未发电子邮件" in said and "已发短信至13900000000" in said
    assert "只显示在查询页" not in said
    # the officer records the posting of that notice, chosen by name
    assert re.search(r'<option value="1">受理回执（', html)
    done = post(
        client,
        f"{page}/actions/record_posting",
        {
            "record_posting-version": str(req.version),
            "record_posting-notice": "1",
            "record_posting-carrier": "中国邮政EMS",
            "record_posting-tracking_code": "XA123456789CN",
        },
    )
    assert done.status_code == 302, banner(done.get_data(as_text=True))
    html = client.get(page).get_data(as_text=True)
    assert 'id="undelivered"' not in html
    assert "受理回执：中国邮政EMS，运单号XA123456789CN" in html  # the history says which notice
    session.refresh(req)
    assert not delivery_of(req).delivered  # the answer's own delivery is still to come
    # the same notice twice: refused with the reason
    again = post(
        client,
        f"{page}/actions/record_posting",
        {
            "record_posting-version": str(req.version),
            "record_posting-notice": "1",
            "record_posting-carrier": "中国邮政EMS",
            "record_posting-tracking_code": "XA2",
        },
    )
    assert again.status_code == 409 and "该通知已登记送达" in again.get_data(as_text=True)


def test_the_banner_says_what_happened_to_each_notice(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    silent = letter(session, people, "申请公开示范路改造工程的立项批复", email=None, phone=None)
    relayed(session, silent, email="none", sms="none")
    said = banner(client.get(f"/staff/requests/{silent.tracking_number}").get_data(as_text=True))
    assert "未发电子邮件" in said and "未发短信" in said and "已发短信" not in said
    failed = letter(session, people, "申请公开示范路改造工程的环评报告")
    relayed(session, failed, email="failed", sms="sent")
    said = banner(client.get(f"/staff/requests/{failed.tracking_number}").get_data(as_text=True))
    assert "电子邮件发送失败（550 mailbox unavailable）" in said and "已发短信至13900000000" in said


def test_the_api_records_a_notices_posting_and_the_answers_apart(
    client: FlaskClient, people: People, session
):
    req = letter(session, people, "申请公开示范路改造工程的立项批复", email=None)
    login(client, people.officer)
    headers = {"Authorization": f"Bearer {issue_token(session, people.officer, now=dt.datetime.now(dt.UTC))}"}
    session.commit()
    url = f"/api/v1/requests/{req.tracking_number}/actions"
    posting = {"action": "record_posting", "carrier": "EMS", "tracking_code": "1"}
    # open, no notice named: there is no answer yet
    r = client.post(url, json=posting, headers=headers)
    assert r.status_code == 409 and "notice" in r.json["error"]["fields"]
    r = client.post(url, json={**posting, "notice": 99}, headers=headers)
    assert r.status_code == 422 and "notice" in r.json["error"]["fields"]
    assert client.post(url, json={**posting, "notice": 1}, headers=headers).status_code == 200
    r = client.post(url, json={**posting, "notice": 1}, headers=headers)
    assert r.status_code == 409 and r.json["error"]["fields"]["notice"] == "该通知已登记送达"
    assert client.post(url, json={"action": "accept"}, headers=headers).status_code == 200
    r = client.post(url, json={"action": "reply", "outcome": "not_exist"}, headers=headers)
    assert r.status_code == 200, r.json
    view = client.get(f"/api/v1/requests/{req.tracking_number}", headers=headers).json
    assert view["delivery"]["delivered"] is False  # the receipt's posting is not the answer's
    assert client.post(url, json={**posting, "tracking_code": "2"}, headers=headers).status_code == 200
    view = client.get(f"/api/v1/requests/{req.tracking_number}", headers=headers).json
    assert view["delivery"]["delivered"] is True and view["delivery"]["detail"] == "EMS，运单号2"
