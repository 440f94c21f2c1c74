"""The information processing fee (docs/rules.md §Fees; the fee measures, 国办函〔2020〕109号): both
standards computed as the measures set them (Art. 3–5), the applicant's requests of the month counted by
identity number (not by name), the officer lowering but never raising the fee, the notice (Art. 6) and the
payment recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID, applicant, at
from webapp.domain import fees
from webapp.domain.calendar import current_calendar
from webapp.domain.documents import documents_of, view_of
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.requests import act, available_actions, submit
from webapp.domain.states import Status
from webapp.models import DocumentSettings, Request

D = dt.date
LATER = at(D(2024, 8, 30))
OTHER_ZHANG_SAN = "110105198001010016"  # another 张三: same name, another resident ID (check digit 6)


# -- the standards as numbers (Art. 4 and 5) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "yuan"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400), (61, 500)],
)
def test_per_request_rate_of_each_place_in_the_month(place: int, yuan: int) -> None:
    assert fees.per_request_rate(place) == yuan


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [
        (1, 0),
        (30, 0),
        (31, 10),  # page 31 at 10
        (100, 700),  # 70 pages at 10
        (101, 720),  # 700 + page 101 at 20
        (200, 2700),  # 700 + 100 × 20
        (201, 2740),  # 2,700 + page 201 at 40
        (250, 4700),  # 2,700 + 50 × 40
    ],
)
def test_per_page_fee_is_progressive(pages: int, yuan: int) -> None:
    assert fees.per_page_fee(pages) == yuan


def test_the_computation_is_written_out() -> None:
    assert fees.compute("per_page", 201).steps == [
        "提供的政府信息共201页",
        "30页以下（含30页）不收费",
        "第31—100页，70页×10元/页＝700元",
        "第101—200页，100页×20元/页＝2000元",
        "第201—201页，1页×40元/页＝40元",
        "合计2740元",
    ]
    assert fees.compute("per_request", 41).steps[-1] == "第41件适用300元/件：300元"


# -- counting the applicant's requests of the month ------------------------------------------------------


def file(
    session: Any, world: Any, received_on: dt.date, *, id_number: str = VALID_RESIDENT_ID, **who: Any
) -> Request:
    who_agency = {"agency": who.pop("agency")} if "agency" in who else {}
    req, _ = submit(
        session,
        agency=who_agency.get("agency", world["agency"]),
        applicant=applicant(id_number=id_number, **who),
        description="申请公开某项目的批复文件",
        delivery="email",
        now=LATER,
        channel="letter",
        received_on=received_on,
        registered_by=world["officer"] if "agency" not in who_agency else world["other_officer"],
        require_late_reason=False,
    )
    return req


def june(n: int) -> dt.date:
    """The n-th working day of June 2024 from the 3rd, several requests a day (06-10 端午节 aside)."""
    days = [D(2024, 6, d) for d in (3, 4, 5, 6, 7, 11, 12, 13, 14, 17, 18)]
    return days[(n - 1) // 4]


def ask(session: Any, world: Any, req: Request, **fields: Any) -> Request:
    return act(
        session,
        req,
        "request_fee",
        world["officer"],
        now=LATER,
        on=max(req.received_on, D(2024, 6, 18)),
        **fields,
    )


def test_per_request_fee_by_the_applicants_place_in_the_month(session: Any, world: Any) -> None:
    """张三 (ID 11010519491231002X) files 41 requests in June 2024; another 张三 (another ID) files 11;
    张三's requests of May 31 and July 1 and those to another agency are not June's."""
    file(session, world, D(2024, 5, 31))
    file(session, world, D(2024, 7, 1))
    file(session, world, D(2024, 6, 5), agency=world["other"])
    mine = [file(session, world, june(n)) for n in range(1, 42)]
    theirs = [file(session, world, june(n), id_number=OTHER_ZHANG_SAN) for n in range(1, 12)]
    assert [fees.place_in_month(session, mine[i - 1]) for i in (1, 10, 11, 30, 31, 41)] == [
        1,
        10,
        11,
        30,
        31,
        41,
    ]
    for place, yuan in ((11, 100), (30, 100), (31, 200), (41, 300)):
        req = ask(session, world, mine[place - 1], basis="per_request")
        assert req.status == Status.AWAITING_FEE
        assert fees.fee_view(req) == {
            "basis": "per_request",
            "count_in_month": place,
            "split_into": 1,
            "computed_yuan": float(yuan),
            "amount_yuan": float(yuan),
            "requested_on": D(2024, 6, 18),
            "paid_on": None,
        }
        assert f"第{place}件" in req.events[-1].note
    with pytest.raises(IllegalTransition) as caught:  # the 10th: free, no fee notice
        ask(session, world, mine[9], basis="per_request")
    assert "0元" in str(caught.value.message)
    assert mine[9].status == Status.RECEIVED
    # The other 张三's 10th and 11th: counted apart from the first 张三's 41.
    assert fees.place_in_month(session, theirs[9]) == 10
    with pytest.raises(IllegalTransition):
        ask(session, world, theirs[9], basis="per_request")
    assert ask(session, world, theirs[10], basis="per_request").events[-1].data["count_in_month"] == 11


def test_the_month_is_the_natural_month_of_receipt(session: Any, world: Any) -> None:
    """Eleven requests received 05-20 … 05-31 and one on 06-03: the one of May 31 is May's 11th (100
    yuan), the one of June 3 is June's first (free)."""
    may = [
        file(session, world, D(2024, 5, 20) + dt.timedelta(days=d)) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 10)
    ]
    last_of_may = file(session, world, D(2024, 5, 31))
    first_of_june = file(session, world, D(2024, 6, 3))
    assert len(may) == 10 and fees.place_in_month(session, last_of_may) == 11
    assert fees.place_in_month(session, first_of_june) == 1
    assert ask(session, world, last_of_may, basis="per_request").events[-1].data["computed_yuan"] == 100.0
    with pytest.raises(IllegalTransition):
        ask(session, world, first_of_june, basis="per_request")


def test_an_organisation_is_counted_by_its_credit_code(session: Any, world: Any) -> None:
    company = {"type": "commercial_enterprise", "name": "某某有限公司", "id_kind": "credit_code"}
    reqs = [file(session, world, june(n), id_number=VALID_CREDIT_CODE, **company) for n in range(1, 12)]
    assert fees.place_in_month(session, reqs[-1]) == 11


def test_no_per_request_fee_without_an_identity_number(session: Any, world: Any) -> None:
    req = file(session, world, D(2024, 6, 3))
    req.applicant_id_number, req.applicant_id_kind = None, None  # as an e-mailed request arrives
    with pytest.raises(IllegalTransition) as caught:
        ask(session, world, req, basis="per_request")
    assert "basis" in caught.value.fields


# -- the officer's amount ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"basis": "per_page", "pages": 40, "amount_yuan": 100.01}, "amount_yuan"),  # raised
        ({"basis": "per_page", "pages": 40, "amount_yuan": 80}, "reduction_reason"),  # lowered, no reason
        ({"basis": "per_page"}, "pages"),
        ({"basis": "per_page", "pages": 0}, "pages"),
        ({"basis": "per_request", "pages": 40}, "pages"),  # never both standards
        ({"basis": "per_weight", "pages": 40}, "basis"),
        ({"pages": 40}, "basis"),
        ({"basis": "per_page", "pages": 40, "amount_yuan": -1}, "amount_yuan"),
    ],
)
def test_bad_fee_fields_are_named_and_change_nothing(
    session: Any, world: Any, fields: Any, field: str
) -> None:
    req = file(session, world, D(2024, 6, 3))
    with pytest.raises(ValidationError) as caught:
        ask(session, world, req, **fields)
    assert field in caught.value.fields
    assert req.status == Status.RECEIVED and len(req.events) == 1


def test_the_officer_may_lower_the_fee_with_a_reason(session: Any, world: Any) -> None:
    req = ask(
        session,
        world,
        file(session, world, D(2024, 6, 3)),
        basis="per_page",
        pages=101,
        amount_yuan=500,
        reduction_reason="申请人为低保户",
    )
    assert fees.fee_view(req) == {
        "basis": "per_page",
        "pages": 101,
        "computed_yuan": 720.0,
        "amount_yuan": 500.0,
        "reduction_reason": "申请人为低保户",
        "requested_on": D(2024, 6, 18),
        "paid_on": None,
    }


@pytest.mark.parametrize(
    "fields", [{"pages": 30}, {"pages": 101, "amount_yuan": 0, "reduction_reason": "免收"}]
)
def test_no_fee_notice_for_nothing(session: Any, world: Any, fields: Any) -> None:
    req = file(session, world, D(2024, 6, 3))
    with pytest.raises(IllegalTransition):
        ask(session, world, req, basis="per_page", **fields)
    assert req.status == Status.RECEIVED


# -- the payment -----------------------------------------------------------------------------------------


def test_the_payment_is_recorded_with_its_date_amount_and_receipt(session: Any, world: Any) -> None:
    req = ask(session, world, file(session, world, D(2024, 6, 3)), basis="per_page", pages=40)
    with pytest.raises(ValidationError) as caught:
        act(
            session,
            req,
            "receive_fee",
            world["officer"],
            now=LATER,
            on=D(2024, 6, 25),
            amount_yuan=90,
            receipt_number="",
        )
    assert set(caught.value.fields) == {"amount_yuan", "receipt_number"}
    assert req.status == Status.AWAITING_FEE
    act(
        session,
        req,
        "receive_fee",
        world["officer"],
        now=LATER,
        on=D(2024, 6, 25),
        amount_yuan=100,
        receipt_number="No.2024-0031",
    )
    paid = req.events[-1]
    assert (paid.type, paid.on, paid.data) == (
        "fee_received",
        D(2024, 6, 25),
        {"amount_yuan": 100.0, "receipt_number": "No.2024-0031"},
    )
    assert "财政票据号No.2024-0031" in paid.note
    view = fees.fee_view(req)
    assert view is not None and (view["paid_on"], view["paid_yuan"], view["receipt_number"]) == (
        D(2024, 6, 25),
        100.0,
        "No.2024-0031",
    )
    assert req.status == Status.IN_PROGRESS


# -- from Art. 7 on (docs/rules.md §Fees, as the provincial notices implementing the measures restate them)


def test_no_fee_for_a_request_received_before_the_measures_applied(session: Any, world: Any) -> None:
    """The measures apply from 2021-01-01 (黑龙江省财政厅 2021-01-06: 自2021年1月1日起…收取信息处理费)."""
    old = file(session, world, D(2020, 12, 28))
    with pytest.raises(IllegalTransition) as caught:
        act(
            session,
            old,
            "request_fee",
            world["officer"],
            now=LATER,
            on=D(2020, 12, 30),
            basis="per_page",
            pages=40,
        )
    assert "2021年1月1日" in str(caught.value.message)
    assert old.status == Status.RECEIVED and not any(e.type == "fee_requested" for e in old.events)
    new = file(session, world, D(2021, 1, 4))
    act(
        session, new, "request_fee", world["officer"], now=LATER, on=D(2021, 1, 5), basis="per_page", pages=40
    )
    assert new.status == Status.AWAITING_FEE


def test_the_fee_notice_is_sent_within_the_handling_period(session: Any, world: Any) -> None:
    """The notice is sent 在政府信息公开申请处理期限内 (四川省财政厅、发展改革委 2021-01-18, restating the
    measures): a request past its due date gets none, and the page does not offer it."""
    req = file(session, world, D(2024, 6, 3))  # due 2024-07-02
    assert req.due_on == D(2024, 7, 2)
    cal = current_calendar(session)
    assert "request_fee" in available_actions(req, "officer", today=D(2024, 7, 2), cal=cal)
    assert "request_fee" not in available_actions(req, "officer", today=D(2024, 7, 3), cal=cal)
    with pytest.raises(IllegalTransition) as caught:
        act(
            session,
            req,
            "request_fee",
            world["officer"],
            now=LATER,
            on=D(2024, 7, 3),
            basis="per_page",
            pages=40,
        )
    assert "on" in caught.value.fields and req.status == Status.RECEIVED
    act(
        session, req, "request_fee", world["officer"], now=LATER, on=D(2024, 7, 2), basis="per_page", pages=40
    )
    assert req.status == Status.AWAITING_FEE


def test_the_payment_is_against_a_fiscal_receipt(session: Any, world: Any) -> None:
    """The agency issues a fiscal receipt (财政票据) for the fee (江苏 苏政办函〔2020〕133号,
    皖财综〔2021〕28号): the notice says so, the payment records its number."""
    req = ask(session, world, file(session, world, D(2024, 6, 3)), basis="per_page", pages=40)
    notice = next(view_of(d) for d in documents_of(session, req) if d.kind == "fee_notice")
    assert "财政票据" in notice.body
    act(
        session,
        req,
        "receive_fee",
        world["officer"],
        now=LATER,
        on=D(2024, 6, 25),
        amount_yuan=100,
        receipt_number="皖0031",
    )
    assert req.events[-1].data["receipt_number"] == "皖0031" and "财政票据号皖0031" in req.events[-1].note


def test_the_notice_states_how_to_pay_and_none_is_sent_without_it(session: Any, world: Any) -> None:
    """A fee notice states how to pay (the measures' notice: 缴费方式); a notice once said only "按本机关
    告知的缴款方式" and the applicant could not pay. The way is the agency's setting, frozen into the notice;
    an agency that has set none sends no fee notice, saying why."""
    settings = session.get(DocumentSettings, world["agency"].id)
    settings.fee_payment = ""
    session.flush()
    req = file(session, world, D(2024, 6, 3))
    with pytest.raises(IllegalTransition) as caught:
        ask(session, world, req, basis="per_page", pages=40)
    assert "缴纳方式" in str(caught.value.message)
    assert req.status == Status.RECEIVED and not any(e.type == "fee_requested" for e in req.events)

    settings.fee_payment = (
        "转账至户名：示范市财政局非税收入专户，开户银行：示范银行人民路支行，账号：6222000011112222"
    )
    session.flush()
    ask(session, world, req, basis="per_page", pages=40)
    notice = next(view_of(d) for d in documents_of(session, req) if d.kind == "fee_notice")
    assert "按以下方式缴纳：转账至户名：示范市财政局非税收入专户" in notice.body
    assert "账号：6222000011112222。缴款时请注明申请编号" in notice.body
    settings.fee_payment = "到本机关窗口缴纳"  # a later change leaves the notice sent as it was
    session.flush()
    again = next(view_of(d) for d in documents_of(session, req) if d.kind == "fee_notice")
    assert "6222000011112222" in again.body
