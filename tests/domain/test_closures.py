"""Closures wait for their facts (docs/rules.md §Closures): a request is closed for a lapsed correction or
an unpaid fee only when that notice was sent, is still unanswered, and its period has lapsed as of `on` —
the day after the last working day of the period (2019 Regulations Art. 30 and 42; the fee measures,
国办函〔2020〕109号, Art. 6: 20 working days from the day after the notice). Dates counted by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import at, make_request
from webapp.domain.errors import IllegalTransition
from webapp.domain.requests import act
from webapp.domain.states import Status
from webapp.models import Request

D = dt.date
RECEIVED = D(2024, 6, 3)  # a Monday, 2019 rules
LATER = at(D(2024, 8, 30))  # the acts below may be dated up to this day
# A correction asked on Tuesday 06-04 for 10 working days: 06-05, 06, 07 (3); 06-10 端午节 skipped;
# 06-11 to 14 (7); 06-17, 18, 19 (10). The period ends on Wednesday 06-19 and lapses on 06-20.
CORRECTION_ASKED, CORRECTION_LAST, CORRECTION_LAPSES = D(2024, 6, 4), D(2024, 6, 19), D(2024, 6, 20)
# A fee notice sent on 06-04, 20 working days from the day after: 06-05 to 07 (3), 06-11 to 14 (7),
# 06-17 to 21 (12), 06-24 to 28 (17), 07-01, 02, 03 (20). Paid by Wednesday 07-03; lapses on 07-04.
FEE_ASKED, FEE_LAST, FEE_LAPSES = D(2024, 6, 4), D(2024, 7, 3), D(2024, 7, 4)


def accepted(session: Any, world: dict[str, Any]) -> Request:
    req, _ = make_request(session, LATER, world["agency"], received_on=RECEIVED, officer=world["officer"])
    act(session, req, "accept", world["officer"], now=LATER, on=RECEIVED)
    return req


def correction_asked(session: Any, world: dict[str, Any]) -> Request:
    req = accepted(session, world)
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=LATER,
        on=CORRECTION_ASKED,
        items="请写明文件名称",
        period_days=10,
    )
    return req


def fee_asked(session: Any, world: dict[str, Any]) -> Request:
    req = accepted(session, world)
    act(session, req, "request_fee", world["officer"], now=LATER, on=FEE_ASKED, basis="per_page", pages=40)
    return req


def close(session: Any, req: Request, actor: Any, on: dt.date, outcome: str) -> Request:
    return act(session, req, "close", actor, now=LATER, on=on, outcome=outcome)


@pytest.mark.parametrize("on", [D(2024, 6, 5), D(2024, 6, 11), CORRECTION_LAST])
def test_a_correction_is_not_lapsed_within_its_period(session: Any, world: Any, on: dt.date) -> None:
    req = correction_asked(session, world)
    with pytest.raises(IllegalTransition) as caught:
        close(session, req, world["officer"], on, "closed_correction_lapsed")
    assert "期限尚未届满" in str(caught.value.message)
    assert "期限至2024年6月19日，2024年6月20日起" in str(caught.value.fields["on"])
    assert req.status == Status.AWAITING_CORRECTION and req.outcome is None
    assert [e.type for e in req.events][-1] == "correction_requested"


def test_a_correction_lapses_the_day_after_its_last_working_day(session: Any, world: Any) -> None:
    req = correction_asked(session, world)
    assert req.wait_ends_on == CORRECTION_LAPSES
    close(session, req, world["officer"], CORRECTION_LAPSES, "closed_correction_lapsed")
    assert (req.status, req.outcome, req.finished_on) == (
        Status.REPLIED,
        "closed_correction_lapsed",
        CORRECTION_LAPSES,
    )


def test_no_lapsed_correction_without_a_correction_notice(session: Any, world: Any) -> None:
    req = accepted(session, world)
    with pytest.raises(IllegalTransition) as caught:
        close(session, req, world["officer"], D(2024, 7, 31), "closed_correction_lapsed")
    assert "没有待补正的补正告知" in str(caught.value.message)
    assert req.status == Status.IN_PROGRESS


def test_no_lapsed_correction_once_the_correction_arrived(session: Any, world: Any) -> None:
    req = correction_asked(session, world)
    act(session, req, "receive_correction", world["officer"], now=LATER, on=D(2024, 6, 12))
    with pytest.raises(IllegalTransition):
        close(session, req, world["officer"], D(2024, 7, 31), "closed_correction_lapsed")
    assert req.status == Status.IN_PROGRESS


@pytest.mark.parametrize("on", [D(2024, 6, 5), D(2024, 6, 28), FEE_LAST])
def test_a_fee_is_not_unpaid_within_its_period(session: Any, world: Any, on: dt.date) -> None:
    req = fee_asked(session, world)
    with pytest.raises(IllegalTransition) as caught:
        close(session, req, world["officer"], on, "closed_fee_unpaid")
    assert "期限至2024年7月3日，2024年7月4日起" in str(caught.value.fields["on"])
    assert req.status == Status.AWAITING_FEE and req.outcome is None


def test_an_unpaid_fee_lapses_the_day_after_its_twentieth_working_day(session: Any, world: Any) -> None:
    req = fee_asked(session, world)
    assert req.wait_ends_on == FEE_LAPSES
    close(session, req, None, FEE_LAPSES, "closed_fee_unpaid")
    assert (req.status, req.outcome, req.finished_on) == (Status.REPLIED, "closed_fee_unpaid", FEE_LAPSES)


def test_no_unpaid_fee_without_a_fee_notice(session: Any, world: Any) -> None:
    req = accepted(session, world)
    with pytest.raises(IllegalTransition) as caught:
        close(session, req, world["officer"], D(2024, 7, 31), "closed_fee_unpaid")
    assert "没有待缴费的信息处理费缴费通知" in str(caught.value.message)
    assert req.status == Status.IN_PROGRESS and req.events[-1].type != "closed"


def test_no_unpaid_fee_once_paid(session: Any, world: Any) -> None:
    req = fee_asked(session, world)
    act(
        session,
        req,
        "receive_fee",
        world["officer"],
        now=LATER,
        on=D(2024, 6, 20),
        amount_yuan=100,
        receipt_number="1",
    )
    with pytest.raises(IllegalTransition):
        close(session, req, world["officer"], D(2024, 7, 31), "closed_fee_unpaid")


def test_closed_other_waits_for_nothing(session: Any, world: Any) -> None:
    req = accepted(session, world)
    close(session, req, world["officer"], D(2024, 6, 5), "closed_other")
    assert req.outcome == "closed_other"
