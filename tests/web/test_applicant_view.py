"""What the applicant sees of a request's history (docs/rules.md §What the applicant sees): a whole
partial disclosure, walked by an officer with internal files, notes, a consultation, an Art. 32 letter and
an extension refused, shows the applicant on the tracking page and in the API only what was released."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.api.conftest import citizen_body
from tests.factories import FEE_PAYMENT, People, make_request, sample_pdf
from tests.web.conftest import post
from webapp.domain.accounts import issue_token
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.documents import documents_of
from webapp.domain.requests import act
from webapp.models import OutboxMessage
from webapp.models.document import DocumentSettings

STAFF_ONLY = [
    "内部审批单.pdf",  # an internal paper the officer uploaded
    "release.pdf",  # the unredacted original
    "备用稿.pdf",  # a file to release that the reply did not release
    "领导批示从严把握",  # an internal note
    "李四公司称涉及商业秘密",  # the officer's summary of the third party's answer
    "公共利益高于李四公司的商业利益",  # the Art. 32 letter's reason
    "延期理由甲乙丙",  # an extension proposal
    "不同意延期丁戊",  # its refusal
    "上传材料",
    "上传拟公开的信息",
    "删除处理",  # the redaction event (the released file's own name is 公开件（删除处理）…)
]


def upload(client: FlaskClient, tn: str, headers: dict[str, str], name: str, purpose: str | None) -> Any:
    fields: dict[str, Any] = {"file": FileStorage(io.BytesIO(sample_pdf()), name)}
    if purpose:
        fields["purpose"] = purpose
    boundary, body = encode_multipart(fields)
    r = client.post(
        f"/api/v1/requests/{tn}/attachments",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert r.status_code == 201, r.json
    return r.json


def test_a_partial_disclosure_shows_the_applicant_nothing_of_the_staffs_own(
    client: FlaskClient, people: People, session: Any
):
    now = dt.datetime.now(dt.UTC)
    officer = {"Authorization": f"Bearer {issue_token(session, people.officer, now=now)}"}
    head = {"Authorization": f"Bearer {issue_token(session, people.head, now=now)}"}
    session.commit()
    answer = client.post("/api/v1/requests", json=citizen_body(delivery="online")).json
    tn, code = answer["tracking_number"], answer["access_code"]

    def act(headers: dict[str, str], **body: Any) -> None:
        r = client.post(f"/api/v1/requests/{tn}/actions", json=body, headers=headers)
        assert r.status_code == 200, (body, r.json)

    upload(client, tn, officer, "内部审批单.pdf", None)
    original = upload(client, tn, officer, "release.pdf", None)
    upload(client, tn, officer, "备用稿.pdf", "release")
    act(officer, action="assign", assignee=people.officer.email)
    act(officer, action="comment", note="领导批示从严把握")
    act(officer, action="accept")
    act(officer, action="propose_extension", days=20, reason="延期理由甲乙丙")
    act(head, action="decline_extension", note="不同意延期丁戊")
    act(officer, action="start_consultation", party="李四公司")
    act(officer, action="end_consultation", opinion="objected", note="李四公司称涉及商业秘密")
    act(officer, action="notify_third_party", content="合同金额", reason="公共利益高于李四公司的商业利益")
    redacted = client.post(
        f"/api/v1/requests/{tn}/redactions",
        json={"attachment": original["id"], "texts": ["Secret Project Alpha"], "pii": True},
        headers=officer,
    )
    assert redacted.status_code == 201, redacted.json
    act(
        officer,
        action="reply",
        outcome="partially_disclosed",
        released=[redacted.json["id"]],
        withheld=[{"part": "联系人的个人信息", "basis": "withheld_third_party"}],
        note="部分公开，随附处理后的批复",
    )

    # the API with the access code
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    shown = str(view)
    assert [f["name"] for f in view["released"]] == ["release（删除处理）.pdf"]
    assert view["attachments"] == []
    for text in [*STAFF_ONLY, people.officer.email, "李四公司"]:
        assert text not in shown.replace("release（删除处理）.pdf", ""), text
    types = [e["type"] for e in view["events"]]
    assert types == [
        "submitted",
        "accepted",
        "consultation_started",
        "consultation_ended",
        "replied",
    ], types
    assert view["events"][3]["note"] == "第三方不同意公开"

    # the tracking page
    r = post(client, "/track", {"tracking_number": tn, "access_code": code})
    html = client.get(r.location).get_data(as_text=True)
    timeline = re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group(0)
    assert "第三方不同意公开" in timeline and "部分公开，随附处理后的批复" in timeline
    assert "release（删除处理）.pdf" in html  # the released file, to download
    page = html.replace("release（删除处理）.pdf", "")
    for text in [*STAFF_ONLY, people.officer.email]:
        assert text not in page, text

    # the staff see all of it, each of these marked internal
    staff = client.get(f"/api/v1/requests/{tn}", headers=officer).json
    internal = {e["type"] for e in staff["events"] if e["internal"]}
    assert {"attachment_added", "commented", "assigned", "redacted", "third_party_notified"} <= internal


def sign_in_on_the_pages(client: FlaskClient, session: Any, email: str) -> None:
    assert post(client, "/account/sign-in", {"contact": email}).status_code == 302
    rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars()
    code = next(r for r in rows if r.payload.get("notice") == "citizen_code").payload["code"]
    assert post(client, "/account/code", {"code": code}).status_code == 302


def test_a_signed_in_citizen_opens_their_own_request_from_its_link_without_the_code(
    client: FlaskClient, people: People, session: Any
):
    mine = client.post("/api/v1/requests", json=citizen_body()).json["tracking_number"]
    body = citizen_body()
    body["applicant"] = body["applicant"] | {"email": "lisi@example.cn", "phone": "13700000000"}
    theirs = client.post("/api/v1/requests", json=body).json["tracking_number"]
    # not signed in: the link asks for the access code
    page = client.get(f"/track?tracking_number={mine}")
    assert page.status_code == 200 and "查询码" in page.text
    sign_in_on_the_pages(client, session, "zhangsan@example.cn")

    # the link of the e-mail opens the request at once, and so does its page's own address
    opened = client.get(f"/track?tracking_number={mine}")
    assert opened.status_code == 302 and opened.location == f"/track/{mine}"
    html = client.get(opened.location).text
    assert "办理进度" in html and mine in html and "收到申请" in html
    # another's request: the code is still asked for, and its page is not shown
    other = client.get(f"/track?tracking_number={theirs}")
    assert other.status_code == 200 and 'name="access_code"' in other.text
    assert client.get(f"/track/{theirs}").location == "/track"
    # signed out: nothing opens by the account any more
    post(client, "/account/sign-out")
    assert client.get(f"/track?tracking_number={mine}").status_code == 200
    assert client.get(f"/track/{mine}").location == "/track"


def test_awaiting_the_fee_the_tracking_page_says_how_much_by_when_and_how(
    client: FlaskClient, people: People, session: Any
):
    now = dt.datetime.now(dt.UTC)
    session.merge(
        DocumentSettings(
            agency_id=people.agency.id,
            phone="0436-3209609",
            address="示范市人民路1号",
            postal_code="137000",
            contact_person="王敏",
            email="gk@hr.example.gov.cn",
        )
    )
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    act(session, req, "accept", people.officer, now=now)
    act(session, req, "request_fee", people.officer, now=now, basis="per_page", pages=40)
    session.commit()
    r = post(client, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    html = client.get(r.location).get_data(as_text=True)
    box = re.search(r'<section[^>]*id="fee-due".*?</section>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", "", box)
    pay_by = current_calendar(session).add_wd(china_today(now), 20)
    assert "人民币100.00元" in text
    assert f"请于{pay_by.year}年{pay_by.month}月{pay_by.day}日前（含当日）缴纳" in text
    assert "第31—40页，10页×10元/页＝100元" in text  # how it was computed
    assert "0436-3209609" in text and "示范市人民路1号" in text and "王敏" in text
    assert FEE_PAYMENT in text  # how to pay, as the agency set it and the notice states it
    assert "注明申请编号" in text and req.tracking_number in text
    fee_notice = next(d for d in documents_of(session, req, applicant=True) if d.kind == "fee_notice")
    assert f"/documents/{fee_notice.public_id}.pdf" in box
    # the box is near the top: before the history
    assert html.index('id="fee-due"') < html.index('id="timeline-h"')
    # paid: the box goes
    act(session, req, "receive_fee", people.officer, now=now, amount_yuan=100, receipt_number="No.001")
    session.commit()
    assert 'id="fee-due"' not in client.get(r.location).get_data(as_text=True)
