"""Extension proposals: the officer proposes (days and reason), the head approves (`extend` with the
proposal's days and reason) or declines; the head's list of pending proposals; the actions a page offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_request
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import Forbidden, IllegalTransition, ValidationError
from webapp.domain.requests import (
    act,
    approve_extension,
    available_actions,
    pending_extension,
    pending_extension_requests,
)
from webapp.domain.states import Status, allowed_actions
from webapp.models import OutboxMessage, Request

D = dt.date
RECEIVED = D(2024, 6, 3)
DUE = D(2024, 7, 2)  # tests/domain/test_requests.py counts it


def new_request(session: Any, now: dt.datetime, world: dict[str, Any], agency: str = "agency") -> Request:
    officer = world["officer"] if agency == "agency" else world["other_officer"]
    req, _ = make_request(session, now, world[agency], received_on=RECEIVED, officer=officer)
    return req


PROPOSED_ON = D(2024, 6, 5)


def propose(
    session: Any, now: dt.datetime, req: Request, officer: Any, days: int = 10, on: dt.date = PROPOSED_ON
) -> Request:
    return act(
        session,
        req,
        "propose_extension",
        officer,
        now=now,
        on=on,
        days=days,
        reason="档案分散在三个处室",
    )


def test_a_proposal_is_internal_changes_no_clock_and_waits_for_the_head(session, now, world):
    req = new_request(session, now, world)
    outbox = session.query(OutboxMessage).count()
    propose(session, now, req, world["officer"])
    ev = req.events[-1]
    assert (ev.type, ev.public, ev.data["days"], ev.note) == (
        "extension_proposed",
        False,
        10,
        "档案分散在三个处室",
    )
    assert (req.status, req.due_on, req.extended_days) == (Status.RECEIVED, DUE, 0)
    assert session.query(OutboxMessage).count() == outbox  # the applicant is told nothing yet
    assert pending_extension(req) is ev
    assert [r.id for r, _ in pending_extension_requests(session, [world["agency"].id])] == [req.id]


def test_the_head_approves_with_the_proposals_days_and_reason(session, now, world):
    req = new_request(session, now, world)
    propose(session, now, req, world["officer"], days=10)
    approve_extension(session, req, world["head"], now=now, on=D(2024, 6, 6))
    ev = req.events[-1]
    assert (ev.type, ev.public, ev.data["days"], ev.note) == ("extended", True, 10, "档案分散在三个处室")
    assert req.extended_days == 10
    assert req.due_on == current_calendar(session).add_wd(DUE, 10)
    assert pending_extension(req) is None
    assert pending_extension_requests(session, [world["agency"].id]) == []


def test_only_a_head_approves_or_declines(session, now, world):
    req = new_request(session, now, world)
    propose(session, now, req, world["officer"])
    with pytest.raises(Forbidden):
        approve_extension(session, req, world["officer"], now=now)
    with pytest.raises(Forbidden):
        act(session, req, "decline_extension", world["officer"], now=now)
    with pytest.raises(Forbidden):  # another agency's head
        approve_extension(session, req, world["stranger_head"], now=now)
    assert pending_extension(req) is not None and req.extended_days == 0


def test_a_declined_proposal_is_settled_and_a_new_one_may_follow(session, now, world):
    req = new_request(session, now, world)
    propose(session, now, req, world["officer"])
    act(session, req, "decline_extension", world["head"], now=now, note="请先向档案室调取")
    assert req.events[-1].type == "extension_declined" and not req.events[-1].public
    assert pending_extension(req) is None
    assert pending_extension_requests(session, [world["agency"].id]) == []
    with pytest.raises(IllegalTransition):  # nothing left to approve or decline
        approve_extension(session, req, world["head"], now=now)
    with pytest.raises(IllegalTransition):
        act(session, req, "decline_extension", world["head"], now=now)
    propose(session, now, req, world["officer"], days=5)
    assert pending_extension(req) is req.events[-1]
    [(found, proposal)] = pending_extension_requests(session, [world["agency"].id])
    assert found.id == req.id and proposal.data["days"] == 5


def test_one_pending_proposal_at_a_time_and_none_once_extended(session, now, world):
    req = new_request(session, now, world)
    propose(session, now, req, world["officer"])
    with pytest.raises(IllegalTransition):
        propose(session, now, req, world["officer"])
    act(session, req, "extend", world["head"], now=now, days=3, reason="负责人直接批准")
    assert pending_extension(req) is None  # the head's own extension settles it
    with pytest.raises(IllegalTransition):
        propose(session, now, req, world["officer"], on=D(2024, 6, 14))


def test_a_proposal_is_checked_like_an_extension(session, now, world):
    req = new_request(session, now, world)
    with pytest.raises(ValidationError) as err:
        act(
            session, req, "propose_extension", world["officer"], now=now, on=D(2024, 6, 5), days=21, reason=""
        )
    assert set(err.value.fields) == {"days", "reason"}
    with pytest.raises(IllegalTransition):  # after the deadline
        act(
            session,
            req,
            "propose_extension",
            world["officer"],
            now=dt.datetime(2024, 7, 5, 2, tzinfo=dt.UTC),
            on=D(2024, 7, 3),
            days=5,
            reason="x",
        )
    assert pending_extension(req) is None


def test_a_proposal_does_not_hold_back_later_dates(session, now, world):
    """Internal like a comment: an action may still be dated before the proposal."""
    req = new_request(session, now, world)
    propose(session, now, req, world["officer"])
    act(session, req, "accept", world["officer"], now=now, on=D(2024, 6, 4))
    assert req.status == Status.IN_PROGRESS


def test_pending_proposals_are_per_agency_and_need_an_extendable_state(session, now, world):
    mine = new_request(session, now, world)
    theirs = new_request(session, now, world, agency="other")
    propose(session, now, mine, world["officer"])
    propose(session, now, theirs, world["other_officer"])
    assert [r.id for r, _ in pending_extension_requests(session, [world["agency"].id])] == [mine.id]
    assert [r.id for r, _ in pending_extension_requests(session, [world["other"].id])] == [theirs.id]
    act(session, mine, "accept", world["officer"], now=now, on=D(2024, 6, 5))
    assert len(pending_extension_requests(session, [world["agency"].id])) == 1  # still extendable
    act(session, mine, "reply", world["officer"], now=now, on=D(2024, 6, 6), outcome="disclosed")
    assert pending_extension_requests(session, [world["agency"].id]) == []
    assert pending_extension(mine) is None


def test_allowed_actions_by_role():
    assert "propose_extension" in allowed_actions(Status.IN_PROGRESS, "officer")
    assert "decline_extension" not in allowed_actions(Status.IN_PROGRESS, "officer")
    assert "extend" not in allowed_actions(Status.IN_PROGRESS, "officer")
    assert {"extend", "decline_extension"} <= set(allowed_actions(Status.IN_PROGRESS, "head"))
    assert allowed_actions(Status.REPLIED, "head") == [
        "comment",
        "record_posting",
        "record_pickup",
        "correct_applicant",
    ]
    assert "propose_extension" not in allowed_actions(Status.AWAITING_CORRECTION, "officer")


def test_available_actions_follow_the_requests_history(session, now, world):
    cal = current_calendar(session)
    req = new_request(session, now, world)
    day = D(2024, 6, 5)
    officer = available_actions(req, "officer", today=day, cal=cal)
    head = available_actions(req, "head", today=day, cal=cal)
    assert "propose_extension" in officer and "decline_extension" not in officer and "extend" not in officer
    assert "extend" in head and "propose_extension" not in head and "decline_extension" not in head
    propose(session, now, req, world["officer"])
    assert "propose_extension" not in available_actions(req, "officer", today=day, cal=cal)
    assert "decline_extension" in available_actions(req, "head", today=day, cal=cal)
    # After the correction window (7 working days from receipt) no correction is offered.
    assert "request_correction" in available_actions(req, "officer", today=day, cal=cal)
    assert "request_correction" not in available_actions(req, "officer", today=D(2024, 6, 20), cal=cal)
    # Past the due date no extension is offered.
    assert "propose_extension" not in available_actions(req, "officer", today=D(2024, 7, 3), cal=cal)
    act(session, req, "request_correction", world["officer"], now=now, on=day, items="x", period_days=5)
    act(session, req, "receive_correction", world["officer"], now=now, on=D(2024, 6, 7))
    assert "request_correction" not in available_actions(req, "officer", today=D(2024, 6, 7), cal=cal)
