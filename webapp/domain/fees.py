"""The information processing fee (信息处理费) as the fee measures set it (docs/rules.md §Fees):
《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号.

- Art. 3: two standards, 按件 (per request) and 按量 (per page), both progressive (超额累进); the agency
  picks one per request, never both (`basis`).
- Art. 4: per request — the same applicant's requests in one natural month: up to 10 free; the 11th to
  the 30th, 100 yuan each; from the 31st, each further band of 10 costs 100 yuan more each (31st–40th
  200, 41st–50th 300, …). A request's fee is the rate of its place in the month's count. A request with
  several matters may be split into the smallest reasonable units (一事一申请): split into N items it
  counts as N requests, occupying N places in a row, and its fee is the sum of their rates (`items`).
- Art. 5: per page — up to 30 pages free; the pages from 31 to 100, 10 yuan each; from 101 to 200, 20
  yuan each; from 201 on, 40 yuan each; each band charged for the pages within it.
- Art. 6: the notice states the basis, the standard, the amount and how to pay; it is paid within 20
  working days from the day after it is sent, or the request is treated as abandoned (`FEE_PERIOD_DAYS`).

From Art. 7 on (docs/rules.md §Fees, as the provincial notices implementing the measures restate them):
- the measures apply from 2021-01-01: no fee for a request received before (`IN_FORCE`);
- the notice is sent within the request's handling period: not after its due date;
- the fee is paid against a fiscal receipt (财政票据) the agency issues; its number is recorded.

The same applicant is found by identity document number or unified social credit code, never by the
name typed in (two 张三 are two applicants).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from webapp.domain.calendar import WorkCalendar
from webapp.models import Event, Request

PER_REQUEST, PER_PAGE = "per_request", "per_page"
BASES = (PER_REQUEST, PER_PAGE)
BASIS_NAMES = {PER_REQUEST: "按件计收", PER_PAGE: "按量计收"}
FEE_PERIOD_DAYS = 20  # Art. 6: working days from the day after the notice
MAX_PAGES = 1_000_000
MAX_ITEMS = 100  # Art. 4: the items a request is split into (一事一申请), at most
IN_FORCE = dt.date(2021, 1, 1)  # the measures' first day (docs/rules.md §Fees)

FREE_REQUESTS = 10  # Art. 4(1)
FIRST_BAND_END = 30  # Art. 4(2): the 11th to 30th
FIRST_RATE = 100  # yuan per request
BAND = 10  # Art. 4(3): each further band of 10 …
RATE_STEP = 100  # … costs 100 yuan more per request

# Art. 5: (first page, last page or None, yuan per page)
PAGE_BANDS: tuple[tuple[int, int | None, int], ...] = ((31, 100, 10), (101, 200, 20), (201, None, 40))
FREE_PAGES = 30


def yuan(value: object) -> Decimal:
    """An amount in yuan, to the fen (0 for anything that is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def per_request_rate(place: int) -> int:
    """The fee, in yuan, of the applicant's `place`-th request of the month (Art. 4)."""
    if place <= FREE_REQUESTS:
        return 0
    if place <= FIRST_BAND_END:
        return FIRST_RATE
    bands_beyond = (place - FIRST_BAND_END + BAND - 1) // BAND  # 31–40 → 1, 41–50 → 2, …
    return FIRST_RATE + RATE_STEP * bands_beyond


@dataclass(frozen=True)
class PageBand:
    first: int
    last: int
    rate: int

    @property
    def pages(self) -> int:
        return self.last - self.first + 1

    @property
    def yuan(self) -> int:
        return self.pages * self.rate


def page_bands(pages: int) -> list[PageBand]:
    """The chargeable bands of `pages` pages, each with the pages in it (Art. 5)."""
    out = []
    for first, last, rate in PAGE_BANDS:
        if pages < first:
            break
        out.append(PageBand(first, pages if last is None else min(pages, last), rate))
    return out


def per_page_fee(pages: int) -> int:
    """The fee, in yuan, of `pages` pages (Art. 5, progressive)."""
    return sum(b.yuan for b in page_bands(pages))


@dataclass(frozen=True)
class Computation:
    """A fee as the standard gives it, and how: what the notice and the officer's form show."""

    basis: str
    quantity: int  # the request's (first) place in the month's count (按件) or the pages (按量)
    yuan: Decimal
    items: int = (
        1  # 按件: the items the request is split into (一事一申请), places quantity … quantity+items−1
    )

    @property
    def last_place(self) -> int:
        return self.quantity + self.items - 1

    @property
    def steps(self) -> list[str]:
        """The computation written out, one line a step (Chinese, as in the notice to the applicant)."""
        return self.described("您")

    @property
    def steps_for_staff(self) -> list[str]:
        """The same steps naming the applicant in the third person, for the officer's pages and history."""
        return self.described("申请人")

    def described(self, applicant: str) -> list[str]:
        if self.basis == PER_REQUEST:
            standard = (
                "10件以下（含10件）不收费；11—30件（含30件）的部分100元/件；"
                "31件以上的部分以10件为一档，每增加一档，收费标准提高100元/件"
            )
            if self.items == 1:
                rate = per_request_rate(self.quantity)
                return [
                    f"本件为{applicant}本自然月内向本机关提出的第{self.quantity}件申请",
                    standard,
                    f"第{self.quantity}件适用{rate}元/件：{rate}元",
                ]
            return [
                f"本件申请包含多项内容，按一事一申请原则拆分计为{self.items}件，"
                f"为{applicant}本自然月内向本机关提出的第{self.quantity}—{self.last_place}件",
                standard,
                "，".join(place_runs(self.quantity, self.last_place)) + f"，合计{self.yuan}元",
            ]
        lines = [f"提供的政府信息共{self.quantity}页", "30页以下（含30页）不收费"]
        lines += [
            f"第{b.first}—{b.last}页，{b.pages}页×{b.rate}元/页＝{b.yuan}元"
            for b in page_bands(self.quantity)
        ]
        lines.append(f"合计{self.yuan}元")
        return lines

    @property
    def standard(self) -> str:
        """The standard applied, with its article."""
        if self.basis == PER_REQUEST:
            return "按件计收（《政府信息公开信息处理费管理办法》第四条）"
        return "按量计收（《政府信息公开信息处理费管理办法》第五条）"


def place_runs(first: int, last: int) -> list[str]:
    """Places first … last grouped by their rate: 第9—10件不收费, 第11—12件100元/件."""
    runs: list[tuple[int, int, int]] = []
    for place in range(first, last + 1):
        rate = per_request_rate(place)
        if runs and runs[-1][2] == rate:
            runs[-1] = (runs[-1][0], place, rate)
        else:
            runs.append((place, place, rate))
    return [
        (f"第{a}件" if a == b else f"第{a}—{b}件") + ("不收费" if rate == 0 else f"{rate}元/件")
        for a, b, rate in runs
    ]


def compute(basis: str, quantity: int, items: int = 1) -> Computation:
    """The fee of the `quantity`-th request of the month split into `items` (按件), or of `quantity` pages."""
    if basis == PER_REQUEST:
        total = sum(per_request_rate(p) for p in range(quantity, quantity + items))
        return Computation(basis, quantity, Decimal(total), items)
    return Computation(basis, quantity, Decimal(per_page_fee(quantity)))


def recorded(data: dict[str, object] | None) -> Computation:
    """The computation a fee notice's event recorded (its basis, first place or pages, and items)."""
    data = data or {}
    quantity = int(str(data.get("count_in_month") or data.get("pages")))
    return compute(str(data["basis"]), quantity, items_in(data))


def items_in(data: dict[str, object] | None) -> int:
    """The items a fee notice split its request into: 1 when it recorded none."""
    items = (data or {}).get("items")
    return items if isinstance(items, int) and not isinstance(items, bool) and items >= 1 else 1


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def place_in_month(session: Session, req: Request) -> int | None:
    """The request's (first) place among the same applicant's requests to the same agency received in the
    natural month of its receipt (in the order received, itself included): each earlier request counts as
    the items its latest fee notice split it into (1 without one, Art. 4); None when the applicant has no
    identity document number or credit code to be recognised by."""
    if not req.applicant_id_number:
        return None
    first, last = month_bounds(req.received_on)
    same_applicant = and_(
        Request.agency_id == req.agency_id,
        Request.applicant_id_number == req.applicant_id_number,
        Request.applicant_id_kind.is_(None)
        if req.applicant_id_kind is None
        else Request.applicant_id_kind == req.applicant_id_kind,
        Request.received_on >= first,
        Request.received_on <= last,
    )
    earlier = or_(
        Request.received_on < req.received_on,
        and_(Request.received_on == req.received_on, Request.id < req.id),
    )
    ids = list(session.execute(select(Request.id).where(same_applicant, earlier)).scalars())
    items = {rid: 1 for rid in ids}
    if ids:  # each earlier request counts as the items its latest fee notice split it into
        notices = session.execute(
            select(Event.request_id, Event.data)
            .where(Event.request_id.in_(ids), Event.type == "fee_requested")
            .order_by(Event.request_id, Event.seq)
        )
        for rid, data in notices:
            items[rid] = items_in(data)
    return sum(items.values()) + 1


def hint(session: Session, req: Request) -> str:
    """What the officer is shown beside the choice of standard: this request's place in the applicant's
    month and its fee by request; the page bands."""
    place = place_in_month(session, req)
    if place is None:
        by_request = "按件计收：申请人没有身份证件号码或统一社会信用代码，无法统计本月件数"
    else:
        month = f"{req.received_on.year}年{req.received_on.month}月"
        by_request = (
            f"按件计收：本件为该申请人{month}向本机关提出的第{place}件申请，"
            f"按标准计算{per_request_rate(place)}元；一份申请包含多项内容的，可按一事一申请原则填写拆分件数，"
            f"拆分为N件即计为本月第{place}件起的N件，按各件的标准合计收费"
        )
    by_page = (
        "按量计收：30页以下（含30页）不收费，31—100页的部分10元/页，"
        "101—200页的部分20元/页，201页以上的部分40元/页"
    )
    return f"{by_request}；{by_page}。预览缴费通知书可见计算过程。"


def notice_data(computed: Computation, charged: Decimal, reason: str | None) -> dict[str, object]:
    """What a fee notice's event records: the basis, the count or pages, the computed and charged amounts,
    and the reason for charging less."""
    data: dict[str, object] = {
        "basis": computed.basis,
        "pages" if computed.basis == PER_PAGE else "count_in_month": computed.quantity,
        "computed_yuan": float(computed.yuan),
        "amount_yuan": float(charged),
    }
    if computed.basis == PER_REQUEST:
        data["items"] = computed.items
    if charged < computed.yuan:
        data["reduction_reason"] = reason
    return data


def latest_notice(req: Request) -> Event | None:
    return next((e for e in reversed(req.events) if e.type == "fee_requested"), None)


def fee_view(req: Request) -> dict[str, object] | None:
    """The request's fee as the staff see it (docs/api.md §Fees): the latest notice and its payment; None
    if no fee was ever asked."""
    notice = latest_notice(req)
    if notice is None:
        return None
    paid = next((e for e in req.events if e.type == "fee_received" and e.seq > notice.seq), None)
    data = notice.data or {}
    view: dict[str, object] = {
        "basis": data.get("basis"),
        "computed_yuan": data.get("computed_yuan", data.get("amount_yuan")),
        "amount_yuan": data.get("amount_yuan"),
        "requested_on": notice.on,
        "paid_on": paid.on if paid is not None else None,
    }
    if "pages" in data:
        view["pages"] = data["pages"]
    else:
        view["count_in_month"] = data.get("count_in_month")
        view["split_into"] = items_in(data)
    if "reduction_reason" in data:
        view["reduction_reason"] = data["reduction_reason"]
    if paid is not None:
        view["paid_yuan"] = paid.data.get("amount_yuan", data.get("amount_yuan"))
        view["receipt_number"] = paid.data.get("receipt_number")
    return view


@dataclass(frozen=True)
class FeeDue:
    """The fee the applicant is asked to pay, as the tracking page shows it while the request awaits it:
    the notice's amount and computation, and the last day to pay (Art. 6: FEE_PERIOD_DAYS working days
    from the day after the notice, the day itself included — the notice's own words)."""

    amount: Decimal
    computed: Decimal
    standard: str
    steps: list[str]
    reduction_reason: str | None
    notified_on: dt.date
    pay_by: dt.date
    pay_how: str  # the way of payment the notice states ("" in a notice sent before agencies set one)


def fee_due(req: Request, cal: WorkCalendar) -> FeeDue | None:
    """The fee awaited (status awaiting_fee), or None."""
    notice = latest_notice(req) if req.status == "awaiting_fee" else None
    if notice is None:
        return None
    data = notice.data or {}
    computation = recorded(data)
    reason = data.get("reduction_reason")
    return FeeDue(
        amount=yuan(data["amount_yuan"]),
        computed=yuan(data.get("computed_yuan", data["amount_yuan"])),
        standard=computation.standard,
        steps=computation.steps,
        reduction_reason=str(reason) if reason else None,
        notified_on=notice.on,
        pay_by=cal.add_wd(notice.on, FEE_PERIOD_DAYS),
        pay_how=str(data.get("pay_how") or ""),
    )
