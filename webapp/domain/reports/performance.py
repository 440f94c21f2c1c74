"""The figures officers are judged on: replies on time or late, on the spot, and the working days from
receipt to reply without the time the clock stood still."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal_column,
    select,
    union_all,
    values,
)
from sqlalchemy.orm import Session, aliased

from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.reports.scope import Scope, year_bounds
from webapp.domain.reports.tables import R, between
from webapp.domain.requests.history import UNDATED_EVENTS
from webapp.domain.states import CHANNELS, OUTCOMES, REPLY_OUTCOMES
from webapp.models import Event

PAUSES = {
    "correction_requested": "correction_received",
    "consultation_started": "consultation_ended",
    "agency_consultation_started": "consultation_ended",
    "fee_requested": "fee_received",
    "reasons_requested": "reasons_received",
}


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
    (sent the day received with no step between), and the working days from receipt to reply without the
    paused time (correction, consultation, fee: each pause's start to its end) — mean and median,
    overall, per channel and per outcome. One query: the working days come from a VALUES calendar joined
    by date; medians from window functions."""
    cal = cal or current_calendar(session)
    start, end = year_bounds(year)
    replied = and_(
        R.agency_id.in_(scope.ids),
        between(R.finished_on, start, end),
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
    # 当场答复: replied the day received with no step between (requests.history.on_the_spot)
    step_ev = aliased(Event)
    stepped = (
        select(step_ev.id)
        .where(
            step_ev.request_id == R.id,
            step_ev.type.not_in(sorted({"submitted", "replied", *UNDATED_EVENTS})),
        )
        .exists()
    )
    per_request = (
        select(
            R.channel.label("channel"),
            R.outcome.label("outcome"),
            case((R.finished_on <= R.due_on, 1), else_=0).label("on_time"),
            case((R.finished_on > R.due_on, 1), else_=0).label("late"),
            case((and_(R.finished_on == R.received_on, ~stepped), 1), else_=0).label("on_the_spot"),
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
