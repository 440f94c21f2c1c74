"""The officer's request page: notices that did not reach the applicant, with what to do; possible
duplicates with a link; the receipt's PDF link (docs/rules.md §Undelivered notices, §Duplicates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.factories import People, applicant
from tests.web.conftest import login, post
from tests.web.test_citizen import application
from webapp.domain.calendar import china_today
from webapp.domain.notices import compose
from webapp.domain.requests import submit
from webapp.models import OutboxMessage, Request


def letter(session: Any, people: People, description: str, **who: Any) -> Request:
    moment = dt.datetime.now(dt.UTC)
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(**who),
        description=description,
        delivery="post",
        now=moment,
        channel="letter",
        received_on=china_today(moment),
        registered_by=people.officer,
        require_late_reason=False,
    )
    session.commit()
    return req


def test_an_undelivered_notice_shows_with_what_to_do(client: FlaskClient, people: People, session: Any):
    req = letter(session, people, "申请公开示范路改造工程的立项批复", email=None)
    now = dt.datetime.now(dt.UTC)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.request_id == req.id)
        .values(sent_at=now, delivered_via="none")
    )
    session.commit()
    login(client, people.officer)
    html = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert 'id="undelivered"' in html and "受理回执" in html
    assert "申请人没有电子邮箱" in html and "打印文书邮寄" in html and "13900000000" in html
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.request_id == req.id)
        .values(sent_at=None, delivered_via=None, failed_at=now, last_error="550 mailbox unavailable")
    )
    session.commit()
    html = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert "发送失败（550 mailbox unavailable）" in html and "重新发送" in html


def test_a_delivered_notice_is_not_flagged(client: FlaskClient, people: People, session: Any):
    req = letter(session, people, "申请公开示范路改造工程的立项批复")
    login(client, people.officer)
    assert 'id="undelivered"' not in client.get(f"/staff/requests/{req.tracking_number}").get_data(
        as_text=True
    )


def test_the_digest_says_what_to_do(session: Any, people: People):
    msg = OutboxMessage(
        kind="staff",
        delivery_key="digest:test",
        payload={
            "notice": "digest",
            "agency_id": people.agency.id,
            "agency_name": people.agency.name,
            "date": "2026-12-04",
            "overdue": [],
            "due_soon": [],
            "failed_notices": 1,
            "undelivered_notices": 2,
        },
        created_at=dt.datetime.now(dt.UTC),
        next_attempt_at=dt.datetime.now(dt.UTC),
    )
    session.add(msg)
    session.flush()
    body = compose(session, msg).body
    assert "发送失败、需要处理的通知：1件" in body and "重新发送" in body
    assert "未发电子邮件的通知：2件" in body and "电话告知" in body


def test_possible_duplicates_are_listed_and_linked(client: FlaskClient, people: People, session: Any):
    first = letter(session, people, "申请公开2023年度部门预算及其说明")
    again = letter(session, people, "请公开2023年度部门预算及其说明")
    login(client, people.officer)
    html = client.get(f"/staff/requests/{again.tracking_number}").get_data(as_text=True)
    assert 'id="duplicates"' in html and first.tracking_number in html and "相似度" in html
    response = post(
        client, f"/staff/requests/{again.tracking_number}/duplicate-of", {"original": first.tracking_number}
    )
    assert response.status_code == 302
    session.expire_all()
    linked = session.scalars(select(Request).where(Request.id == again.id)).one()
    assert linked.events[-1].data["duplicate_of"] == first.tracking_number
    html = client.get(f"/staff/requests/{again.tracking_number}").get_data(as_text=True)
    assert "已记录为以下申请的重复申请" in html
    # another agency's request cannot be linked
    assert (
        post(
            client, f"/staff/requests/{again.tracking_number}/duplicate-of", {"original": "NOPE-1"}
        ).status_code
        == 302
    )


def test_the_receipt_page_links_its_pdf(client: FlaskClient, people: People, session: Any):
    assert post(client, "/apply", application()).status_code == 302
    html = client.get("/apply/receipt").get_data(as_text=True)
    start = html.index('id="receipt-pdf" href="') + len('id="receipt-pdf" href="')
    url = html[start : html.index('"', start)]
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
