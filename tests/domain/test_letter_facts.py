"""No document is issued with a placeholder for a missing fact (docs/rules.md §Letters): every kind of
letter, built with each fact it states taken away in turn, is refused with the fact named (409), and
built whole it states them all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import at, make_request
from webapp.domain.calendar import current_calendar
from webapp.domain.documents import facts
from webapp.domain.documents.steps import letter
from webapp.domain.documents.texts import consultation_letter, draft
from webapp.domain.errors import IllegalTransition
from webapp.domain.requests import act, applicant_withdraw
from webapp.models import Event, Request
from webapp.models.document import DOCUMENT_KINDS

D = dt.date
LATER = at(D(2024, 8, 30))
RECEIVED = D(2024, 6, 3)


def copy_of(req: Request) -> Request:
    """The request and its events as new objects outside the session (nothing written, nothing flushed)."""
    columns = {c.key: getattr(req, c.key) for c in Request.__table__.columns if c.key != "id"}
    copy = Request(**columns)
    copy.agency = req.agency
    for e in req.events:
        copy.events.append(
            Event(
                seq=e.seq,
                type=e.type,
                on=e.on,
                at=e.at,
                note=e.note,
                public=e.public,
                data=dict(e.data or {}),
            )
        )
    return copy


def without(req: Request, seq: int, fact: facts.Fact) -> tuple[Request, Event]:
    """A copy of the request whose event `seq` lacks `fact`."""
    copy = copy_of(req)
    ev = next(e for e in copy.events if e.seq == seq)
    if fact.source == "request":
        setattr(copy, fact.key, None)
    elif fact.source == "data":
        ev.data = {k: v for k, v in ev.data.items() if k != fact.key}
    elif fact.source == "note":
        ev.note = ""
    else:
        copy.events = [e for e in copy.events if e.type != fact.key or e.seq >= seq]
        ev = next(e for e in copy.events if e.seq == seq)
    return copy, ev


def new(session: Any, world: Any) -> Request:
    req, _ = make_request(session, LATER, world["agency"], received_on=RECEIVED, officer=world["officer"])
    return req


def officer_act(action: str, on: dt.date, **fields: Any) -> Callable[[Any, Any, Request], None]:
    def step(session: Any, world: Any, req: Request) -> None:
        actor = world["head"] if action == "extend" else world["officer"]
        act(session, req, action, actor, now=LATER, on=on, **fields)

    return step


CORRECTION = officer_act("request_correction", D(2024, 6, 4), items="请写明文件名称", period_days=10)
CONSULT_AGENCY = officer_act("consult_agency", D(2024, 6, 5), agency_name="示范市财政局")
REASONS = officer_act("request_reasons", D(2024, 6, 4), items="同日提出申请50件", period_days=5)
FEE = officer_act("request_fee", D(2024, 6, 4), basis="per_page", pages=40)
# Each letter kind (and each variant with facts of its own), the steps that send it, last step's document.
CASES: dict[str, tuple[str, list[Callable[[Any, Any, Request], None]]]] = {
    "receipt": ("receipt", []),
    "correction_notice": ("correction_notice", [CORRECTION]),
    "extension_notice": (
        "extension_notice",
        [officer_act("extend", D(2024, 6, 5), days=10, reason="需要调取档案")],
    ),
    "consultation_notice": (
        "consultation_notice",
        [officer_act("start_consultation", D(2024, 6, 5), party="某公司")],
    ),
    "consultation_letter": (
        "consultation_letter",
        [officer_act("start_consultation", D(2024, 6, 5), party="某公司")],
    ),
    "fee_notice per_page": ("fee_notice", [FEE]),
    "fee_notice lowered": (
        "fee_notice",
        [
            officer_act(
                "request_fee",
                D(2024, 6, 4),
                basis="per_page",
                pages=40,
                amount_yuan=50,
                reduction_reason="困难",
            )
        ],
    ),
    "reply": ("reply", [officer_act("reply", RECEIVED, outcome="disclosed")]),
    "closure: correction lapsed": (
        "closure_notice",
        [CORRECTION, officer_act("close", D(2024, 6, 20), outcome="closed_correction_lapsed")],
    ),
    "closure: fee unpaid": (
        "closure_notice",
        [FEE, officer_act("close", D(2024, 7, 4), outcome="closed_fee_unpaid")],
    ),
    "closure: other": ("closure_notice", [officer_act("close", D(2024, 6, 5), outcome="closed_other")]),
    # the agency steps (docs/rules.md §Agency steps)
    "agency_consultation_notice": ("agency_consultation_notice", [CONSULT_AGENCY]),
    "agency_consultation_letter": ("agency_consultation_letter", [CONSULT_AGENCY]),
    "reasons_notice": ("reasons_notice", [REASONS]),
    "reply_period_notice": (
        "reply_period_notice",
        [
            REASONS,
            officer_act("receive_reasons", D(2024, 6, 10), text="研究之用"),
            officer_act("set_reply_period", D(2024, 6, 11), reply_days=40, reason="需调取档案"),
        ],
    ),
    "third_party_notice": (
        "third_party_notice",
        [
            officer_act("start_consultation", D(2024, 6, 5), party="某公司"),
            officer_act("end_consultation", D(2024, 6, 6), opinion="objected"),
            officer_act("notify_third_party", D(2024, 6, 7), content="中标金额", reason="公共利益"),
        ],
    ),
}


def build(kind: str, req: Request, ev: Event, cal: Any) -> str:
    if kind in ("agency_consultation_letter", "third_party_notice"):
        return letter(kind, req, ev, ("", ""))
    return consultation_letter(req, ev) if kind == "consultation_letter" else draft(req, ev, cal)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_letter_refuses_each_missing_fact(session: Any, world: Any, case: str) -> None:
    kind, steps = CASES[case]
    req = new(session, world)
    for step in steps:
        step(session, world, req)
    ev = req.events[-1]
    cal = current_calendar(session)
    required = facts.required(kind, req, ev)
    assert len(required) >= 4
    whole, whole_ev = copy_of(req), None
    whole_ev = next(e for e in whole.events if e.seq == ev.seq)
    text = build(kind, whole, whole_ev, cal)
    assert "—" not in re.sub(r"\d+—\d+", "", text)  # 第31—40页 is a range, not a placeholder
    for fact in required:
        broken, broken_ev = without(req, ev.seq, fact)
        with pytest.raises(facts.MissingFacts) as caught:
            build(kind, broken, broken_ev, cal)
        assert str(fact.label) in str(caught.value.message), (case, fact)
        assert isinstance(caught.value, IllegalTransition) and caught.value.http_status == 409


def test_every_kind_of_letter_is_covered() -> None:
    """A new kind of document declares its facts (facts.FIXED) and gets a case here."""
    assert set(facts.FIXED) == set(DOCUMENT_KINDS)
    assert {kind for kind, _steps in CASES.values()} == set(facts.FIXED)
    assert {"per_request", "per_page"} == set(facts.PER_BASIS)


def test_a_withdrawal_notice_needs_no_earlier_notice(session: Any, world: Any) -> None:
    req = new(session, world)
    applicant_withdraw(session, req, None, now=LATER)
    assert facts.required("closure_notice", req, req.events[-1]) == facts.FIXED["closure_notice"]


def test_extension_while_paused_states_the_days_left_not_a_missing_date(session: Any, world: Any) -> None:
    req = new(session, world)
    officer_act("start_consultation", D(2024, 6, 5), party="某公司")(session, world, req)
    officer_act("extend", D(2024, 6, 6), days=10, reason="需要调取档案")(session, world, req)
    text = draft(req, req.events[-1], current_calendar(session))
    assert req.due_on is None and "—" not in text
    assert f"延长后剩余的答复期限为{req.remaining_days}个工作日" in text
