"""Annex two (SPEC §4–5): the annual report's request tables, aggregated in SQL from the requests.

Both forms read the same rows by the same rules:

- received in the year: `received_on` within the year;
- finished in the year: `finished_on` (the day the reply or closure was sent) within the year;
- carried into the year: received before 1 January and not finished before it;
- carried out of the year: received by 31 December and not finished by it.

Every request that touches the year is exactly one of (received, carried in) and exactly one of
(finished, carried out), so the 2021 form's check 一 + 二 = 三(七) + 四 holds in every column.

`OUTCOME_ROWS` is SPEC §4's table, the one place where an outcome is mapped to a row of either form.
Each table is one grouped query — the year's requests counted by (column, outcome, received in the year,
finished in the year), folded into the form's rows here: as cheap as the database can count them
(bench/annex_two.py); the functions here return the tables in API.md's JSON shape, which the exports and
the snapshots reuse.

Section 四 of the 2021 form counts the review and litigation records (`Appeal`) as they stood at the
end of the year: a case decided in the year under its result, a case filed by 31 December and not
decided by then under 尚未审结 (it is counted again, under its result, in the year it is decided).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    extract,
    func,
    literal_column,
    or_,
    select,
    union_all,
    values,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified

from webapp import authz
from webapp.domain.calendar import WorkCalendar, china_today, current_calendar
from webapp.domain.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationError
from webapp.domain.requests import _append_event, may_act
from webapp.domain.states import APPLICANT_TYPES, CHANNELS, OUTCOMES, REPLY_OUTCOMES
from webapp.i18n import _l
from webapp.models import Agency, Appeal, Event, ReportSnapshot, Request, User
from webapp.models.report import APPEAL_KINDS, APPEAL_RESULTS, REPORT_FORMS

FORMS = REPORT_FORMS
UNIT = "条"
EARLIEST_YEAR = 2008
MAX_TEXT = 2000

# -- SPEC §4: each outcome's row in the 2021 form, and in the 2013 form (with its ①②③ sub-row) ----------


@dataclass(frozen=True)
class OutcomeRow:
    row_2021: str  # key of the 2021 form's row (三(x)y)
    row_2013: str  # key of the 2013 form's answer row
    sub_2013: str | None = None  # ①②③ under 否决公开答复数


DISCLOSED, PARTIAL, REFUSED = "answer:disclosed", "answer:partial", "answer:refused"
NOT_EXIST, NOT_HELD, UNCLEAR = "refused:not_exist", "refused:not_held", "refused:unclear"

OUTCOME_ROWS: dict[str, OutcomeRow] = {
    "disclosed": OutcomeRow("3.1", DISCLOSED),
    "partially_disclosed": OutcomeRow("3.2", PARTIAL),
    "withheld_state_secret": OutcomeRow("3.3.1", REFUSED),
    "withheld_law_prohibits": OutcomeRow("3.3.2", REFUSED),
    "withheld_security_stability": OutcomeRow("3.3.3", REFUSED),
    "withheld_third_party": OutcomeRow("3.3.4", REFUSED),
    "withheld_internal_affairs": OutcomeRow("3.3.5", REFUSED),
    "withheld_deliberative": OutcomeRow("3.3.6", REFUSED),
    "withheld_enforcement_file": OutcomeRow("3.3.7", REFUSED),
    "withheld_inquiry_matter": OutcomeRow("3.3.8", REFUSED),
    "not_held": OutcomeRow("3.4.1", REFUSED, NOT_HELD),
    "not_exist": OutcomeRow("3.4.1", REFUSED, NOT_EXIST),
    "requires_creation": OutcomeRow("3.4.2", REFUSED),
    "unclear": OutcomeRow("3.4.3", REFUSED, UNCLEAR),
    "not_processed_petition": OutcomeRow("3.5.1", REFUSED),
    "not_processed_duplicate": OutcomeRow("3.5.2", REFUSED),
    "not_processed_publication": OutcomeRow("3.5.3", REFUSED),
    "not_processed_excessive": OutcomeRow("3.5.4", REFUSED),
    "not_processed_reconfirm": OutcomeRow("3.5.5", REFUSED),
    "closed_correction_lapsed": OutcomeRow("3.6.1", REFUSED, UNCLEAR),
    "closed_fee_unpaid": OutcomeRow("3.6.2", REFUSED),
    "closed_other": OutcomeRow("3.6.3", REFUSED),
}

# -- the forms' rows, labels exactly as printed (shared/forms/annex-two-*.txt) ------------------------

TITLE_2013 = "附表二 依申请公开情况"
HEADER_2013 = ("指标", "单位", "数量")
FORM_2013: list[tuple[str, str]] = [
    ("依申请公开信息目录数", "catalogue"),
    ("申请总数", "received"),
    ("其中,1.当面申请数", "received:in_person"),
    ("2.传真申请数", "received:fax"),
    ("3.电子邮件申请数", "received:email"),
    ("4.网上申请数", "received:online"),
    ("5.信函申请数", "received:letter"),
    ("6.其他形式申请数", "received:other"),
    ("对申请的答复总数", "finished"),
    ("其中:1.同意公开答复数", DISCLOSED),
    ("2.同意部分公开答复数", PARTIAL),
    ("3.否决公开答复数", REFUSED),
    ("其中: ①“信息不存在”数", NOT_EXIST),
    ("②“非本部门掌握”数", NOT_HELD),
    ("③“申请内容不明确”数", UNCLEAR),
]

TITLE_2021 = "三、收到和处理政府信息公开申请情况"
CORNER_NOTE_2021 = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADING = "申请人情况"
ORGANISATIONS_HEADING = "法人或其他组织"
COLUMNS_2021: list[tuple[str, str]] = [
    *((label, code) for code, label in APPLICANT_TYPES.items()),
    ("总计", "total"),
]
# A row without a key is a heading without figures of its own.
FORM_2021: list[tuple[str, str | None]] = [
    ("一、本年新收政府信息公开申请数量", "received"),
    ("二、上年结转政府信息公开申请数量", "carried_in"),
    ("三、本年度办理结果", None),
    ("（一）予以公开", "3.1"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.2"),
    ("（三）不予公开", None),
    ("1.属于国家秘密", "3.3.1"),
    ("2.其他法律行政法规禁止公开", "3.3.2"),
    ("3.危及“三安全一稳定”", "3.3.3"),
    ("4.保护第三方合法权益", "3.3.4"),
    ("5.属于三类内部事务信息", "3.3.5"),
    ("6.属于四类过程性信息", "3.3.6"),
    ("7.属于行政执法案卷", "3.3.7"),
    ("8.属于行政查询事项", "3.3.8"),
    ("（四）无法提供", None),
    ("1.本机关不掌握相关政府信息", "3.4.1"),
    ("2.没有现成信息需要另行制作", "3.4.2"),
    ("3.补正后申请内容仍不明确", "3.4.3"),
    ("（五）不予处理", None),
    ("1.信访举报投诉类申请", "3.5.1"),
    ("2.重复申请", "3.5.2"),
    ("3.要求提供公开出版物", "3.5.3"),
    ("4.无正当理由大量反复申请", "3.5.4"),
    ("5.要求行政机关确认或重新出具已获取信息", "3.5.5"),
    ("（六）其他处理", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "3.6.1"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.6.2"),
    ("3.其他", "3.6.3"),
    ("（七）总计", "finished"),
    ("四、结转下年度继续办理", "carried_out"),
]

TITLE_SECTION_FOUR = "四、政府信息公开行政复议、行政诉讼情况"
REVIEW_HEADING, LITIGATION_HEADING = "行政复议", "行政诉讼"
SECTION_FOUR_GROUPS: list[tuple[str, str]] = [
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
]
SECTION_FOUR_COLUMNS: list[tuple[str, str]] = [
    ("结果维持", "upheld"),
    ("结果纠正", "corrected"),
    ("其他结果", "other"),
    ("尚未审结", "pending"),
    ("总计", "total"),
]

# The six headings of 三 as the outcome chart's categories (row key prefix → label).
OUTCOME_CATEGORIES: list[tuple[str, str]] = [
    ("3.1", "予以公开"),
    ("3.2", "部分公开"),
    ("3.3", "不予公开"),
    ("3.4", "无法提供"),
    ("3.5", "不予处理"),
    ("3.6", "其他处理"),
]

# The events that stop the clock at the applicant's or a third party's side, and those that end them.
PAUSES = {
    "correction_requested": "correction_received",
    "consultation_started": "consultation_ended",
    "fee_requested": "fee_received",
}


def outcomes_for(key: str) -> list[str]:
    """The outcome codes counted on one row (of either form)."""
    return sorted(
        code for code, row in OUTCOME_ROWS.items() if key in (row.row_2021, row.row_2013, row.sub_2013)
    )


# -- who asks, what they ask for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The agencies a report covers, in the order asked."""

    agencies: tuple[Agency, ...]

    @property
    def ids(self) -> list[int]:
        return [a.id for a in self.agencies]

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.agencies]

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.agencies]


def parse_codes(raw: str | Iterable[str]) -> list[str]:
    """`A,B` or several values: the codes in order, without blanks and repeats."""
    parts = [raw] if isinstance(raw, str) else list(raw)
    codes: list[str] = []
    for part in parts:
        for code in part.split(","):
            code = code.strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def resolve_scope(session: Session, codes: Sequence[str]) -> Scope:
    if not codes:
        raise ValidationError(_l("请指定机关"), {"agency": _l("必填")})
    found = {a.code: a for a in session.execute(select(Agency).where(Agency.code.in_(codes))).scalars()}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            _l("机关不存在"), {"agency": _l("未知机关：%(codes)s", codes="、".join(unknown))}
        )
    return Scope(tuple(found[c] for c in codes))


def may_read_reports(user: User, scope: Scope) -> None:
    """A head, or an administrator, of every agency asked for (an administrator of no agency is the
    platform's and sees them all)."""
    if not authz.has_role(user, authz.HEAD, authz.ADMIN):
        raise Forbidden(_l("仅负责人或管理员可查看年度报表"))
    if not authz.may_read_reports(user, scope.agencies):
        outside = [a.code for a in scope.agencies if not authz.in_agency(user, a.id)]
        raise Forbidden(
            _l("无权查看该机关的年度报表"),
            {"agency": _l("不是您所属的机关：%(codes)s", codes="、".join(outside))},
        )


def check_year(year: int, today: dt.date) -> None:
    if not EARLIEST_YEAR <= year <= today.year:
        raise ValidationError(
            _l("年度有误"), {"year": _l("应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=today.year)}
        )


def check_form(form: str) -> None:
    if form not in FORMS:
        raise ValidationError(_l("报表格式有误"), {"form": _l("应为 2013 或 2021")})


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# -- the aggregation ----------------------------------------------------------------------------------

R = Request


def _between(col: Any, start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(col >= start, col <= end)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _touches_year(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """Received by the year's end and not finished before it began."""
    return and_(R.received_on <= end, or_(R.finished_on.is_(None), R.finished_on >= start))


def _year_groups(session: Session, scope: Scope, year: int, dim: Any) -> dict[str, Counter[str]]:
    """The requests touching the year, counted per `dim` value under every key of both forms.

    One grouped query: (dim, outcome, received in the year, finished in the year) → count, a few hundred
    groups at most, folded here into the forms' keys by SPEC §4's table. Within the rows touching the
    year, not received in it means carried in, and not finished in it means carried out."""
    start, end = year_bounds(year)
    # Plain comparisons, not CASE: PostgreSQL knows a boolean has two values and plans the grouping as the
    # few hundred groups it is (a parallel aggregate), where CASE made it guess tens of thousands.
    new = R.received_on >= start
    done = R.finished_on <= end  # NULL (open) groups with false
    rows = session.execute(
        select(dim, R.outcome, new, done, func.count())
        .where(R.agency_id.in_(scope.ids), _touches_year(start, end))
        .group_by(dim, R.outcome, new, done)
    ).all()
    out: dict[str, Counter[str]] = {}
    for value, outcome, is_new, is_done, n in rows:
        c = out.setdefault(str(value), Counter())
        n = int(n)
        if is_new:
            c["received"] += n
            c[f"received:{value}"] += n
        else:
            c["carried_in"] += n
        if is_done:
            c["finished"] += n
            row = OUTCOME_ROWS[outcome]
            for key in {row.row_2021, row.row_2013, row.sub_2013} - {None}:
                c[str(key)] += n
        else:
            c["carried_out"] += n
    return out


def table_2013(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """The 2013 form (the seed's 附表二): one grouped query over the agencies' requests."""
    figures: Counter[str] = Counter()
    for counts in _year_groups(session, scope, year, R.channel).values():
        figures.update(counts)
    figures["catalogue"] = sum(a.catalogue_count(year) for a in scope.agencies)
    return {
        "form": "2013",
        "year": year,
        "agencies": scope.codes,
        "title": TITLE_2013,
        "rows": [
            {"label": label, "unit": UNIT, "value": figures[key], "key": key} for label, key in FORM_2013
        ],
    }


def table_2021(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """The 2021 national form's section 三 (one query grouped by applicant type) and section 四."""
    by_type = _year_groups(session, scope, year, R.applicant_type)
    types = list(APPLICANT_TYPES)
    rows: list[dict[str, Any]] = []
    for label, key in FORM_2021:
        if key is None:
            rows.append({"label": label, "values": None, "key": None})
            continue
        per_type = [by_type.get(t, Counter())[key] for t in types]
        rows.append({"label": label, "values": [*per_type, sum(per_type)], "key": key})
    return {
        "form": "2021",
        "year": year,
        "agencies": scope.codes,
        "title": TITLE_2021,
        "corner_note": CORNER_NOTE_2021,
        "columns": [label for label, _ in COLUMNS_2021],
        "rows": rows,
        "review_litigation": section_four(session, scope, year),
    }


def section_four(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Section 四: review and litigation records as they stood at the year's end, one grouped query."""
    start, end = year_bounds(year)
    decided = _between(Appeal.decided_on, start, end)
    pending = and_(Appeal.filed_on <= end, or_(Appeal.decided_on.is_(None), Appeal.decided_on > end))
    cols = [_count(and_(decided, Appeal.result == r)) for r in ("upheld", "corrected", "other")]
    cols += [_count(pending), _count(or_(decided, pending))]
    result = session.execute(
        select(Appeal.kind, *[c.label(f"c{i}") for i, c in enumerate(cols)])
        .join(Request, Request.id == Appeal.request_id)
        # a case decided before the year counts in none of the columns: not read at all
        .where(
            Request.agency_id.in_(scope.ids),
            Appeal.filed_on <= end,
            or_(Appeal.decided_on.is_(None), Appeal.decided_on >= start),
        )
        .group_by(Appeal.kind)
    ).all()
    by_kind = {r[0]: [int(v) for v in r[1:]] for r in result}
    return {
        "title": TITLE_SECTION_FOUR,
        "columns": [label for label, _ in SECTION_FOUR_COLUMNS],
        "groups": [
            {
                "kind": kind,
                "heading": REVIEW_HEADING if kind == "review" else LITIGATION_HEADING,
                "label": label,
                "values": by_kind.get(kind, [0] * len(SECTION_FOUR_COLUMNS)),
            }
            for kind, label in SECTION_FOUR_GROUPS
        ],
    }


def annex_two(session: Session, scope: Scope, year: int, form: str) -> dict[str, Any]:
    check_form(form)
    return table_2013(session, scope, year) if form == "2013" else table_2021(session, scope, year)


def outcome_counts(session: Session, scope: Scope, year: int) -> dict[str, int]:
    """Requests finished in the year by outcome (one grouped query)."""
    start, end = year_bounds(year)
    rows = session.execute(
        select(R.outcome, func.count())
        .where(R.agency_id.in_(scope.ids), _between(R.finished_on, start, end))
        .group_by(R.outcome)
    ).all()
    return {str(outcome): int(n) for outcome, n in rows}


def outcome_categories(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The six headings of 三 with the requests finished under each (the outcome chart)."""
    return [
        (label, sum(n for code, n in counts.items() if OUTCOME_ROWS[code].row_2021.startswith(prefix)))
        for prefix, label in OUTCOME_CATEGORIES
    ]


def monthly_intake(session: Session, scope: Scope, year: int) -> list[int]:
    """Requests received in each month of the year (one grouped query)."""
    start, end = year_bounds(year)
    month = extract("month", R.received_on)
    rows = session.execute(
        select(month, func.count())
        .where(R.agency_id.in_(scope.ids), _between(R.received_on, start, end))
        .group_by(month)
    ).all()
    counts = [0] * 12
    for m, n in rows:
        counts[int(m) - 1] = int(n)
    return counts


# -- the figures officers are judged on ---------------------------------------------------------------


def _workday_table(cal: WorkCalendar, first: dt.date, last: dt.date) -> Any:
    """A VALUES table of (day, working days in (first, day]) for the days of [first, last]: working
    days between two dates become a difference of two joined numbers, in SQL."""
    days = (last - first).days + 1
    data = [
        (first + dt.timedelta(days=i), cal.count_wd(first, first + dt.timedelta(days=i))) for i in range(days)
    ]
    return values(column("day", Date), column("n", Integer), name="wd").data(data).cte("wd")


def performance(session: Session, scope: Scope, year: int, cal: WorkCalendar | None = None) -> dict[str, Any]:
    """Replies (not closures) sent in the year: on time (finished_on <= due_on) or late, on the spot
    (sent the day received), and the working days from receipt to reply without the paused time
    (correction, consultation, fee: each pause's start to its end) — mean and median, overall, per
    channel and per outcome. One query: the working days come from a VALUES calendar joined by date;
    medians from window functions."""
    cal = cal or current_calendar(session)
    start, end = year_bounds(year)
    replied = and_(
        R.agency_id.in_(scope.ids),
        _between(R.finished_on, start, end),
        R.outcome.in_(sorted(REPLY_OUTCOMES)),
    )
    first = session.execute(select(func.min(R.received_on)).where(replied)).scalar_one_or_none()
    empty = {"replies": 0, "on_time": 0, "late": 0, "on_the_spot": 0, "mean_days": None, "median_days": None}
    if first is None:
        return {"overall": dict(empty), "by_channel": [], "by_outcome": []}

    wd = _workday_table(cal, first, end)

    # Every day of [first, end] is in the calendar, so LEFT JOINs find each date's number: a LEFT JOIN
    # keeps the requests as the outer loop on SQLite too (whose planner would otherwise scan the calendar
    # against itself), and PostgreSQL hashes it.
    wd_start, wd_end, wd_received, wd_finished = (wd.alias(n) for n in ("wd_s", "wd_e", "wd_r", "wd_f"))
    start_ev, end_ev = aliased(Event), aliased(Event)
    end_on = (
        select(func.min(end_ev.on))
        .where(
            end_ev.request_id == start_ev.request_id,
            end_ev.seq > start_ev.seq,
            end_ev.type == case(PAUSES, value=start_ev.type),
        )
        .scalar_subquery()
    )
    pauses = (
        select(start_ev.request_id.label("rid"), start_ev.on.label("start_on"), end_on.label("end_on"))
        .where(start_ev.type.in_(list(PAUSES)), start_ev.request_id.in_(select(R.id).where(replied)))
        .subquery()
    )
    paused = (
        select(pauses.c.rid, func.sum(wd_end.c.n - wd_start.c.n).label("days"))
        .select_from(pauses)
        .outerjoin(wd_start, wd_start.c.day == pauses.c.start_on)
        .outerjoin(wd_end, wd_end.c.day == pauses.c.end_on)
        .group_by(pauses.c.rid)
        .subquery()
    )
    per_request = (
        select(
            R.channel.label("channel"),
            R.outcome.label("outcome"),
            case((R.finished_on <= R.due_on, 1), else_=0).label("on_time"),
            case((R.finished_on > R.due_on, 1), else_=0).label("late"),
            case((R.finished_on == R.received_on, 1), else_=0).label("on_the_spot"),
            (wd_finished.c.n - wd_received.c.n - func.coalesce(paused.c.days, 0)).label("days"),
        )
        .select_from(R)
        .outerjoin(wd_received, wd_received.c.day == R.received_on)
        .outerjoin(wd_finished, wd_finished.c.day == R.finished_on)
        .outerjoin(paused, paused.c.rid == R.id)
        .where(replied)
        .cte("per_request")
    )
    p = per_request.c

    def dimension(name: str, key: Any) -> Any:
        return select(
            cast(literal_column(f"'{name}'"), String(16)).label("dim"),
            cast(key, String(40)).label("grp"),
            p.on_time,
            p.late,
            p.on_the_spot,
            p.days,
        )

    dims = union_all(
        dimension("all", literal_column("''")),
        dimension("channel", p.channel),
        dimension("outcome", p.outcome),
    ).subquery()
    partition = (dims.c.dim, dims.c.grp)
    ranked = select(
        dims,
        func.row_number().over(partition_by=partition, order_by=dims.c.days).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ).subquery()
    middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    rows = session.execute(
        select(
            ranked.c.dim,
            ranked.c.grp,
            func.count(),
            func.sum(ranked.c.on_time),
            func.sum(ranked.c.late),
            func.sum(ranked.c.on_the_spot),
            func.avg(cast(ranked.c.days, Float)),
            func.avg(case((middle, cast(ranked.c.days, Float)))),
        ).group_by(ranked.c.dim, ranked.c.grp)
    ).all()

    def figures(r: Any) -> dict[str, Any]:
        return {
            "replies": int(r[2]),
            "on_time": int(r[3]),
            "late": int(r[4]),
            "on_the_spot": int(r[5]),
            "mean_days": round(float(r[6]), 2),
            "median_days": round(float(r[7]), 2),
        }

    found = {(r[0], r[1]): figures(r) for r in rows}
    return {
        "overall": found.get(("all", ""), dict(empty)),
        "by_channel": [
            {"code": c, "label": label, **found[("channel", c)]}
            for c, label in CHANNELS.items()
            if ("channel", c) in found
        ],
        "by_outcome": [
            {"code": o, "label": label, **found[("outcome", o)]}
            for o, label in OUTCOMES.items()
            if ("outcome", o) in found
        ],
    }


# -- review and litigation records --------------------------------------------------------------------


def _appeal_dates(
    errors: dict[str, Any],
    req: Request,
    result: str,
    filed_on: dt.date,
    decided_on: dt.date | None,
    today: dt.date,
) -> None:
    if filed_on > today:
        errors["filed_on"] = _l("日期不能晚于今天")
    elif filed_on < req.received_on:
        errors["filed_on"] = _l("不能早于收到申请之日（%(date)s）", date=req.received_on.isoformat())
    if result == "pending":
        if decided_on is not None:
            errors["decided_on"] = _l("尚未审结的案件不能填写审结日期")
    elif decided_on is None:
        errors["decided_on"] = _l("已审结的案件须填写审结日期")
    elif decided_on > today:
        errors["decided_on"] = _l("日期不能晚于今天")
    elif decided_on < filed_on:
        errors["decided_on"] = _l("审结日期不能早于立案日期")


def _appeal_event(
    session: Session,
    req: Request,
    type_: str,
    appeal: Appeal,
    *,
    on: dt.date,
    actor: User | None,
    now: dt.datetime,
) -> None:
    note = f"{APPEAL_KINDS[appeal.kind]}：{APPEAL_RESULTS[appeal.result]}"
    if appeal.case_number:
        note += f"（{appeal.case_number}）"
    req.updated_at = now
    flag_modified(req, "updated_at")
    _append_event(
        session,
        req,
        type_,
        on=on,
        now=now,
        actor=actor,
        from_status=req.status,
        to_status=req.status,
        note=note,
        data={"appeal_id": appeal.id, "kind": appeal.kind, "result": appeal.result},
    )


def record_appeal(
    session: Session,
    req: Request,
    *,
    kind: str,
    result: str,
    filed_on: dt.date,
    decided_on: dt.date | None = None,
    case_number: str | None = None,
    note: str | None = None,
    actor: User | None,
    now: dt.datetime,
) -> Appeal:
    """Record an administrative review or lawsuit over the request, with a history event (flushes)."""
    may_act(actor, req, "comment")
    errors: dict[str, Any] = {}
    if kind not in APPEAL_KINDS:
        errors["kind"] = _l("应为以下之一：%(values)s", values="、".join(APPEAL_KINDS))
    if result not in APPEAL_RESULTS:
        errors["result"] = _l("应为以下之一：%(values)s", values="、".join(APPEAL_RESULTS))
    else:
        _appeal_dates(errors, req, result, filed_on, decided_on, china_today(now))
    if case_number is not None and len(case_number) > 100:
        errors["case_number"] = _l("不能超过%(limit)s个字符", limit=100)
    if note is not None and len(note) > MAX_TEXT:
        errors["note"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("复议、诉讼信息有误，请检查标出的字段"), errors)
    appeal = Appeal(
        request_id=req.id,
        kind=kind,
        result=result,
        filed_on=filed_on,
        decided_on=decided_on,
        case_number=(case_number or "").strip() or None,
        note=(note or "").strip(),
        recorded_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    session.add(appeal)
    session.flush()
    _appeal_event(session, req, "appeal_recorded", appeal, on=filed_on, actor=actor, now=now)
    session.flush()
    return appeal


def decide_appeal(
    session: Session,
    appeal: Appeal,
    *,
    result: str,
    decided_on: dt.date,
    note: str | None = None,
    actor: User | None,
    now: dt.datetime,
) -> Appeal:
    """A pending review or lawsuit is decided: its result and date, with a history event (flushes)."""
    req = appeal.request
    may_act(actor, req, "comment")
    if appeal.result != "pending":
        raise IllegalTransition(_l("该复议、诉讼已审结"), {"result": _l("已审结的案件不能再次审结")})
    errors: dict[str, Any] = {}
    if result not in APPEAL_RESULTS or result == "pending":
        errors["result"] = _l(
            "应为以下之一：%(values)s", values="、".join(r for r in APPEAL_RESULTS if r != "pending")
        )
    else:
        _appeal_dates(errors, req, result, appeal.filed_on, decided_on, china_today(now))
    if note is not None and len(note) > MAX_TEXT:
        errors["note"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("复议、诉讼信息有误，请检查标出的字段"), errors)
    appeal.result, appeal.decided_on, appeal.updated_at = result, decided_on, now
    if note:
        appeal.note = note.strip()
    _appeal_event(session, req, "appeal_decided", appeal, on=decided_on, actor=actor, now=now)
    session.flush()
    return appeal


# -- snapshots ----------------------------------------------------------------------------------------


def data_checksum(session: Session, agency: Agency, year: int) -> str:
    """SHA-256 over the rows that feed the agency's tables for the year, as they stood at its end:
    the requests touching the year (finishes after 31 December count as not finished), the review and
    litigation records, and the catalogue count. A late correction of any of them changes it."""
    start, end = year_bounds(year)
    done = R.finished_on <= end
    digest = hashlib.sha256(
        f"annex-two|{agency.code}|{year}|catalogue={agency.catalogue_count(year)}\n".encode()
    )
    requests = session.execute(
        select(
            R.id,
            R.channel,
            R.applicant_type,
            R.received_on,
            case((done, R.outcome)),
            case((done, R.finished_on)),
        )
        .where(R.agency_id == agency.id, _touches_year(start, end))
        .order_by(R.id)
    )
    for row in requests:
        digest.update(("r|" + "|".join("" if v is None else str(v) for v in row) + "\n").encode())
    decided = Appeal.decided_on <= end
    appeals = session.execute(
        select(
            Appeal.id,
            Appeal.request_id,
            Appeal.kind,
            Appeal.filed_on,
            case((decided, Appeal.result), else_="pending"),
            case((decided, Appeal.decided_on)),
        )
        .join(Request, Request.id == Appeal.request_id)
        .where(Request.agency_id == agency.id, Appeal.filed_on <= end)
        .order_by(Appeal.id)
    )
    for row in appeals:
        digest.update(("a|" + "|".join("" if v is None else str(v) for v in row) + "\n").encode())
    return digest.hexdigest()


def _may_freeze(actor: User | None, agency: Agency) -> None:
    if actor is None:
        return  # the platform's year-end task
    may_read_reports(actor, Scope((agency,)))


def create_snapshot(
    session: Session, agency: Agency, year: int, form: str, *, actor: User | None, now: dt.datetime
) -> ReportSnapshot:
    """Freeze the agency's table for a finished year as the next revision (flushes)."""
    check_form(form)
    _may_freeze(actor, agency)
    today = china_today(now)
    if not EARLIEST_YEAR <= year < today.year:
        raise ValidationError(
            _l("只能冻结已结束的年度"),
            {"year": _l("应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=today.year - 1)},
        )
    last = session.execute(
        select(func.max(ReportSnapshot.revision)).where(
            ReportSnapshot.agency_id == agency.id, ReportSnapshot.year == year, ReportSnapshot.form == form
        )
    ).scalar_one_or_none()
    snapshot = ReportSnapshot(
        agency_id=agency.id,
        year=year,
        form=form,
        revision=(last or 0) + 1,
        figures=annex_two(session, Scope((agency,)), year, form),
        checksum=data_checksum(session, agency, year),
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(snapshot)
    except IntegrityError as exc:
        raise Conflict(_l("同一年度的快照正在生成，请稍后重试")) from exc
    return snapshot


def snapshot_year(session: Session, year: int, now: dt.datetime) -> list[ReportSnapshot]:
    """The year-end task: freeze `year`'s tables, both forms, for every agency that has none yet.

    Idempotent: a second run (or a run after a head froze one by hand) creates nothing. Flushes; the
    caller commits.
    """
    existing = set(
        session.execute(
            select(ReportSnapshot.agency_id, ReportSnapshot.form)
            .where(ReportSnapshot.year == year)
            .distinct()
        ).all()
    )
    created = []
    for agency in session.execute(select(Agency).order_by(Agency.id)).scalars():
        for form in FORMS:
            if (agency.id, form) not in existing:
                created.append(create_snapshot(session, agency, year, form, actor=None, now=now))
    return created


def get_snapshot(session: Session, snapshot_id: int) -> ReportSnapshot:
    snapshot = session.get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        raise NotFound(_l("快照不存在"))
    return snapshot


def sign_off(session: Session, snapshot: ReportSnapshot, *, actor: User, now: dt.datetime) -> ReportSnapshot:
    """The agency's head signs the frozen table off, once (flushes)."""
    if not authz.may_sign_off(actor, snapshot.agency_id):
        raise Forbidden(_l("年度报表须由本机关负责人签发"))
    if snapshot.signed_off_at is not None:
        raise IllegalTransition(_l("该快照已签发"), {"snapshot": _l("已签发，不能重复签发")})
    snapshot.signed_off_by_id, snapshot.signed_off_at = actor.id, now
    session.flush()
    return snapshot


def latest_snapshot(session: Session, agency: Agency, year: int, form: str) -> ReportSnapshot | None:
    return session.execute(
        select(ReportSnapshot)
        .where(
            ReportSnapshot.agency_id == agency.id, ReportSnapshot.year == year, ReportSnapshot.form == form
        )
        .order_by(ReportSnapshot.revision.desc())
        .limit(1)
    ).scalar_one_or_none()


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures that differ between a frozen table and the current one: row, column, both values."""
    out: list[dict[str, Any]] = []
    if old.get("form") == "2013":
        for before, after in zip(old["rows"], new["rows"], strict=True):
            if before["value"] != after["value"]:
                out.append(
                    {
                        "label": after["label"],
                        "column": "数量",
                        "snapshot": before["value"],
                        "current": after["value"],
                    }
                )
        return out
    columns = new["columns"]
    for before, after in zip(old["rows"], new["rows"], strict=True):
        for i, column_label in enumerate(columns):
            b = before["values"][i] if before["values"] else None
            a = after["values"][i] if after["values"] else None
            if a != b:
                out.append({"label": after["label"], "column": column_label, "snapshot": b, "current": a})
    old_four, new_four = old["review_litigation"], new["review_litigation"]
    for before, after in zip(old_four["groups"], new_four["groups"], strict=True):
        for i, column_label in enumerate(new_four["columns"]):
            if before["values"][i] != after["values"][i]:
                out.append(
                    {
                        "label": after["label"]
                        if after["heading"] == after["label"]
                        else f"{after['heading']} {after['label']}",
                        "column": column_label,
                        "snapshot": before["values"][i],
                        "current": after["values"][i],
                    }
                )
    return out


def snapshot_status(session: Session, scope: Scope, year: int, form: str) -> list[dict[str, Any]]:
    """For each agency: its latest snapshot of the table, whether the data changed since (checksum),
    and if so which figures differ now."""
    out: list[dict[str, Any]] = []
    for agency in scope.agencies:
        snap = latest_snapshot(session, agency, year, form)
        if snap is None:
            out.append({"agency": agency.code, "agency_name": agency.name, "snapshot": None})
            continue
        current = data_checksum(session, agency, year)
        changed = current != snap.checksum
        diff = differences(snap.figures, annex_two(session, Scope((agency,)), year, form)) if changed else []
        out.append(
            {
                "agency": agency.code,
                "agency_name": agency.name,
                "snapshot": snapshot_json(snap),
                "current_checksum": current,
                "data_changed": changed,
                "differences": diff,
            }
        )
    return out


def snapshot_json(snap: ReportSnapshot) -> dict[str, Any]:
    return {
        "id": snap.id,
        "agency": snap.agency.code,
        "year": snap.year,
        "form": snap.form,
        "revision": snap.revision,
        "checksum": snap.checksum,
        "created_at": snap.created_at,
        "created_by": snap.created_by.email if snap.created_by else None,
        "signed_off_by": snap.signed_off_by.email if snap.signed_off_by else None,
        "signed_off_at": snap.signed_off_at,
    }


# -- everything the report page shows ------------------------------------------------------------------


def full_report(session: Session, scope: Scope, year: int, form: str) -> dict[str, Any]:
    """The table in API.md's shape, plus the figures beyond the form, the charts' data and the
    snapshot status of each agency."""
    report = annex_two(session, scope, year, form)
    report["agency_names"] = scope.names
    report["performance"] = performance(session, scope, year)
    report["outcome_chart"] = [
        {"label": label, "value": n} for label, n in outcome_categories(outcome_counts(session, scope, year))
    ]
    report["monthly_intake"] = monthly_intake(session, scope, year)
    report["snapshots"] = snapshot_status(session, scope, year, form)
    return report
