"""The year's information processing fees (信息处理费) of some agencies, for the annual report's section
六 (docs/rules.md §Fees): the fee notices sent in the year and the amounts they asked, the payments
recorded in the year and the amounts received.

Both come from the requests' history: a `fee_requested` event is one notice (its `amount_yuan` the amount
asked, after any reduction), a `fee_received` event one payment (its `amount_yuan` the amount received;
a payment recorded before amounts were recorded counts the amount of the notice it settled). A notice
counts in the year it was sent, a payment in the year it was received.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session

from webapp.domain.fees import yuan
from webapp.domain.reports.scope import year_bounds
from webapp.models import Event, Request

FEE_EVENTS = ("fee_requested", "fee_received")
# session.info key: {year: the fee figures of every agency}, with the transaction they were read in
_MEMO = "annual_fee_figures"


class FeeFigures(TypedDict):
    notices: int
    charged_yuan: Decimal
    paid: int
    collected_yuan: Decimal


def _zero() -> FeeFigures:
    return FeeFigures(notices=0, charged_yuan=Decimal("0.00"), paid=0, collected_yuan=Decimal("0.00"))


def fee_figures(session: Session, agency_ids: Sequence[int], year: int) -> FeeFigures:
    """The fee notices and payments of the agencies' requests in the year: the sum of each agency's
    figures as `fees_by_agency` reads them."""
    figures = _zero()
    by_agency = fees_by_agency(session, year, agency_ids) if agency_ids else {}
    for agency_id in agency_ids:
        found = by_agency.get(agency_id)
        if found is not None:
            for key in figures:
                figures[key] += found[key]  # type: ignore[literal-required]
    return figures


def fees_by_agency(session: Session, year: int, agency_ids: Sequence[int]) -> dict[int, FeeFigures]:
    """The agencies' fee figures of the year, per agency, kept for the transaction: the first agencies
    asked for are read alone (one report costs what it did), and as soon as other agencies are asked for
    in the same transaction every agency's are read by one query over the year's fee events (the partial
    index ix_request_events_fees) — drafting a hundred reports reads them twice, not a hundred times
    (bench/annual_report.py). A flush, or an insert, update or delete executed through the session,
    forgets them (`_forget`)."""
    real = session() if isinstance(session, scoped_session) else session
    memo = real.info.get(_MEMO)
    transaction = real.get_transaction()
    if memo is None or transaction is None or memo[0] is not transaction:
        memo = (transaction, {})
    by_year: dict[int, tuple[frozenset[int] | None, dict[int, FeeFigures]]] = memo[1]
    wanted = frozenset(agency_ids)
    read = by_year.get(year)
    if read is None or (read[0] is not None and not wanted <= read[0]):
        everyone = read is not None  # others were asked for already: read them all
        by_year[year] = (None if everyone else wanted, _read(real, year, None if everyone else wanted))
        real.info[_MEMO] = (real.get_transaction(), by_year)
    return by_year[year][1]


def _read(session: Session, year: int, agency_ids: frozenset[int] | None) -> dict[int, FeeFigures]:
    """The fee figures per agency of the year: of the agencies given, or of every agency (None)."""
    start, end = year_bounds(year)
    # Every fee event of the requests with a fee event in the year (a payment's notice may be older).
    touched = select(Event.request_id).where(Event.type.in_(FEE_EVENTS), Event.on >= start, Event.on <= end)
    if agency_ids is not None:
        touched = touched.join(Request, Request.id == Event.request_id).where(
            Request.agency_id.in_(sorted(agency_ids))
        )
    rows = session.execute(
        select(Request.agency_id, Event.request_id, Event.type, Event.on, Event.data)
        .join(Request, Request.id == Event.request_id)
        .where(Event.request_id.in_(touched), Event.type.in_(FEE_EVENTS))
        .order_by(Event.request_id, Event.seq)
    ).all()
    out: dict[int, FeeFigures] = {}
    asked: dict[int, Decimal] = {}  # the amount of each request's latest notice
    for agency_id, request_id, type_, on, data in rows:
        amount = yuan((data or {}).get("amount_yuan"))
        in_year = start <= on <= end
        figures = out.setdefault(agency_id, _zero())
        if type_ == "fee_requested":
            asked[request_id] = amount
            if in_year:
                figures["notices"] += 1
                figures["charged_yuan"] += amount
        elif in_year:
            figures["paid"] += 1
            figures["collected_yuan"] += (
                amount if "amount_yuan" in (data or {}) else asked.get(request_id, Decimal("0.00"))
            )
    return out


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session: Session, flush_context: Any) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "do_orm_execute")
def _forget(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_MEMO, None)
