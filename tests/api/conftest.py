"""API fixtures: a test client on the rolled-back session, agencies, staff and their bearer tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_agency, make_user
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
    now = dt.datetime.now(dt.UTC)
    agency = make_agency(session, now, code="CITYHR", name="示范市人力资源和社会保障局")
    other = make_agency(session, now, code="CITYENV", name="示范市生态环境局")

    def staff(agency: Agency | None, role: str, email: str) -> Staff:
        user = make_user(session, now, agency, role, email)
        return Staff(user, issue_token(session, user, now=now))

    world = World(
        agency=agency,
        other_agency=other,
        officer=staff(agency, "officer", "officer@hr.example"),
        officer2=staff(agency, "officer", "officer2@hr.example"),
        head=staff(agency, "head", "head@hr.example"),
        admin=staff(agency, "admin", "admin@hr.example"),
        stranger=staff(other, "officer", "officer@env.example"),
        stranger_head=staff(other, "head", "head@env.example"),
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
