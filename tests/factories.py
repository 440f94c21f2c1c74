"""Builders for the objects tests need, through the same domain functions the product uses."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from webapp.domain import accounts
from webapp.domain.requests import Applicant, submit
from webapp.models import Agency, Request, User

_serial = itertools.count(1)

VALID_RESIDENT_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91350100M000100Y43"


def make_agency(session: Session, now: dt.datetime, code: str | None = None, name: str = "测试局") -> Agency:
    return accounts.create_agency(session, code or f"AG{next(_serial)}", name, now=now)


def make_user(
    session: Session,
    now: dt.datetime,
    agency: Agency | None,
    role: str = "officer",
    email: str | None = None,
    password: str | None = None,
) -> User:
    return accounts.create_user(
        session,
        email or f"user{next(_serial)}@example.gov.cn",
        role=role,
        agencies=[agency] if agency else [],
        password=password,
        now=now,
    )


def applicant(**overrides: object) -> Applicant:
    fields: dict[str, object] = {
        "type": "natural_person",
        "name": "张三",
        "id_number": VALID_RESIDENT_ID,
        "phone": "13900000000",
        "email": "zhangsan@example.cn",
    }
    fields.update(overrides)
    return Applicant(**fields)  # type: ignore[arg-type]


def make_request(
    session: Session,
    now: dt.datetime,
    agency: Agency,
    *,
    received_on: dt.date | None = None,
    channel: str = "letter",
    officer: User | None = None,
) -> tuple[Request, str]:
    if channel != "online" and officer is None:
        officer = make_user(session, now, agency)
    return submit(
        session,
        agency=agency,
        applicant=applicant(),
        description="申请公开2023年度部门预算",
        delivery="email",
        now=now,
        channel=channel,
        received_on=received_on,
        registered_by=officer if channel != "online" else None,
    )
