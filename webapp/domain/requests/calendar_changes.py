"""Calendar administration: a day declared a working day or a holiday, a year's holiday notice confirmed,
and every open request's due date recomputed after either (with a history event where the due date itself
moved — a paused request, which has none running, gets none)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.dates import cn_date
from webapp.domain.errors import Forbidden
from webapp.domain.holiday_notices import DayChange, HolidayNotice, compare
from webapp.domain.requests.history import append_event, store_clock
from webapp.domain.states import UNFINISHED
from webapp.i18n import _l
from webapp.models import CalendarOverride, CalendarYear, Request, User


def recompute_open_due_dates(
    session: Session, *, now: dt.datetime, reason: str, actor: User | None = None
) -> int:
    """After a calendar change: store each open request's new clock, with a history event if its due date
    moved, naming the administrator who changed the calendar (None: a command run on the server). Returns
    the number of requests whose due date moved; the note writes the days as Chinese does (2027年1月8日)."""
    cal = current_calendar(session)
    moved = 0
    open_requests = session.execute(select(Request).where(Request.status.in_([str(s) for s in UNFINISHED])))
    for req in open_requests.scalars():
        before = (req.due_on, req.due_provisional, req.wait_ends_on)
        store_clock(req, cal)
        after = (req.due_on, req.due_provisional, req.wait_ends_on)
        if after != before:
            req.updated_at = now
        if after[0] != before[0]:
            moved += 1
            old = before[0].isoformat() if before[0] else "—"
            new = after[0].isoformat() if after[0] else "—"
            append_event(
                session,
                req,
                "due_recomputed",
                on=china_today(now),
                now=now,
                actor=actor,
                from_status=req.status,
                to_status=req.status,
                note=f"{reason}：答复期限由{cn_date(before[0])}调整为{cn_date(after[0])}",
                data={"old_due_on": old, "new_due_on": new, "provisional": req.due_provisional},
            )
    session.flush()
    return moved


def set_calendar_day(
    session: Session,
    day: dt.date,
    *,
    is_workday: bool | None,
    name: str,
    actor: User | None,
    now: dt.datetime,
) -> int:
    """Declare a day a working day or holiday (None removes the override); returns requests moved."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("只有管理员可以修改工作日历"))
    override = session.get(CalendarOverride, day)
    if is_workday is None:
        if override is not None:
            session.delete(override)
    elif override is None:
        session.add(
            CalendarOverride(
                day=day,
                is_workday=is_workday,
                name=name,
                updated_at=now,
                updated_by_id=actor.id if actor else None,
            )
        )
    else:
        override.is_workday, override.name, override.updated_at = is_workday, name, now
    session.flush()
    kind = "删除" if is_workday is None else ("调休上班" if is_workday else "放假")
    return recompute_open_due_dates(
        session, now=now, reason=f"工作日历调整（{cn_date(day)}{kind}）", actor=actor
    )


def confirm_calendar_year(
    session: Session, year: int, *, note: str, actor: User | None, now: dt.datetime
) -> int:
    """Declare a year's holiday notice entered in full: its due dates stop being provisional."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("只有管理员可以修改工作日历"))
    if session.get(CalendarYear, year) is None:
        session.add(
            CalendarYear(year=year, note=note, confirmed_at=now, confirmed_by_id=actor.id if actor else None)
        )
        session.flush()
    return recompute_open_due_dates(session, now=now, reason=f"{year}年节假日安排已录入", actor=actor)


def apply_holiday_notice(
    session: Session, notice: HolidayNotice, *, note: str, actor: User | None, now: dt.datetime
) -> tuple[list[DayChange], int]:
    """The State Council's notice stored as its year's calendar and the year confirmed, in one step
    (docs/rules.md §The calendar in one paste): each day the stored calendar has otherwise becomes an
    override (an override the notice contradicts is replaced), and every open request's due date is
    recomputed once. Returns the days changed and the requests moved."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("只有管理员可以修改工作日历"))
    changes = compare(notice, current_calendar(session))
    for change in changes:
        override = session.get(CalendarOverride, change.day)
        name = change.name or "国务院办公厅通知"
        if override is None:
            session.add(
                CalendarOverride(
                    day=change.day,
                    is_workday=change.notice_workday,
                    name=name,
                    updated_at=now,
                    updated_by_id=actor.id if actor else None,
                )
            )
        else:
            override.is_workday, override.name, override.updated_at = change.notice_workday, name, now
            override.updated_by_id = actor.id if actor else None
    confirmed = session.get(CalendarYear, notice.year)
    if confirmed is None:
        session.add(
            CalendarYear(
                year=notice.year, note=note, confirmed_at=now, confirmed_by_id=actor.id if actor else None
            )
        )
    else:
        confirmed.note, confirmed.confirmed_at = note, now
        confirmed.confirmed_by_id = actor.id if actor else None
    session.flush()
    moved = recompute_open_due_dates(
        session, now=now, reason=f"{notice.year}年节假日安排已按国务院办公厅通知录入", actor=actor
    )
    return changes, moved
