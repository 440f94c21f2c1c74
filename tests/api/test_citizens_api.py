"""Citizens' accounts through the API (docs/api.md §Citizens' accounts): a code to a contact, the code for
a token, the account's requests and claims; the code goes out through the outbox as an e-mail or an SMS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World, citizen_body
from webapp.models import CitizenCode, OutboxMessage


def submit(client: FlaskClient, **applicant: Any) -> dict[str, Any]:
    body = citizen_body()
    body["applicant"] = body["applicant"] | applicant
    r = client.post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def code_sent_to(session: Any, contact: str) -> str:
    """The code of the latest outbox row for `contact` (the relay would mail it or text it)."""
    rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars()
    row = next(r for r in rows if r.payload.get("notice") == "citizen_code" and r.payload["to"] == contact)
    return str(row.payload["code"])


def sign_in(client: FlaskClient, session: Any, **contact: str) -> dict[str, str]:
    assert client.post("/api/v1/citizen/codes", json=contact).status_code == 202
    value = contact.get("email") or contact["phone"].replace("-", "").replace(" ", "")
    r = client.post("/api/v1/citizen/sessions", json=contact | {"code": code_sent_to(session, value)})
    assert r.status_code == 201, r.json
    return {"Authorization": f"Bearer {r.json['token']}"}


def test_a_code_signs_in_and_lists_the_requests_made_with_that_contact(
    client: FlaskClient, world: World, session: Any
):
    mine = [submit(client, phone="139 0000 0000"), submit(client, phone="13900000000")]
    submit(client, phone="13700000000", email="other@example.cn")  # someone else's
    headers = sign_in(client, session, phone="139-0000-0000")
    r = client.get("/api/v1/citizen/requests", headers=headers)
    assert r.status_code == 200
    assert [i["tracking_number"] for i in r.json["items"]] == [m["tracking_number"] for m in reversed(mine)]
    # the applicant's view: no history of staff, no whole ID number
    assert all("events" not in i and "applicant_id_number" not in i for i in r.json["items"])


def test_the_same_answer_whether_or_not_the_contact_is_known(client: FlaskClient, world: World, session: Any):
    submit(client, email="known@example.cn")
    known = client.post("/api/v1/citizen/codes", json={"email": "known@example.cn"})
    unknown = client.post("/api/v1/citizen/codes", json={"email": "nobody@example.cn"})
    assert (known.status_code, known.json) == (unknown.status_code, unknown.json) == (202, {})
    # each got its code (the e-mail relay sends kind "citizen", the SMS relay kind "sms")
    kinds = session.execute(select(OutboxMessage.kind, OutboxMessage.payload)).all()
    assert [(k, p["to"]) for k, p in kinds if p.get("notice") == "citizen_code"] == [
        ("citizen", "known@example.cn"),
        ("citizen", "nobody@example.cn"),
    ]
    assert client.post("/api/v1/citizen/codes", json={"phone": "13900000000"}).status_code == 202
    assert session.execute(select(OutboxMessage.kind).order_by(OutboxMessage.id.desc())).first()[0] == "sms"


def test_wrong_expired_and_exhausted_codes_are_refused(client: FlaskClient, world: World, session: Any):
    contact = {"email": "zhangsan@example.cn"}
    client.post("/api/v1/citizen/codes", json=contact)
    code = code_sent_to(session, "zhangsan@example.cn")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        r = client.post("/api/v1/citizen/sessions", json=contact | {"code": wrong})
        assert r.status_code == 401 and r.json["error"]["fields"] == {
            "code": "验证码错误或已过期，请重新获取"
        }
    # five wrong tries end the code: the right one no longer opens anything
    assert client.post("/api/v1/citizen/sessions", json=contact | {"code": code}).status_code == 401
    # a code past its 10 minutes
    row = session.execute(select(CitizenCode).order_by(CitizenCode.id.desc())).scalars().first()
    row.attempts, row.created_at = 0, row.created_at - dt.timedelta(minutes=11)
    row.expires_at = row.created_at + dt.timedelta(minutes=10)
    session.commit()
    assert client.post("/api/v1/citizen/sessions", json=contact | {"code": code}).status_code == 401


def test_codes_are_limited_per_contact(client: FlaskClient, world: World, session: Any):
    first = client.post("/api/v1/citizen/codes", json={"phone": "13900000000"})
    again = client.post("/api/v1/citizen/codes", json={"phone": "139 0000 0000"})
    assert first.status_code == 202
    assert again.status_code == 429 and "phone" in again.json["error"]["fields"]
    assert client.post("/api/v1/citizen/codes", json={"phone": "13800000000"}).status_code == 202


def test_contacts_are_checked(client: FlaskClient, world: World):
    for body, field in [
        ({"phone": "010-12345678"}, "phone"),  # a landline cannot take an SMS
        ({"phone": "abc"}, "phone"),
        ({"email": "zhangsan@@example"}, "email"),
        ({}, "email"),
        ({"email": "a@example.cn", "phone": "13900000000"}, "email"),
    ]:
        r = client.post("/api/v1/citizen/codes", json=body)
        assert r.status_code == 422 and field in r.json["error"]["fields"], body


def test_claiming_adds_a_request_made_with_another_contact(client: FlaskClient, world: World, session: Any):
    earlier = submit(client, phone="13700000000", email="old@example.cn")
    headers = sign_in(client, session, email="zhangsan@example.cn")
    assert client.get("/api/v1/citizen/requests", headers=headers).json["items"] == []
    body = {"tracking_number": earlier["tracking_number"], "access_code": "WRONG-CODE-0000"}
    assert client.post("/api/v1/citizen/requests/claim", json=body, headers=headers).status_code == 404
    body["access_code"] = earlier["access_code"]
    r = client.post("/api/v1/citizen/requests/claim", json=body, headers=headers)
    assert r.status_code == 200 and r.json["tracking_number"] == earlier["tracking_number"]
    items = client.get("/api/v1/citizen/requests", headers=headers).json["items"]
    assert [i["tracking_number"] for i in items] == [earlier["tracking_number"]]


def test_a_token_opens_the_account_only(client: FlaskClient, world: World, session: Any):
    assert client.get("/api/v1/citizen/requests").status_code == 401
    assert client.get("/api/v1/citizen/requests", headers=world.officer.headers).status_code == 401
    headers = sign_in(client, session, email="zhangsan@example.cn")
    # a citizen's token is not a staff token
    assert client.get("/api/v1/queue", headers=headers).status_code == 401
