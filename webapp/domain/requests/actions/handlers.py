"""One handler per action, each declared with its fields (spec.action): it reads and checks its own
fields, may refuse the act outright (IllegalTransition, Forbidden), and fills the context's note, data
and updates. Actions with no handler of their own beyond the date (accept) take no field. The agency
steps of docs/rules.md §Agency steps (and end_consultation) are in steps.py."""

from __future__ import annotations

from sqlalchemy import select

from webapp.domain import fees, public_log
from webapp.domain.contact import check_phone
from webapp.domain.dates import reader_date
from webapp.domain.deadlines import ONE_DAY
from webapp.domain.documents.settings import settings_for
from webapp.domain.errors import Forbidden, IllegalTransition
from webapp.domain.release import (
    MAX_PARTS,
    MAX_RELEASED,
    MAX_WHERE,
    check_release,
    mark_released,
)
from webapp.domain.requests.actions import steps
from webapp.domain.requests.actions.corrections import correct_applicant  # noqa: F401 -- its declaration
from webapp.domain.requests.actions.delivery import record_posting  # noqa: F401 -- its declaration
from webapp.domain.requests.actions.spec import (
    BOOLEAN,
    CHOICE,
    IDS,
    INTEGER,
    NUMBER,
    PARTS,
    SPECS,
    STAFF_EMAIL,
    TEXT,
    Context,
    Field,
    action,
)
from webapp.domain.requests.fields import MAX_CORRECTION_PERIOD, MAX_TEXT, text
from webapp.domain.requests.history import clock_of, on_the_spot, pending_extension
from webapp.domain.states import (
    CLOSURE_OUTCOMES,
    REPLY_OUTCOMES,
    TRANSITIONS,
    WITHHOLDING_BASES,
    Status,
)
from webapp.i18n import _l
from webapp.models import User


@action("accept")
def nothing_but_the_date(c: Context) -> None:
    pass


@action(
    "request_correction",
    Field("items", TEXT, required=True, limit=MAX_TEXT, doc="what to correct"),
    Field("period_days", INTEGER, required=True, low=1, high=MAX_CORRECTION_PERIOD, doc="working days"),
)
def request_correction(c: Context) -> None:
    c.note = text(c.errors, "items", c.take("items"), required=True) or ""
    period = c.take("period_days")
    if not isinstance(period, int) or isinstance(period, bool) or not 1 <= period <= MAX_CORRECTION_PERIOD:
        c.errors["period_days"] = _l("补正期限应为1至%(days)s个工作日", days=MAX_CORRECTION_PERIOD)
    if c.req.correction_requested:
        raise IllegalTransition(_l("补正只能告知一次"), {"action": _l("该申请已告知过补正")})
    if c.rules.correction_window_days is not None:
        latest = c.cal.add_wd(c.req.received_on, c.rules.correction_window_days)
        if c.on > latest:
            raise IllegalTransition(
                _l(
                    "应在收到申请之日起%(days)s个工作日内（%(date)s前）一次性告知补正",
                    days=c.rules.correction_window_days,
                    date=reader_date(latest),
                ),
                {"on": _l("最迟%(date)s", date=reader_date(latest))},
            )
    c.data["period_days"] = period
    c.updates["correction_requested"] = True


@action("receive_correction", Field("text", TEXT, limit=MAX_TEXT, doc="the corrected content as received"))
def receive_correction(c: Context) -> None:
    c.note = text(c.errors, "text", c.take("text"), required=False) or ""


@action("start_consultation", Field("party", TEXT, required=True, limit=200, doc="the third party consulted"))
def start_consultation(c: Context) -> None:
    party = text(c.errors, "party", c.take("party"), required=True, limit=200)
    c.data["party"] = party or ""
    c.note = "征求第三方意见，期间不计入答复期限"


@action(
    "request_fee",
    Field(
        "basis", CHOICE, required=True, choices=frozenset(fees.BASES), doc="按件 per_request or 按量 per_page"
    ),
    Field("pages", INTEGER, low=1, high=fees.MAX_PAGES, doc="per_page: the pages provided"),
    Field(
        "split_into",
        INTEGER,
        low=1,
        high=fees.MAX_ITEMS,
        doc="per_request: 本申请按一事一申请原则拆分计算的件数 (the items the request is split into, "
        "each counted as a request of the month; default 1)",
    ),
    Field("amount_yuan", NUMBER, low=0, high=1_000_000, doc="at most the computed fee (lowering it)"),
    Field("reduction_reason", TEXT, limit=MAX_TEXT, doc="why the fee is lowered (required when it is)"),
)
def request_fee(c: Context) -> None:
    """The fee as the measures compute it (docs/rules.md §Fees), which the officer may lower with a
    reason but never raise; a fee of nothing is no fee notice."""
    if c.rules.fee_limit_days is None:
        raise IllegalTransition(_l("2008年《条例》下的申请不适用信息处理费"), {"action": _l("不适用")})
    if c.req.received_on < fees.IN_FORCE:
        raise IllegalTransition(
            _l("信息处理费自2021年1月1日起收取，此前收到的申请不收费"), {"action": _l("不适用")}
        )
    if c.req.due_on is not None and c.on > c.req.due_on:
        raise IllegalTransition(
            _l(
                "缴费通知应在答复期限内发出，本申请已超过答复期限（%(date)s）",
                date=reader_date(c.req.due_on),
            ),
            {"on": _l("晚于答复期限")},
        )
    pay_how = settings_for(c.session, c.req.agency).fee_payment.strip()
    if not pay_how:  # the notice states how to pay (docs/rules.md §Fees); no notice without it
        raise IllegalTransition(
            _l(
                "本机关尚未在文书设置中填写信息处理费的缴纳方式，不能发出缴费通知书；请本机关的管理员填写后再发"
            ),
            {"action": _l("缺少缴纳方式")},
        )
    basis, pages, items = c.take("basis"), c.take("pages"), c.take("split_into")
    amount = c.take("amount_yuan")
    reason = text(c.errors, "reduction_reason", c.take("reduction_reason"), required=False)
    quantity: int | None = None
    if items is not None and (
        not isinstance(items, int) or isinstance(items, bool) or not 1 <= items <= fees.MAX_ITEMS
    ):
        c.errors["split_into"] = _l("拆分件数应为1至%(max)s的整数", max=fees.MAX_ITEMS)
    elif items is not None and basis == fees.PER_PAGE:
        c.errors["split_into"] = _l("按量计收不填拆分件数")
    if basis not in fees.BASES:
        c.errors["basis"] = _l("应为以下之一：%(values)s", values="、".join(fees.BASES))
    elif basis == fees.PER_PAGE:
        if not isinstance(pages, int) or isinstance(pages, bool) or not 1 <= pages <= fees.MAX_PAGES:
            c.errors["pages"] = _l("按量计收须填写页数（1至%(max)s的整数）", max=fees.MAX_PAGES)
        else:
            quantity = pages
    elif pages is not None:
        c.errors["pages"] = _l("按件计收不填页数")
    else:
        quantity = fees.place_in_month(c.session, c.req)
        if quantity is None:
            raise IllegalTransition(
                _l("申请人没有身份证件号码或统一社会信用代码，无法统计其本月申请件数，不能按件计收"),
                {"basis": _l("无法按件计收")},
            )
    if amount is not None and (
        not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 <= amount <= 1_000_000
    ):
        c.errors["amount_yuan"] = _l("收费金额应为不小于0的数字（元）")
        amount = None
    if quantity is None or "split_into" in c.errors:
        return
    computed = fees.compute(str(basis), quantity, items if isinstance(items, int) else 1)
    if computed.yuan == 0:
        raise IllegalTransition(
            _l(
                "按标准计算的信息处理费为0元，不能发出缴费通知：%(how)s",
                how="；".join(computed.steps_for_staff),
            ),
            {"pages" if basis == fees.PER_PAGE else "basis": _l("按标准计算为0元")},
        )
    charged = computed.yuan if amount is None else fees.yuan(amount)
    if charged > computed.yuan:
        c.errors["amount_yuan"] = _l("不能高于按标准计算的%(yuan)s元", yuan=computed.yuan)
    elif charged < computed.yuan and not reason:
        c.errors["reduction_reason"] = _l("低于按标准计算的金额收费的，须写明减免理由")
    elif charged == 0:
        raise IllegalTransition(
            _l("减免至0元即不收取信息处理费，无需发出缴费通知"), {"amount_yuan": _l("应大于0元")}
        )
    c.data.update(fees.notice_data(computed, charged, reason))
    c.data["pay_how"] = pay_how
    c.note = f"信息处理费{charged:.2f}元（{computed.standard}：{'；'.join(computed.steps_for_staff)}）"


@action(
    "receive_fee",
    Field("amount_yuan", NUMBER, required=True, low=0, high=1_000_000, doc="the amount paid"),
    Field("receipt_number", TEXT, required=True, limit=64, doc="the fiscal receipt's (财政票据) number"),
)
def receive_fee(c: Context) -> None:
    """The payment of the fee notice, received on `on`: its amount (the notice's) and the number of the
    fiscal receipt (财政票据) the agency issued for it."""
    amount = c.take("amount_yuan")
    receipt = text(c.errors, "receipt_number", c.take("receipt_number"), required=True, limit=64)
    notice = fees.latest_notice(c.req)
    asked = fees.yuan(notice.data.get("amount_yuan")) if notice is not None else None
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        c.errors["amount_yuan"] = _l("应为缴费金额（元）")
    elif asked is not None and fees.yuan(amount) != asked:
        c.errors["amount_yuan"] = _l("应为缴费通知书载明的%(yuan)s元", yuan=asked)
    if c.errors:
        return
    paid = fees.yuan(amount)
    c.data.update(amount_yuan=float(paid), receipt_number=receipt)
    c.note = f"收到信息处理费{paid:.2f}元，财政票据号{receipt}"


EXTENSION_FIELDS = (
    Field(
        "days", INTEGER, required=True, low=1, high=20, doc="working days"
    ),  # at most the rules' max_extension_days
    Field("reason", TEXT, required=True, limit=MAX_TEXT, doc="why"),
)


@action("extend", *EXTENSION_FIELDS)
def extend(c: Context) -> None:
    _extension(c, approve=True)


@action("propose_extension", *EXTENSION_FIELDS)
def propose_extension(c: Context) -> None:
    _extension(c, approve=False)


def _extension(c: Context, *, approve: bool) -> None:
    days = c.take("days")
    reason = text(c.errors, "reason", c.take("reason"), required=True)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= c.rules.max_extension_days:
        c.errors["days"] = _l("延期应为1至%(days)s个工作日", days=c.rules.max_extension_days)
    if c.req.extended_days:
        raise IllegalTransition(_l("延期答复只能批准一次"), {"action": _l("该申请已延期")})
    if c.req.due_on is not None and c.on > c.req.due_on:
        raise IllegalTransition(
            _l("已超过答复期限，不能再延期"),
            {"on": _l("答复期限为%(date)s", date=c.req.due_on.isoformat())},
        )
    if not approve and pending_extension(c.req) is not None:
        raise IllegalTransition(
            _l("已有待负责人审批的延期申请"), {"action": _l("请等待负责人审批或不同意后再提请")}
        )
    c.data["days"] = days
    if approve:
        c.updates["extended_days"] = days
    c.note = reason or ""


@action("decline_extension", Field("note", TEXT, limit=MAX_TEXT))
def decline_extension(c: Context) -> None:
    if c.actor is not None and c.actor.role != "head":
        raise Forbidden(
            _l("延期答复须经政府信息公开工作机构负责人批准"), {"action": _l("仅负责人可审批延期")}
        )
    if pending_extension(c.req) is None:
        raise IllegalTransition(_l("没有待审批的延期申请"), {"action": _l("没有待审批的延期申请")})
    c.note = text(c.errors, "note", c.take("note"), required=False) or ""


@action(
    "reply",
    Field("outcome", CHOICE, required=True, choices=REPLY_OUTCOMES, doc="the reply's outcome"),
    Field("note", TEXT, limit=MAX_TEXT),
    Field(
        "released",
        IDS,
        limit=MAX_RELEASED,
        doc="disclosed/partially_disclosed: ids of the request's files uploaded with purpose=release "
        "that the reply hands over (the applicant may then download them)",
    ),
    Field(
        "published_where",
        TEXT,
        limit=MAX_WHERE,
        doc="disclosed/partially_disclosed: where information already published is to be had (a link or a "
        "place; 2019 rules Art. 36(2))",
    ),
    Field(
        "withheld",
        PARTS,
        limit=MAX_PARTS,
        choices=WITHHOLDING_BASES,
        doc="partially_disclosed (required there): each part withheld, {part, basis}",
    ),
    Field("publish", BOOLEAN, doc="publish the answer in the public log (personal data removed)"),
    Field(
        "public_summary",
        TEXT,
        limit=MAX_TEXT,
        doc="the published subject (default: the description, scrubbed)",
    ),
    Field("referred_agency", TEXT, limit=200, doc="the agency that holds it (Art. 36(5))"),
    Field("referred_address", TEXT, limit=300, doc="that agency's address"),
    Field("referred_phone", TEXT, limit=60, doc="that agency's telephone"),
)
def reply(c: Context) -> None:
    """The reply; with 予以公开/部分公开 the files it releases (each then the applicant's to download), or
    where information already published is to be had, and for 部分公开 each part withheld with its basis
    (docs/rules.md §Released information)."""
    outcome = c.take("outcome")
    if outcome not in REPLY_OUTCOMES:
        c.errors["outcome"] = (
            _l("未知的答复结果") if outcome not in CLOSURE_OUTCOMES else _l("不出具答复书的办结请用close")
        )
    if c.status == Status.RECEIVED and c.on != c.req.received_on:
        raise IllegalTransition(
            _l("未受理的申请只能当场答复，请先受理"), {"on": _l("当场答复须在收到申请当日")}
        )
    c.note = text(c.errors, "note", c.take("note"), required=False) or ""
    steps.reply_rules(c, outcome)
    _referral(c, outcome)
    release = check_release(
        c.errors,
        c.req,
        outcome,
        released=c.take("released"),
        published_where=c.take("published_where"),
        withheld=c.take("withheld"),
    )
    c.data["on_the_spot"] = on_the_spot(c.req, c.on)
    c.data.update(release)
    if not c.errors:
        mark_released(c.req, release, c.on)
    _finish(c, outcome)
    _publish(c, str(outcome))


def _publish(c: Context, outcome: str) -> None:
    """The officer's choice to publish the answer (docs/rules.md §The public log), in the reply's
    transaction; the entry holds the description (or the officer's summary), scrubbed."""
    publish = c.take("publish")
    summary = text(c.errors, "public_summary", c.take("public_summary"), required=False)
    if publish not in (None, True, False):
        c.errors["publish"] = _l("应为 true 或 false")
    if publish is not True or c.errors:
        return
    entry = public_log.publish(
        c.session,
        c.req,
        outcome=outcome,
        replied_on=c.on,
        summary=summary,
        actor=c.actor,
        now=c.now,
    )
    c.data["published"] = entry.id


def _referral(c: Context, outcome: object) -> None:
    """The agency that holds the information and how to reach it (2019 rules Art. 36(5), 2008 Art.
    21(3)): its name, with an address or a telephone number when the reply is `not_held`."""
    name = text(c.errors, "referred_agency", c.take("referred_agency"), required=False, limit=200)
    address = text(c.errors, "referred_address", c.take("referred_address"), required=False, limit=300)
    phone = text(c.errors, "referred_phone", c.take("referred_phone"), required=False, limit=60)
    if phone:
        phone, problem = check_phone(phone)
        if problem is not None:
            c.errors["referred_phone"] = problem
    if (address or phone) and not name:
        c.errors["referred_agency"] = _l("请填写负责公开该信息的行政机关名称")
    elif name and outcome == "not_held" and not (address or phone):
        c.errors["referred_phone"] = _l(
            "应告知该行政机关的联系方式（地址或电话，《条例》第三十六条第（五）项）"
        )
    c.updates.update(referred_agency=name, referred_agency_address=address, referred_agency_phone=phone)


@action(
    "close",
    Field("outcome", CHOICE, required=True, choices=CLOSURE_OUTCOMES, doc="the closure's outcome"),
    Field("note", TEXT, limit=MAX_TEXT),
)
def close(c: Context) -> None:
    outcome = c.take("outcome")
    if outcome not in CLOSURE_OUTCOMES:
        c.errors["outcome"] = _l("应为以下之一：%(values)s", values="、".join(sorted(CLOSURE_OUTCOMES)))
    elif outcome in LAPSES:
        _lapsed(c, outcome)
    c.note = text(c.errors, "note", c.take("note"), required=False) or ""
    _finish(c, outcome)


# A closure for a lapse rests on a notice and its period (docs/rules.md §Closures): the status that waits
# on that notice, and what to say when it is not there.
LAPSES = {
    "closed_correction_lapsed": (Status.AWAITING_CORRECTION, _l("该申请没有待补正的补正告知")),
    "closed_fee_unpaid": (Status.AWAITING_FEE, _l("该申请没有待缴费的信息处理费缴费通知")),
}


def _lapsed(c: Context, outcome: str) -> None:
    """The notice was sent and is still unanswered, and its period has lapsed as of `on`: the day after
    the last working day of the period (the clock's `wait_ends_on`)."""
    waits_in, missing = LAPSES[outcome]
    if c.status != waits_in:
        raise IllegalTransition(missing, {"outcome": missing})
    lapses_on = clock_of(c.req, c.cal).wait_ends_on
    if lapses_on is None:
        raise IllegalTransition(missing, {"outcome": missing})
    if c.on < lapses_on:
        reason = _l(
            "期限尚未届满：期限至%(last)s，%(lapse)s起方可视为放弃申请",
            last=reader_date(lapses_on - ONE_DAY),
            lapse=reader_date(lapses_on),
        )
        raise IllegalTransition(reason, {"on": reason})


@action("withdraw", Field("reason", TEXT, limit=MAX_TEXT))
def withdraw(c: Context) -> None:
    c.note = text(c.errors, "reason", c.take("reason"), required=False) or "申请人撤回申请"
    _finish(c, "closed_other")


def _finish(c: Context, outcome: object) -> None:
    c.updates.update(outcome=outcome, finished_on=c.on)
    c.data["outcome"] = str(outcome)


@action(
    "assign",
    Field(
        "assignee", STAFF_EMAIL, required=True, limit=254, doc="e-mail of an officer or head of the agency"
    ),
)
def assign(c: Context) -> None:
    email = c.take("assignee")
    assignee = (
        c.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if isinstance(email, str)
        else None
    )
    if (
        assignee is None
        or assignee.role not in ("officer", "head")
        or not assignee.belongs_to(c.req.agency_id)
    ):
        c.errors["assignee"] = _l("应为本机关经办人或负责人的电子邮箱")
    else:
        c.updates["assignee"] = assignee
        c.data["assignee"] = assignee.email
        if assignee.name:
            c.data["assignee_name"] = assignee.name


@action("comment", Field("note", TEXT, required=True, limit=MAX_TEXT))
def comment(c: Context) -> None:
    c.note = text(c.errors, "note", c.take("note"), required=True) or ""


ACTION_SPECS = dict(SPECS)
assert set(ACTION_SPECS) == set(TRANSITIONS), "every action of states.TRANSITIONS has a handler"  # noqa: S101
