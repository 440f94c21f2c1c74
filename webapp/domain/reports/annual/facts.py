"""The figures the narrative quotes (docs/rules.md §The annual report), gathered once per report from the
tables: what the drafts write and what the check compares every quoted number with.

`Facts` maps a name to its figure; `FACT_WORDS` says which words before a number in a sentence name
which figure (the longest match wins: 按期答复率 before 按期答复)."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from webapp.domain.calendar import china_today
from webapp.domain.reports.annual.layout import TOPICS
from webapp.domain.reports.scope import Scope, year_bounds
from webapp.domain.reports.tables import R, between, fold, table_2021, year_rows
from webapp.domain.states import CHANNELS, REPLY_OUTCOMES

Facts = dict[str, int | float]

# The channels as the narrative names them (received in the year, docs/rules.md §Annex two).
CHANNEL_WORDS: list[tuple[str, str]] = [
    ("online", "网上申请"),
    ("in_person", "当面申请"),
    ("letter", "信函申请"),
    ("email", "电子邮件申请"),
    ("fax", "传真申请"),
    ("other", "其他形式申请"),
]
# The six headings of 三 (row-key prefix, the words).
OUTCOME_WORDS: list[tuple[str, str]] = [
    ("3.1", "予以公开"),
    ("3.2", "部分公开"),
    ("3.3", "不予公开"),
    ("3.4", "无法提供"),
    ("3.5", "不予处理"),
    ("3.6", "其他处理"),
]

FACT_WORDS: dict[str, tuple[str, ...]] = {
    "received": ("收到政府信息公开申请", "新收政府信息公开申请", "收到申请", "新收申请", "申请总数"),
    "received_change": ("比上年增加", "较上年增加", "比上年减少", "较上年减少"),
    "carried_in": ("上年结转",),
    "finished": ("办结", "办理完毕", "答复总数"),
    "carried_out": ("结转下年度",),
    "on_time": ("按期答复",),
    "on_time_rate": ("按期答复率",),
    "late": ("逾期答复",),
    "overdue_open": ("逾期未答复",),
    "reviews": ("行政复议",),
    "lawsuits": ("行政诉讼",),
    "regulations_issued": ("制发规章",),
    "normative_issued": ("制发行政规范性文件",),
    "licensing": ("行政许可",),
    "penalties": ("行政处罚",),
    "enforcement": ("行政强制",),
    "enquiries": ("接受咨询",),
    "fee_notices": ("收费通知",),
    "fee_charged": ("通知金额",),
    "fee_paid": ("收到缴费",),
    "fee_collected": ("实际收取",),
    "proactive_total": ("主动公开政府信息", "主动公开信息"),
    "proactive_news": ("政务动态信息",),
    **{f"channel:{code}": (words,) for code, words in CHANNEL_WORDS},
    **{f"outcome:{prefix}": (words,) for prefix, words in OUTCOME_WORDS},
    **{f"topic:{name}": (name,) for name, _ in TOPICS},
}
# Figures quoted as a percentage (the others are counts or amounts).
PERCENT_FACTS = frozenset({"on_time_rate"})


@dataclass(frozen=True)
class Counts:
    """What the narrative quotes beyond annex two's table, from one grouped query."""

    by_channel: dict[str, int]  # received in the year
    last_year: int  # received in the year before
    replies: int  # replies (not closures) sent in the year
    on_time: int  # … by their due date
    late: int
    overdue_open: (
        int  # not replied by the cut-off (the year's end, or today in a year not ended) and past due
    )
    topics: list[tuple[str, int]]  # received in the year by topic, the busiest first


class _position(FunctionElement[int]):
    """Where a text holds a word (0: nowhere): PostgreSQL's strpos(), SQLite's instr(). Cheaper than
    `LIKE '%' || word || '%'`, which builds its pattern anew for every row."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _instr(element: _position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_position, "postgresql")
def _strpos(element: _position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


@functools.cache
def _topic(start: dt.date) -> Any:
    """The topic of a request received in the year: the first whose words its description holds ('' for
    none, and for the requests received before the year, whose descriptions are not read). Built once
    per year: an expression of 29 comparisons costs more to build than its share of the query."""
    topic = case(
        *[
            (or_(*[_position(R.description, literal(w)) > 0 for w in words]), literal(name))
            for name, words in TOPICS
        ],
        else_=literal(""),
    )
    return case((R.received_on >= start, topic), else_=literal(""))


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@functools.cache
def _sums() -> tuple[Any, ...]:
    """Received per channel (in CHANNELS' order), and replied by the due date."""
    return (*[_sum(R.channel == c) for c in CHANNELS], _sum(R.finished_on <= R.due_on))


def cut_off(year: int, today: dt.date | None = None) -> dt.date:
    """The day the open requests' lateness is judged on: the year's last day, or today in a year not
    ended (docs/rules.md §Drafts and the number check)."""
    today = today or china_today(dt.datetime.now(dt.UTC))
    return min(year_bounds(year)[1], today)


def counts(session: Session, scope: Scope, year: int) -> tuple[dict[str, Any], Counts]:
    """The 2021 form's table (section 三 and 四) and the narrative's other counts in the same scan: annex
    two's grouped query (tables.year_rows, by applicant type) grouped also by topic (the first topic whose
    words a description holds), with sums per channel and of replies on time added to its groups; plus a
    count of last year's requests (an index range)."""
    last_start, last_end = year_bounds(year - 1)
    topic = _topic(year_bounds(year)[0])
    channels = list(CHANNELS)
    # open at the year's end (not finished in it) and due before the cut-off: already past its due date
    overdue = _sum(R.due_on < cut_off(year))
    rows = year_rows(session, scope, year, R.applicant_type, topic, sums=(*_sums(), overdue))
    table = table_2021(session, scope, year, groups=fold(rows))
    by_channel: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    replies = on_time = overdue_open = 0
    for row in rows:
        outcome, is_new, is_done, name, n = row[1], row[2], row[3], row[4], int(row[-1])
        figures = [int(v) for v in row[5:-2]]
        if is_new:
            for c, k in zip(channels, figures[:-1], strict=True):
                by_channel[c] += k
            if name:
                by_topic[str(name)] += n
        if is_done and outcome in REPLY_OUTCOMES:
            replies += n
            on_time += figures[-1]
        if not is_done:
            overdue_open += int(row[-2])
    last_year = session.execute(
        select(func.count()).where(R.agency_id.in_(scope.ids), between(R.received_on, last_start, last_end))
    ).scalar_one()
    order = [name for name, _ in TOPICS]
    topics = sorted(((k, v) for k, v in by_topic.items() if v), key=lambda t: (-t[1], order.index(t[0])))
    return table, Counts(
        dict(by_channel), int(last_year), replies, on_time, replies - on_time, overdue_open, topics
    )


def on_time_rate(on_time: int, replies: int, overdue_open: int) -> float:
    """按期答复率: replies by their due date over the replies and the requests still open past their due
    date (a late request not answered yet counts against the rate), one decimal; 0 with neither."""
    owed = replies + overdue_open
    return round(100 * on_time / owed, 1) if owed else 0


def gather(
    table_2021: dict[str, Any],
    counted: Counts,
    *,
    figures: dict[str, Any],
    enquiries: dict[str, int],
    fees: Mapping[str, Any],
) -> Facts:
    """Every figure the narrative may quote, from the report's tables."""
    totals = {r["key"]: r["values"][-1] for r in table_2021["rows"] if r["key"]}
    outcomes: Counter[str] = Counter()
    for key, n in totals.items():
        for prefix, _ in OUTCOME_WORDS:
            if key == prefix or key.startswith(prefix + "."):
                outcomes[prefix] += n
    four = {g["kind"]: g["values"][-1] for g in table_2021["review_litigation"]["groups"]}
    proactive = figures["proactive"]
    facts: Facts = {
        "received": totals["received"],
        "received_last_year": counted.last_year,
        "received_change": totals["received"] - counted.last_year,
        "carried_in": totals["carried_in"],
        "finished": totals["finished"],
        "carried_out": totals["carried_out"],
        "replies": counted.replies,
        "on_time": counted.on_time,
        "late": counted.late,
        "overdue_open": counted.overdue_open,
        "on_time_rate": on_time_rate(counted.on_time, counted.replies, counted.overdue_open),
        "reviews": four.get("review", 0),
        "lawsuits": four.get("litigation_direct", 0) + four.get("litigation_after_review", 0),
        "regulations_issued": proactive["regulations"]["issued"],
        "normative_issued": proactive["normative_documents"]["issued"],
        "licensing": proactive["licensing"]["decisions"],
        "penalties": proactive["penalties"]["decisions"],
        "enforcement": proactive["enforcement"]["decisions"],
        "proactive_total": figures["annex_one"]["total"],
        "proactive_news": figures["annex_one"]["news"],
        "enquiries": sum(enquiries[c] for c in ("online", "in_person", "phone")),
        "fee_notices": int(fees["notices"]),
        "fee_charged": float(fees["charged_yuan"]),
        "fee_paid": int(fees["paid"]),
        "fee_collected": float(fees["collected_yuan"]),
    }
    for code, _ in CHANNEL_WORDS:
        facts[f"channel:{code}"] = counted.by_channel.get(code, 0)
    for prefix, _ in OUTCOME_WORDS:
        facts[f"outcome:{prefix}"] = outcomes[prefix]
    for name, n in counted.topics:
        facts[f"topic:{name}"] = n
    return facts
