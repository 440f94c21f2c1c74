"""The facts each document states, and the refusal to issue one whose facts are missing (docs/rules.md
§Letters): no document is ever sent with a placeholder ("—") where a date, an amount or a name should
be. `required()` names what a document needs, `check()` refuses (409, `illegal_transition`, naming the
missing facts) before a word is drafted.

A fact is read from the request (`request`), the event's data (`data`), the event's note (`note`), or an
earlier event of the request (`earlier`: the notice a closure rests on)."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.domain.errors import IllegalTransition
from webapp.i18n import _l
from webapp.models import Event, Request


class MissingFacts(IllegalTransition):
    """A document cannot be drafted: facts it must state are missing (409, the facts named)."""


@dataclass(frozen=True)
class Fact:
    source: str  # "request", "data", "note" or "earlier"
    key: str  # the request's attribute, the data's key or the earlier event's type ("" for the note)
    label: object  # the fact's name for the reader (lazy)


APPLICANT = Fact("request", "applicant_name", _l("申请人姓名或名称"))
RECEIVED_ON = Fact("request", "received_on", _l("收到申请日期"))
TRACKING = Fact("request", "tracking_number", _l("申请编号"))
DESCRIPTION = Fact("request", "description", _l("所需信息"))
DUE_ON = Fact("request", "due_on", _l("答复期限"))
OUTCOME = Fact("data", "outcome", _l("办理结果"))
COMMON = (APPLICANT, RECEIVED_ON, TRACKING, DESCRIPTION)

FIXED: dict[str, tuple[Fact, ...]] = {
    "receipt": (*COMMON, DUE_ON),
    "correction_notice": (
        *COMMON,
        Fact("data", "period_days", _l("补正期限")),
        Fact("note", "", _l("补正事项")),
    ),
    "extension_notice": (*COMMON, Fact("data", "days", _l("延长天数")), Fact("note", "", _l("延期理由"))),
    "consultation_notice": COMMON,
    "consultation_letter": (RECEIVED_ON, TRACKING, DESCRIPTION, Fact("data", "party", _l("第三方名称"))),
    "fee_notice": (
        *COMMON,
        Fact("data", "basis", _l("收费标准")),
        Fact("data", "computed_yuan", _l("按标准计算的金额")),
        Fact("data", "amount_yuan", _l("收费金额")),
    ),
    "reply": (*COMMON, OUTCOME),
    # the agency steps (docs/rules.md §Agency steps)
    "agency_consultation_notice": (*COMMON, Fact("data", "party", _l("被征求意见机关"))),
    "reasons_notice": (
        *COMMON,
        Fact("data", "period_days", _l("说明理由的期限")),
        Fact("note", "", _l("超过合理范围的情形")),
    ),
    "reply_period_notice": (
        *COMMON,
        Fact("data", "reply_days", _l("延迟答复的期限")),
        Fact("data", "due_on", _l("延迟后的答复期限")),
        Fact("note", "", _l("无法按期答复的原因")),
        Fact("earlier", "reasons_requested", _l("要求说明理由")),
        Fact("earlier", "reasons_received", _l("收到申请人的理由")),
    ),
    "agency_consultation_letter": (
        RECEIVED_ON,
        TRACKING,
        DESCRIPTION,
        Fact("data", "party", _l("被征求意见机关")),
    ),
    "third_party_notice": (
        TRACKING,
        Fact("data", "party", _l("第三方名称")),
        Fact("data", "content", _l("决定公开的内容")),
        Fact("note", "", _l("决定公开的理由")),
        Fact("earlier", "consultation_started", _l("征求第三方意见")),
    ),
    "closure_notice": (*COMMON, OUTCOME),
}
PER_BASIS = {
    "per_request": Fact("data", "count_in_month", _l("本月申请件数")),
    "per_page": Fact("data", "pages", _l("页数")),
}
REDUCTION = Fact("data", "reduction_reason", _l("减免理由"))
RESTS_ON = {
    "closed_correction_lapsed": Fact("earlier", "correction_requested", _l("补正告知")),
    "closed_fee_unpaid": Fact("earlier", "fee_requested", _l("信息处理费缴费通知")),
}


def earlier(req: Request, ev: Event, type_: str) -> Event | None:
    """The latest event of `type_` before `ev`."""
    return next((e for e in reversed(req.events) if e.seq < ev.seq and e.type == type_), None)


def required(kind: str, req: Request, ev: Event) -> tuple[Fact, ...]:
    """The facts the document of `kind` sent for `ev` states."""
    facts = FIXED.get(kind, ())
    data = ev.data or {}
    if kind == "fee_notice":
        basis = PER_BASIS.get(str(data.get("basis")))
        facts += (basis,) if basis else ()
        amount, computed = data.get("amount_yuan"), data.get("computed_yuan")
        if isinstance(amount, int | float) and isinstance(computed, int | float) and amount < computed:
            facts += (REDUCTION,)
    if kind == "closure_notice" and ev.type != "withdrawn":
        rests_on = RESTS_ON.get(str(data.get("outcome")))
        facts += (rests_on,) if rests_on else ()
    return facts


def value(fact: Fact, req: Request, ev: Event) -> object:
    if fact.source == "request":
        return getattr(req, fact.key, None)
    if fact.source == "data":
        return (ev.data or {}).get(fact.key)
    if fact.source == "note":
        return ev.note
    return earlier(req, ev, fact.key)


def missing(kind: str, req: Request, ev: Event) -> list[Fact]:
    def absent(v: object) -> bool:
        return v is None or (isinstance(v, str) and not v.strip())

    return [f for f in required(kind, req, ev) if absent(value(f, req, ev))]


def check(kind: str, req: Request, ev: Event) -> None:
    """Refuse to draft the document of `kind` for `ev` when a fact it states is missing."""
    gone = missing(kind, req, ev)
    if gone:
        names = "、".join(str(f.label) for f in gone)
        raise MissingFacts(
            _l("文书缺少必须载明的事项，不能出具：%(facts)s", facts=names),
            {"document": _l("缺少：%(facts)s", facts=names)},
        )
