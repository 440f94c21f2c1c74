"""Staff record what arrived on paper (docs/rules.md §Lifecycle, `correct_applicant`): an officer corrects
the applicant's details — type, name, identity document, contacts — checked as at intake (2019 rules Art.
29: 申请人的姓名或者名称、身份证明、联系方式), with each old and new value in the history."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID, applicant, at
from webapp.domain.errors import ValidationError
from webapp.domain.requests import act, submit
from webapp.models import OutboxMessage, Request

from .test_agency_steps import RECEIVED, D


def emailed(session: Any, world: dict[str, Any]) -> Request:
    """A request as the mailbox takes one in: a natural person known by the sender's name and address."""
    req, _ = submit(
        session,
        agency=world["agency"],
        applicant=applicant(name="李四", id_number=None, phone=None, email="lisi@example.cn"),
        description="申请公开2023年度部门预算",
        delivery="email",
        now=at(RECEIVED),
        channel="email",
        received_on=RECEIVED,
        by_platform=True,
    )
    return req


def test_the_officer_corrects_an_emailed_request_into_a_company_with_old_and_new_in_the_history(
    session, world
):
    req = emailed(session, world)
    due, old_address = req.due_on, req.applicant_address
    act(
        session,
        req,
        "correct_applicant",
        world["officer"],
        now=at(D(2024, 6, 5)),
        applicant_type="commercial_enterprise",
        applicant_name="某某科技有限公司",
        id_number=VALID_CREDIT_CODE,
        address="福州市鼓楼区五四路1号",
        note="收到加盖公章的纸质申请表",
    )
    assert (req.applicant_type, req.applicant_name, req.applicant_id_kind, req.applicant_id_number) == (
        "commercial_enterprise",
        "某某科技有限公司",
        "credit_code",
        VALID_CREDIT_CODE,
    )
    assert req.applicant_address == "福州市鼓楼区五四路1号" and req.applicant_email == "lisi@example.cn"
    ev = req.events[-1]
    assert (ev.type, ev.public, ev.note, ev.actor_id) == (
        "applicant_corrected",
        False,
        "收到加盖公章的纸质申请表",
        world["officer"].id,
    )
    assert ev.data["changes"] == {
        "applicant_type": {"old": "natural_person", "new": "commercial_enterprise"},
        "applicant_name": {"old": "李四", "new": "某某科技有限公司"},
        "id_kind": {"old": None, "new": "credit_code"},
        "id_number": {"old": None, "new": VALID_CREDIT_CODE},
        "address": {"old": old_address, "new": "福州市鼓楼区五四路1号"},
    }
    assert req.due_on == due  # not a step of the procedure: the clock is untouched
    kinds = session.execute(
        select(OutboxMessage.payload).where(
            OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice"
        )
    ).scalars()
    assert [k["notice"] for k in kinds] == ["receipt"]  # nothing sent


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"applicant_type": "commercial_enterprise", "id_number": "91350100M000100Y44"}, "id_number"),
        ({"phone": "李四的电话"}, "phone"),
        ({"email": "a@b.cn, c@d.cn"}, "email"),
        ({"applicant_name": "李四"}, "id_number"),  # a natural person's identity number is still wanting
        ({}, "applicant_name"),
    ],
)
def test_a_wrong_correction_names_its_field_and_changes_nothing(session, world, fields, field):
    req = emailed(session, world)
    with pytest.raises(ValidationError) as caught:
        act(session, req, "correct_applicant", world["officer"], now=at(D(2024, 6, 5)), **fields)
    assert field in caught.value.fields
    assert (req.applicant_type, req.applicant_name, len(req.events)) == ("natural_person", "李四", 1)


def test_a_finished_request_can_still_be_corrected(session, world):
    req = emailed(session, world)
    act(session, req, "reply", world["officer"], now=at(RECEIVED), outcome="disclosed")
    act(
        session,
        req,
        "correct_applicant",
        world["officer"],
        now=at(D(2024, 6, 5)),
        phone="13900000001",
        id_number=VALID_RESIDENT_ID,
    )
    assert req.applicant_phone == "13900000001" and req.status == "replied"
