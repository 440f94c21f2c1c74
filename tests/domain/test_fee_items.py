"""按件计收 with a request split into items (docs/rules.md §Fees; the fee measures Art. 4 ¶1: 一事一申请,
拆分计算件数): a request split into N items occupies N places of the applicant's month, its fee the sum of
their rates; an earlier split request moves the places of the later ones of that month only. Figures
counted by hand in each test's docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.domain.test_fees import OTHER_ZHANG_SAN, ask, file, june
from webapp.domain import fees
from webapp.domain.documents import documents_of, view_of
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.states import Status

D = dt.date


def test_the_ninth_request_split_into_four_costs_200(session: Any, world: Any) -> None:
    """张三's 9th request of June 2024 split into 4 items occupies places 9–12: 0 + 0 + 100 + 100 = 200."""
    earlier = [file(session, world, june(n)) for n in range(1, 9)]
    ninth = file(session, world, june(9))
    assert len(earlier) == 8 and fees.place_in_month(session, ninth) == 9
    req = ask(session, world, ninth, basis="per_request", split_into=4)
    assert req.status == Status.AWAITING_FEE
    ev = req.events[-1]
    assert (ev.data["count_in_month"], ev.data["items"], ev.data["computed_yuan"]) == (9, 4, 200.0)
    assert fees.fee_view(req) == {
        "basis": "per_request",
        "count_in_month": 9,
        "split_into": 4,
        "computed_yuan": 200.0,
        "amount_yuan": 200.0,
        "requested_on": D(2024, 6, 18),
        "paid_on": None,
    }
    assert "按一事一申请原则拆分计为4件，为申请人本自然月内向本机关提出的第9—12件" in ev.note
    assert "第9—10件不收费，第11—12件100元/件，合计200元" in ev.note
    notice = next(view_of(d) for d in documents_of(session, req) if d.kind == "fee_notice")
    assert (
        "本件申请包含多项内容，按一事一申请原则拆分计为4件，为您本自然月内向本机关提出的第9—12件"
        in notice.body
    )
    assert "第9—10件不收费，第11—12件100元/件，合计200元" in notice.body
    assert "人民币200.00元" in notice.body


def test_the_tenth_request_as_one_item_is_free_and_as_two_costs_100(session: Any, world: Any) -> None:
    """The 10th request, 1 item: place 10, 0 yuan, no notice; 2 items: places 10–11, 0 + 100 = 100."""
    for n in range(1, 10):
        file(session, world, june(n))
    tenth = file(session, world, june(10))
    with pytest.raises(IllegalTransition) as caught:
        ask(session, world, tenth, basis="per_request", split_into=1)
    assert "0元" in str(caught.value.message) and tenth.status == Status.RECEIVED
    req = ask(session, world, tenth, basis="per_request", split_into=2)
    assert (req.events[-1].data["computed_yuan"], req.events[-1].data["items"]) == (100.0, 2)
    assert "第10件不收费，第11件100元/件，合计100元" in req.events[-1].note


def test_a_split_request_moves_the_later_ones_of_its_month_only(session: Any, world: Any) -> None:
    """张三's 1st June request split into 12 items occupies places 1–12 (10 × 0 + 2 × 100 = 200); his 2nd
    June request is then the 13th (100), his 3rd the 14th. His 1st July request is July's 1st (free). The
    other 张三 (same name, another ID) sending his 2nd June request is at place 2 (free)."""
    first, second, third = (file(session, world, june(n)) for n in (1, 2, 3))
    july = file(session, world, D(2024, 7, 1))
    other = [file(session, world, june(n), id_number=OTHER_ZHANG_SAN) for n in (1, 2)]
    assert fees.place_in_month(session, second) == 2
    assert (
        ask(session, world, first, basis="per_request", split_into=12).events[-1].data["computed_yuan"]
        == 200.0
    )
    assert fees.place_in_month(session, second) == 13
    assert fees.place_in_month(session, third) == 14
    assert ask(session, world, second, basis="per_request").events[-1].data["computed_yuan"] == 100.0
    assert fees.place_in_month(session, july) == 1
    assert fees.place_in_month(session, other[1]) == 2
    with pytest.raises(IllegalTransition):
        ask(session, world, other[1], basis="per_request")
    with pytest.raises(IllegalTransition):
        ask(session, world, july, basis="per_request", split_into=10)  # July's places 1–10: 0


def test_an_earlier_request_charged_by_pages_counts_as_one(session: Any, world: Any) -> None:
    """A fee notice by pages records no items: its request counts as 1; the 2nd request is the 2nd."""
    first, second = file(session, world, june(1)), file(session, world, june(2))
    ask(session, world, first, basis="per_page", pages=40)
    assert fees.place_in_month(session, second) == 2


def test_the_split_fee_may_be_lowered_with_a_reason(session: Any, world: Any) -> None:
    for n in range(1, 9):
        file(session, world, june(n))
    ninth = file(session, world, june(9))
    with pytest.raises(ValidationError) as caught:
        ask(session, world, ninth, basis="per_request", split_into=4, amount_yuan=250)
    assert "amount_yuan" in caught.value.fields
    req = ask(
        session,
        world,
        ninth,
        basis="per_request",
        split_into=4,
        amount_yuan=150,
        reduction_reason="申请人为低保户",
    )
    assert fees.fee_view(req) is not None and fees.fee_view(req)["amount_yuan"] == 150.0  # type: ignore[index]
    assert req.events[-1].data["computed_yuan"] == 200.0


@pytest.mark.parametrize(
    "fields",
    [
        {"basis": "per_page", "pages": 40, "split_into": 2},  # items are counted by request only
        {"basis": "per_request", "split_into": 0},
        {"basis": "per_request", "split_into": 101},
        {"basis": "per_request", "split_into": 2.5},
        {"basis": "per_request", "split_into": "3"},
        {"basis": "per_request", "split_into": True},
    ],
)
def test_bad_items_are_named_and_change_nothing(session: Any, world: Any, fields: Any) -> None:
    for n in range(1, 12):
        file(session, world, june(n))
    req = file(session, world, june(12))
    with pytest.raises(ValidationError) as caught:
        ask(session, world, req, **fields)
    assert "split_into" in caught.value.fields
    assert req.status == Status.RECEIVED and len(req.events) == 1
