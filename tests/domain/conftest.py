"""Domain fixtures: `world`, two agencies and their staff, for the tests that call the domain directly
(the API's own, with bearer tokens, is in tests/api/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_agency, make_user


@pytest.fixture
def world(session: Any, now: dt.datetime) -> dict[str, Any]:
    """Agency CITYHR with its officer and head; CITYENV (`other`) with its officer (`stranger`, also
    `other_officer`) and head (`stranger_head`); a platform administrator (`admin`)."""
    agency = make_agency(session, now, code="CITYHR", name="示范市人力资源和社会保障局")
    other = make_agency(session, now, code="CITYENV", name="示范市生态环境局")
    stranger = make_user(session, now, other, "officer", "officer@env.example")
    return {
        "agency": agency,
        "other": other,
        "officer": make_user(session, now, agency, "officer", "officer@hr.example"),
        "head": make_user(session, now, agency, "head", "head@hr.example"),
        "admin": make_user(session, now, None, "admin", "admin@hr.example"),
        "stranger": stranger,
        "other_officer": stranger,
        "stranger_head": make_user(session, now, other, "head", "head@env.example"),
    }
