"""Domain fixtures: `world`, the suite's two agencies and their staff (tests.factories.add_people) as a
dict, for the tests that call the domain directly (the API's, with bearer tokens, is in
tests/api/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import add_people


@pytest.fixture
def world(session: Any, now: dt.datetime) -> dict[str, Any]:
    """Agency CITYHR with its officers and head; CITYENV (`other`) with its officer (`stranger`, also
    `other_officer`) and head (`stranger_head`); the platform's administrator (`admin`)."""
    p = add_people(session, now)
    return {
        "agency": p.agency,
        "other": p.other_agency,
        "officer": p.officer,
        "officer2": p.officer2,
        "head": p.head,
        "admin": p.platform,
        "stranger": p.stranger,
        "other_officer": p.stranger,
        "stranger_head": p.stranger_head,
    }
