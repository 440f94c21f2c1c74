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
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.fees import yuan
from webapp.domain.reports.scope import year_bounds
from webapp.models import Event, Request

FEE_EVENTS = ("fee_requested", "fee_received")


class FeeFigures(TypedDict):
    notices: int
    charged_yuan: Decimal
    paid: int
    collected_yuan: Decimal


def fee_figures(session: Session, agency_ids: Sequence[int], year: int) -> FeeFigures:
    """The fee notices and payments of the agencies' requests in the year."""
    start, end = year_bounds(year)
    figures = FeeFigures(notices=0, charged_yuan=Decimal("0.00"), paid=0, collected_yuan=Decimal("0.00"))
    if not agency_ids:
        return figures
    # Every fee event of the requests with a fee event in the year (a payment's notice may be older).
    touched = (
        select(Event.request_id)
        .join(Request, Request.id == Event.request_id)
        .where(
            Request.agency_id.in_(list(agency_ids)),
            Event.type.in_(FEE_EVENTS),
            Event.on >= start,
            Event.on <= end,
        )
    )
    rows = session.execute(
        select(Event.request_id, Event.type, Event.on, Event.data)
        .where(Event.request_id.in_(touched), Event.type.in_(FEE_EVENTS))
        .order_by(Event.request_id, Event.seq)
    ).all()
    asked: dict[int, Decimal] = {}  # the amount of each request's latest notice
    for request_id, type_, on, data in rows:
        amount = yuan((data or {}).get("amount_yuan"))
        in_year = start <= on <= end
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
    return figures
