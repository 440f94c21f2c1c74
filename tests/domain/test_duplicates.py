"""Possible duplicates (webapp/domain/requests/duplicates.py, docs/rules.md §Duplicates): the same applicant,
the same agency, within 30 days, a description alike; a link recorded in the history; the reply
不予处理：重复申请 fitting only once the original was answered (Art. 36(6))."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import VALID_CREDIT_CODE, applicant
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.identity import resident_id_check_digit
from webapp.domain.requests import act, submit
from webapp.domain.requests.duplicates import (
    duplicate_reply_allowed,
    link_duplicate,
    linked_original,
    possible_duplicates,
    similarity,
)
from webapp.models import Request

D = dt.date
BUDGET = "申请公开2023年度部门预算及其说明"
OTHER_ID = "22080219800101123" + resident_id_check_digit("22080219800101123")


def test_similarity_of_descriptions():
    assert similarity(BUDGET, BUDGET) == 1.0
    assert (
        similarity(BUDGET, "请公开２０２３年度部门预算及说明。") > 0.7
    )  # full width, punctuation, a word less
    assert similarity(BUDGET, "申请公开示范路改造工程的立项批复") < 0.3
    assert similarity("", BUDGET) == 0.0
    assert similarity("a", "a") == 1.0


def make(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, description: str, **who: Any
):
    agency, officer = who.pop("agency", world["agency"]), who.pop("officer", world["officer"])
    req, _ = submit(
        session,
        agency=agency,
        applicant=applicant(**who),
        description=description,
        delivery="email",
        now=now,
        channel="letter",
        received_on=received,
        registered_by=officer,
        require_late_reason=False,
    )
    return req


def test_the_same_applicant_asking_alike_within_30_days(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    first = make(session, now, world, D(2024, 3, 4), BUDGET)
    again = make(
        session, now, world, D(2024, 4, 1), "请公开2023年度部门预算及说明", phone=None, id_number=OTHER_ID
    )
    other_topic = make(session, now, world, D(2024, 4, 1), "申请公开示范路改造工程的立项批复")
    someone_else = make(
        session,
        now,
        world,
        D(2024, 4, 1),
        BUDGET,
        name="李四",
        id_number=VALID_CREDIT_CODE,
        type="commercial_enterprise",
        email="li@example.cn",
        phone="010-12345678",
    )
    too_late = make(session, now, world, D(2024, 5, 13), BUDGET)
    found = possible_duplicates(session, again)
    assert [d.request for d in found] == [first]  # by the same e-mail address alone
    assert found[0].same == ("email",) and found[0].similarity > 0.7
    assert {d.request for d in possible_duplicates(session, first)} == {again}
    for req in (other_topic, someone_else):
        assert first not in [d.request for d in possible_duplicates(session, req)]
    assert possible_duplicates(session, too_late) == []


def test_a_link_is_recorded_and_the_duplicate_reply_waits_for_the_answer(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    first = make(session, now, world, D(2024, 5, 6), BUDGET)
    again = make(session, now, world, D(2024, 5, 8), BUDGET)
    assert not duplicate_reply_allowed(first)
    link_duplicate(session, again, first, world["officer"], now=now)
    assert linked_original(again) == first.tracking_number
    note = again.events[-1]
    assert (note.type, note.public) == ("commented", False)
    assert "暂不适用" in note.note
    act(session, first, "accept", world["officer"], now=now, on=D(2024, 5, 7))
    act(session, first, "reply", world["officer"], now=now, on=D(2024, 5, 20), outcome="disclosed")
    assert duplicate_reply_allowed(first)
    link_duplicate(session, again, first, world["officer"], now=now)
    assert "第三十六条第（六）项" in again.events[-1].note
    with pytest.raises(ValidationError):
        link_duplicate(session, again, again, world["officer"], now=now)
    elsewhere = make(
        session, now, world, D(2024, 5, 8), BUDGET, agency=world["other"], officer=world["stranger"]
    )
    with pytest.raises(ValidationError):
        link_duplicate(session, again, elsewhere, world["officer"], now=now)
    assert session.get(Request, again.id).version >= 3


def test_the_example_of_docs_rules_md():
    """docs/rules.md §Duplicates: 2 × 14 / 32."""
    assert similarity("申请公开2023年度部门预算及其说明", "请公开2023年度部门预算及说明") == 0.875


def refused_reply(session: Any, req: Request, officer: Any, now: dt.datetime, on: dt.date) -> str:
    """The duplicate reply refused with 409 illegal_transition, nothing changed; the reason given."""
    before = (req.status, len(req.events))
    with pytest.raises(IllegalTransition) as refused:
        act(session, req, "reply", officer, now=now, on=on, outcome="not_processed_duplicate")
    assert refused.value.http_status == 409 and set(refused.value.fields) == {"outcome"}
    assert (req.status, len(req.events)) == before
    return str(refused.value.message)


def test_the_duplicate_reply_needs_a_link_to_an_earlier_answered_request_of_the_same_applicant(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    officer = world["officer"]
    first = make(session, now, world, D(2024, 5, 6), BUDGET)
    again = make(session, now, world, D(2024, 5, 8), BUDGET)
    act(session, again, "accept", officer, now=now, on=D(2024, 5, 8))
    # not linked at all
    assert "请先将本申请记为原申请的重复申请" in refused_reply(session, again, officer, now, D(2024, 5, 9))
    # linked, but the original is not answered yet (nor answered by the day of this reply)
    link_duplicate(session, again, first, officer, now=now)
    assert "尚未答复" in refused_reply(session, again, officer, now, D(2024, 5, 9))
    act(session, first, "accept", officer, now=now, on=D(2024, 5, 7))
    act(session, first, "reply", officer, now=now, on=D(2024, 5, 20), outcome="not_exist")
    assert "尚未答复" in refused_reply(session, again, officer, now, D(2024, 5, 17))
    # linked to a request of someone else, or to a later one
    stranger = make(
        session,
        now,
        world,
        D(2024, 5, 2),
        BUDGET,
        name="李四",
        id_number=OTHER_ID,
        email="li@example.cn",
        phone="13700000000",
    )
    act(session, stranger, "reply", officer, now=now, on=D(2024, 5, 2), outcome="disclosed")
    link_duplicate(session, again, stranger, officer, now=now)
    assert "不是同一申请人" in refused_reply(session, again, officer, now, D(2024, 5, 21))
    later = make(session, now, world, D(2024, 5, 10), BUDGET)
    act(session, later, "reply", officer, now=now, on=D(2024, 5, 10), outcome="disclosed")
    link_duplicate(session, again, later, officer, now=now)
    assert "晚于本申请" in refused_reply(session, again, officer, now, D(2024, 5, 21))
    # the earlier, answered request of the same applicant: allowed, and the event keeps what the letter names
    link_duplicate(session, again, first, officer, now=now)
    act(session, again, "reply", officer, now=now, on=D(2024, 5, 21), outcome="not_processed_duplicate")
    assert again.outcome == "not_processed_duplicate"
    assert again.events[-1].data["duplicate_of"] == {
        "tracking_number": first.tracking_number,
        "received_on": "2024-05-06",
        "replied_on": "2024-05-20",
    }
