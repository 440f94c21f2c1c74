"""The applicant's e-mail address and telephone number (webapp/domain/contact.py): exactly one address at
every intake — the citizen's form, the API, the officer's registration, the e-mail channel's sender — and a
real telephone number; what the relay does with a bad address already stored is in
tests/workers/test_notices.py. The officers' mail page shows both kinds of trouble: a notice that could
not be built, and a message that reused another's Message-ID. The rules themselves are in
tests/domain/test_contact.py."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.api.conftest import citizen_body
from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_citizen import application, error_beside
from tests.web.test_staff import registration
from webapp.domain.accounts import issue_token
from webapp.domain.mailbox import ingest
from webapp.models import InboundEmail, OutboxMessage, Request

# -- the API ---------------------------------------------------------------------------------------


def count(session: Any, model: Any = Request) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "zhangsan@@example"),
        ("email", "a@b.cn, d@e.cn"),
        ("email", "zhangsan@example.cn\r\nBcc: evil@attacker.example"),
        ("phone", "abc"),
    ],
)
def test_the_api_refuses_them_naming_the_field(
    client: FlaskClient, people: People, session: Any, field: str, value: str
):
    applicant = {**citizen_body()["applicant"], field: value}
    token = issue_token(session, people.officer, now=dt.datetime.now(dt.UTC))
    session.commit()
    for headers in (
        {},
        {"Authorization": f"Bearer {token}"},
    ):  # a citizen, and an officer registering a letter
        late = {"channel": "letter", "received_on": "2024-06-03", "late_reason": "补录"}
        extra = late if headers else {}
        r = client.post("/api/v1/requests", json=citizen_body(applicant=applicant, **extra), headers=headers)
        assert r.status_code == 422, r.json
        assert r.json["error"]["code"] == "validation_error"
        assert set(r.json["error"]["fields"]) == {f"applicant.{field}"}
    english = client.post(
        "/api/v1/requests", json=citizen_body(applicant=applicant), headers={"Accept-Language": "en"}
    )
    assert english.json["error"]["fields"][f"applicant.{field}"].isascii()
    assert (count(session), count(session, OutboxMessage)) == (0, 0)


def test_the_api_takes_an_internationalised_domain(client: FlaskClient, people: People, session: Any):
    applicant = {**citizen_body()["applicant"], "email": "zs@例子.中国", "phone": "０１０-１２３４５６７８"}
    r = client.post("/api/v1/requests", json=citizen_body(applicant=applicant))
    assert r.status_code == 201, r.json
    req = session.execute(select(Request)).scalar_one()
    assert (req.applicant_email, req.applicant_phone) == ("zs@例子.中国", "010-12345678")


# -- the pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "zhangsan@@example", "电子邮箱格式不正确"),
        ("email", "a@b.cn, d@e.cn", "电子邮箱格式不正确"),
        ("email", "zhangsan@example.cn\r\nBcc: evil@attacker.example", "电子邮箱格式不正确"),
        ("phone", "abc", "电话号码格式不正确"),
    ],
)
def test_the_citizens_form_and_the_officers_registration_refuse_them_beside_the_field(
    client: FlaskClient, people: People, session: Any, field: str, value: str, says: str
):
    response = post(client, "/apply", application(**{field: value}))
    assert response.status_code == 422
    assert says in error_beside(response.get_data(as_text=True), field)
    login(client, people.officer)
    response = post(client, "/staff/register", registration(**{field: value}))
    assert response.status_code == 422
    assert says in error_beside(response.get_data(as_text=True), field)
    assert count(session) == 0


# -- the e-mail channel --------------------------------------------------------------------------------


def message(sender: str, message_id: str, subject: str = "申请公开预算", body: str = "请公开预算") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "ysqgk@agency.test"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return bytes(msg)


def take(session: Any, agency: Any, raw: bytes, tmp_path: Path) -> InboundEmail | None:
    row = ingest(
        session,
        agency,
        raw,
        now=dt.datetime.now(dt.UTC),
        inbound_dir=tmp_path / "inbound",
        attachment_dir=tmp_path / "attachments",
        own_domain="disclosure.test",
    )
    session.commit()
    return row


@pytest.mark.parametrize("sender", ["李四 <lisi@@example.cn>", "lisi@example", '"li si"@example.cn'])
def test_a_sender_that_is_not_one_address_waits_for_review(
    session: Any, people: People, tmp_path: Path, sender: str
):
    row = take(session, people.agency, message(sender, "<bad-sender@example.cn>"), tmp_path)
    assert row is not None and (row.status, row.reason) == ("review", "invalid")
    assert count(session) == 0


def test_the_mail_page_shows_a_reused_message_id_and_a_notice_that_could_not_be_built(
    client: FlaskClient, people: People, session: Any, tmp_path: Path
):
    first = take(session, people.agency, message("李四 <lisi@example.cn>", "<same@example.cn>"), tmp_path)
    assert first is not None and first.status == "request"
    reused = message(
        "王五 <wangwu@example.cn>", "<same@example.cn>", subject="冒用编号的来信", body="别的内容"
    )
    assert take(session, people.agency, reused, tmp_path) is not None
    # the receipt of the first message, to an address that was made bad in the database meanwhile
    session.execute(
        update(Request).where(Request.id == first.request_id).values(applicant_email="a@b.cn, evil@x.cn")
    )
    session.commit()
    from workers.notices import RelaySettings, relay, transport_from_config

    config = {**client.application.config, "DATA_DIR": str(tmp_path)}
    transport = transport_from_config(config)
    assert relay(session, transport, RelaySettings.from_config(config)).failed == 1
    assert not (tmp_path / "maildrop").exists()  # nothing written for anyone

    login(client, people.officer)
    html = client.get("/staff/mail").get_data(as_text=True)
    review = html.split('id="review-h"')[1].split('id="failed-h"')[0]
    assert "重复的 Message-ID" in review and "wangwu@example.cn" in review and "冒用编号的来信" in review
    failed = html.split('id="failed-h"')[1]
    tracking = session.get(Request, first.request_id).tracking_number
    assert tracking in failed and "收件人电子邮箱地址格式不正确" in failed
    assert re.search(r"<td>1</td>", failed)  # one attempt, not retried every lease
