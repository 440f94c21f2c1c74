"""The applicant rules of docs/rules.md §Contacts and §Identity on `POST /api/v1/requests`: each refused with
422 naming its field, nothing written; the good forms of each accepted."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World, citizen_body, staff_body
from tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID
from webapp.models import Request


def count(session: Any) -> int:
    return int(session.execute(select(func.count()).select_from(Request)).scalar_one())


def person(**fields: Any) -> dict[str, Any]:
    body = {"type": "natural_person", "name": "张三", "id_number": VALID_RESIDENT_ID}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def organisation(kind: str = "commercial_enterprise", **fields: Any) -> dict[str, Any]:
    body = {"type": kind, "name": "某建材有限公司", "id_kind": "credit_code", "id_number": VALID_CREDIT_CODE}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


REFUSED = [
    # one address, no display name, no second address, no line break
    (person(email="zhangsan@@example"), "email", "applicant.email"),
    (person(email="张三 <zhangsan@example.cn>"), "email", "applicant.email"),
    (person(email="a@example.cn, b@example.cn"), "email", "applicant.email"),
    (person(email="a@example.cn\r\nBcc: x@example.cn"), "email", "applicant.email"),
    # a Chinese telephone number
    (person(email="a@example.cn", phone="abc"), "email", "applicant.phone"),
    (person(email="a@example.cn", phone="12900000000"), "email", "applicant.phone"),
    (person(email="a@example.cn", phone="3209609"), "email", "applicant.phone"),
    # the delivery needs its contact
    (person(phone="13900000000"), "email", "applicant.email"),
    (organisation(phone="13900000000"), "email", "applicant.email"),
    (person(email="a@example.cn"), "post", "applicant.address"),
    (person(address="示范市解放路8号"), "online", "applicant.phone"),
    (person(address="示范市解放路8号"), "pickup", "applicant.phone"),
    # a natural person's identity document
    (person(id_number=None, email="a@example.cn"), "email", "applicant.id_number"),
    (person(id_number="110105194912310021", email="a@example.cn"), "email", "applicant.id_number"),
    (
        person(id_number="１１０１０５１９４９１２３１００２１", email="a@example.cn"),
        "email",
        "applicant.id_number",
    ),
    (
        person(id_kind="hk_macau_permit", id_number="X1234567", email="a@example.cn"),
        "email",
        "applicant.id_number",
    ),
    (
        person(id_kind="taiwan_permit", id_number="H12345678", email="a@example.cn"),
        "email",
        "applicant.id_number",
    ),
    (
        person(id_kind="credit_code", id_number=VALID_CREDIT_CODE, email="a@example.cn"),
        "email",
        "applicant.id_kind",
    ),
    # an organisation's 统一社会信用代码
    (organisation(id_number=None, email="a@example.cn"), "email", "applicant.id_number"),
    (organisation(id_number="91350100M000100Y44", email="a@example.cn"), "email", "applicant.id_number"),
    (
        organisation(id_kind="resident_id", id_number=VALID_RESIDENT_ID, email="a@example.cn"),
        "email",
        "applicant.id_kind",
    ),
    (
        organisation("other_org", id_number="91350100M000100Y4", email="a@example.cn"),
        "email",
        "applicant.id_number",
    ),
]


@pytest.mark.parametrize(("applicant", "delivery", "field"), REFUSED)
def test_each_applicant_rule_is_a_422_naming_its_field(
    client: FlaskClient, world: World, session: Any, applicant: dict[str, Any], delivery: str, field: str
):
    before = count(session)
    r = client.post("/api/v1/requests", json=citizen_body(applicant=applicant, delivery=delivery))
    assert r.status_code == 422, r.json
    assert r.json["error"]["code"] == "validation_error"
    assert field in r.json["error"]["fields"], r.json
    assert count(session) == before


def test_every_problem_of_the_applicant_is_named_at_once(client: FlaskClient, world: World):
    applicant = person(id_number="110105194912310021", phone="abc", email="zhangsan@@example")
    r = client.post("/api/v1/requests", json=citizen_body(applicant=applicant, delivery="post"))
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {
        "applicant.id_number",
        "applicant.phone",
        "applicant.email",
        "applicant.address",
    }


ACCEPTED = [
    (person(email="zs@example.cn"), "email", "resident_id", VALID_RESIDENT_ID),
    (
        person(id_number="１１０１０５１９４９１２３１００２ｘ", phone="0436-3209609"),
        "pickup",
        "resident_id",
        VALID_RESIDENT_ID,
    ),
    (
        person(id_kind="hk_macau_permit", id_number="h12345678", phone="+86 139 0000 0000"),
        "online",
        "hk_macau_permit",
        "H12345678",
    ),
    (
        person(id_kind="taiwan_permit", id_number="12345678", address="台北市某路1号"),
        "post",
        "taiwan_permit",
        "12345678",
    ),
    (
        person(id_kind="passport", id_number="E12345678", email="zs@example.cn"),
        "online",
        "passport",
        "E12345678",
    ),
    (
        person(id_kind="other", id_number="军官证 第123号", email="zs@example.cn"),
        "email",
        "other",
        "军官证 第123号",
    ),
    (organisation(email="office@example.cn"), "email", "credit_code", VALID_CREDIT_CODE),
    (
        organisation("research_institution", id_kind=None, phone="010-12345678"),
        "pickup",
        "credit_code",
        VALID_CREDIT_CODE,
    ),
]


@pytest.mark.parametrize(("applicant", "delivery", "kind", "stored"), ACCEPTED)
def test_good_applicants_are_accepted_and_stored_normalised(
    client: FlaskClient, world: World, applicant: dict[str, Any], delivery: str, kind: str, stored: str
):
    r = client.post("/api/v1/requests", json=citizen_body(applicant=applicant, delivery=delivery))
    assert r.status_code == 201, r.json
    view = client.get(f"/api/v1/requests/{r.json['tracking_number']}", headers=world.officer.headers).json
    assert (view["applicant"]["id_kind"], view["applicant"]["id_number"]) == (kind, stored)


def test_staff_registration_follows_the_same_rules(client: FlaskClient, world: World):
    body = staff_body(
        channel="letter", received_on="2024-06-03", applicant=person(email="a@example.cn"), delivery="post"
    )
    r = client.post("/api/v1/requests", json=body, headers=world.officer.headers)
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"applicant.address"}
