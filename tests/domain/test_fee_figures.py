"""The year's fee figures for the annual report's section 六 (docs/rules.md §Fees): equal to the notices
and payments recorded, on generated data over two years and two agencies."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from tests.factories import make_request
from webapp.domain.reports import fee_figures
from webapp.domain.requests import act

D = dt.date


def test_fee_figures_equal_the_recorded_notices_and_payments(
    session: Any, now: dt.datetime, world: Any
) -> None:
    rnd = random.Random(16)
    officer, other = world["officer"], world["other_officer"]
    expected: dict[tuple[str, int], dict[str, Any]] = {}

    def book(code: str, year: int) -> dict[str, Any]:
        return expected.setdefault(
            (code, year),
            {"notices": 0, "charged_yuan": Decimal("0.00"), "paid": 0, "collected_yuan": Decimal("0.00")},
        )

    for i in range(40):
        agency, actor = (world["agency"], officer) if i % 3 else (world["other"], other)
        received = D(2023, 10, 9) + dt.timedelta(days=rnd.randrange(0, 200))
        received = min(received, D(2024, 5, 10))
        while received.weekday() > 4:
            received -= dt.timedelta(days=1)
        req, _ = make_request(session, now, agency, received_on=received, officer=actor)
        act(session, req, "accept", actor, now=now, on=received)
        if rnd.random() < 0.2:
            continue  # no fee
        asked_on = received + dt.timedelta(days=rnd.randrange(0, 5))
        pages, amount = rnd.choice([(40, "100"), (101, "720"), (101, "250.5"), (201, "2740"), (34, "40")])
        amount = Decimal(amount)
        lowered = (
            {"amount_yuan": float(amount), "reduction_reason": "部分减免"}
            if pages == 101 and amount < 720
            else {}
        )
        act(
            session, req, "request_fee", actor, now=now, on=asked_on, basis="per_page", pages=pages, **lowered
        )
        figures = book(agency.code, asked_on.year)
        figures["notices"] += 1
        figures["charged_yuan"] += amount
        if rnd.random() < 0.7:
            paid_on = asked_on + dt.timedelta(days=rnd.randrange(1, 20))
            act(
                session,
                req,
                "receive_fee",
                actor,
                now=now,
                on=paid_on,
                amount_yuan=float(amount),
                receipt_number=f"N{i}",
            )
            paid = book(agency.code, paid_on.year)
            paid["paid"] += 1
            paid["collected_yuan"] += amount
    session.flush()
    assert any(k[1] == 2023 and v["paid"] for k, v in expected.items())
    assert any(k[1] == 2024 and v["paid"] for k, v in expected.items())
    empty = {"notices": 0, "charged_yuan": Decimal("0.00"), "paid": 0, "collected_yuan": Decimal("0.00")}
    for year in (2023, 2024):
        for agency in (world["agency"], world["other"]):
            assert fee_figures(session, [agency.id], year) == expected.get((agency.code, year), empty)
        both = fee_figures(session, [world["agency"].id, world["other"].id], year)
        mine, theirs = expected.get(("CITYHR", year), empty), expected.get(("CITYENV", year), empty)
        assert both == {k: mine[k] + theirs[k] for k in empty}
    assert fee_figures(session, [world["agency"].id], 2022) == empty
    assert fee_figures(session, [], 2024) == empty


def test_a_fee_recorded_after_the_figures_were_read_counts_at_once(
    session: Any, now: dt.datetime, world: Any
) -> None:
    """The year's figures are read once per transaction for every agency (drafting a hundred reports),
    and forgotten by the next write: a notice recorded in the same transaction counts in them."""
    officer, agency = world["officer"], world["agency"]
    req, _ = make_request(session, now, agency, received_on=D(2024, 3, 4), officer=officer)
    act(session, req, "accept", officer, now=now, on=D(2024, 3, 4))
    session.flush()
    assert fee_figures(session, [agency.id], 2024)["notices"] == 0
    act(session, req, "request_fee", officer, now=now, on=D(2024, 3, 5), basis="per_page", pages=40)
    assert fee_figures(session, [agency.id], 2024) == {
        "notices": 1,
        "charged_yuan": Decimal("100.00"),
        "paid": 0,
        "collected_yuan": Decimal("0.00"),
    }
    assert fee_figures(session, [world["other"].id], 2024)["notices"] == 0
