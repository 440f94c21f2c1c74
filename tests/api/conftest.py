"""API fixtures: a test client on the rolled-back session, agencies, staff and their bearer tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import add_people
from webapp.domain.accounts import issue_token
from webapp.models import Agency, User


@dataclass
class Staff:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    officer: Staff
    officer2: Staff
    head: Staff
    admin: Staff
    stranger: Staff
    stranger_head: Staff


@pytest.fixture
def world(session: Any) -> World:
    """The suite's two agencies and their staff (tests.factories.add_people), each with a bearer token."""
    now = dt.datetime.now(dt.UTC)
    p = add_people(session, now)

    def staff(user: User) -> Staff:
        return Staff(user, issue_token(session, user, now=now))

    world = World(
        agency=p.agency,
        other_agency=p.other_agency,
        officer=staff(p.officer),
        officer2=staff(p.officer2),
        head=staff(p.head),
        admin=staff(p.admin),
        stranger=staff(p.stranger),
        stranger_head=staff(p.stranger_head),
    )
    session.commit()
    return world


def citizen_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency": "CITYHR",
        "applicant": {
            "type": "natural_person",
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13900000000",
            "email": "zhangsan@example.cn",
        },
        "description": "申请公开2023年度部门预算及其说明",
        "delivery": "email",
    }
    body.update(overrides)
    return body


LATE_REASON = "从纸质登记簿补录"


def staff_body(**overrides: Any) -> dict[str, Any]:
    """A staff registration's body: with a received-on date of the past, the reason it is registered only
    now (docs/rules.md §Late registration: required when the due date is past or near)."""
    body = citizen_body(**overrides)
    if "received_on" in overrides and "late_reason" not in overrides:
        body["late_reason"] = LATE_REASON
    return body
