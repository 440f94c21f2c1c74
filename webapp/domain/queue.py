"""The officer's queue (docs/api.md §Queue): open requests of the officer's agencies by due date,
keyset-paged.

Requests whose clock is stopped (no due date) come after those with one. Each page is at most two
indexed range scans, whatever the table size or the page's depth: no OFFSET.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from webapp.domain.calendar import WorkCalendar
from webapp.domain.errors import ValidationError
from webapp.domain.identity import normalise_id_number
from webapp.domain.states import UNFINISHED, Status
from webapp.i18n import _l
from webapp.models import Agency, Request, User
from webapp.models.base import MAX_ID


@dataclass(frozen=True)
class QueueFilter:
    agency: str | None = None
    status: str | None = None
    overdue: bool = False
    due_before: dt.date | None = None
    assignee: str | None = None
    search: str | None = None  # a tracking number, or words of the applicant's name or the request's text


MAX_SEARCH = 100
DUE_SOON_DAYS = 3  # working days: the queue marks a request due within this many as due soon


def _encode(row: Request) -> str:
    key = [row.due_on.isoformat() if row.due_on else None, row.received_on.isoformat(), row.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[dt.date | None, dt.date, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        due = dt.date.fromisoformat(raw[0]) if raw[0] is not None else None
        serial = int(raw[2])
        if not 0 < serial <= MAX_ID:
            raise ValueError("no such id")
        return due, dt.date.fromisoformat(raw[1]), serial
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, json.JSONDecodeError) as exc:
        raise ValidationError(_l("分页游标无效"), {"cursor": _l("请使用上一页返回的 next_cursor")}) from exc


def _agency_ids(session: Session, user: User, flt: QueueFilter) -> list[int]:
    agency_ids = [a.id for a in user.agencies]
    if flt.agency is not None:
        match = [a.id for a in user.agencies if a.code == flt.agency]
        if not match:
            exists = session.execute(select(Agency.id).where(Agency.code == flt.agency)).first()
            raise ValidationError(
                _l("机关不存在或无权查看"), {"agency": _l("未知机关") if not exists else _l("无权查看该机关")}
            )
        agency_ids = match
    return agency_ids


def search_clause(text: str) -> ColumnElement[bool]:
    """A tracking number (whole or in part), text in the applicant's name or the request's description, or
    the applicant's whole identity number (however its digits are typed: normalised as when stored)."""
    term = text.replace("\x00", "").strip()[:MAX_SEARCH]
    like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Request.tracking_number.ilike(like, escape="\\"),
        Request.applicant_name.ilike(like, escape="\\"),
        Request.description.ilike(like, escape="\\"),
        Request.applicant_id_number == normalise_id_number(term),
    )


def working_days_left(cal: WorkCalendar, today: dt.date, due_on: dt.date | None) -> int | None:
    """Working days from today to the due date: 0 when due today, negative when overdue."""
    if due_on is None:
        return None
    if due_on >= today:
        return cal.count_wd(today, due_on)
    return -cal.count_wd(due_on, today)


def due_soon(cal: WorkCalendar, today: dt.date, req: Request, *, within: int = DUE_SOON_DAYS) -> bool:
    """Open, not overdue, and due within `within` working days (the workers' DUE_SOON_WORKING_DAYS)."""
    left = working_days_left(cal, today, req.due_on)
    return not req.finished and left is not None and 0 <= left <= within and not req.is_overdue(today)


# What a page's rows show (the agency, the due date's explanation replays the events, the assignee's
# email): loaded for the whole page in one query each, not one per row. The agency is not joined into the
# page's query: a join lets the planner sort every open request after the cursor instead of stopping at
# the page's end of the ordered index scan.
PAGE_LOADS = (selectinload(Request.agency), selectinload(Request.events), selectinload(Request.assignee))


def queue_page(
    session: Session, user: User, flt: QueueFilter, *, limit: int, cursor: str | None, today: dt.date
) -> tuple[list[Request], str | None]:
    agency_ids = _agency_ids(session, user, flt)
    base: Select[Any] = select(Request).where(Request.agency_id.in_(agency_ids)).options(*PAGE_LOADS)
    if flt.status:
        base = base.where(Request.status == flt.status)
    else:
        base = base.where(Request.status.in_([str(s) for s in UNFINISHED]))
    if flt.status != Status.REPLIED:
        # The same rows (an unfinished request has no finished_on), said so that the open requests' partial
        # indexes apply: the page is read in key order from them, whatever the table's size.
        base = base.where(Request.finished_on.is_(None))
    if flt.overdue:
        base = base.where(Request.due_on < today, Request.status != Status.REPLIED)
    if flt.due_before:
        base = base.where(Request.due_on < flt.due_before)
    if flt.assignee:
        email = user.email if flt.assignee == "me" else flt.assignee.strip().lower()
        assignee_id = session.execute(select(User.id).where(User.email == email)).scalar_one_or_none()
        base = base.where(Request.assignee_id == (assignee_id or -1))
    if flt.search and flt.search.strip():
        base = base.where(search_clause(flt.search))

    after = _decode(cursor) if cursor else None
    rows: list[Request] = []
    if after is None or after[0] is not None:
        dated = base.where(Request.due_on.is_not(None))
        if after is not None:
            dated = dated.where(tuple_(Request.due_on, Request.received_on, Request.id) > tuple_(*after))
        dated = dated.order_by(Request.due_on, Request.received_on, Request.id).limit(limit + 1)
        rows = list(session.execute(dated).scalars())
    if len(rows) <= limit and not (flt.overdue or flt.due_before):
        undated = base.where(Request.due_on.is_(None))
        if after is not None and after[0] is None:
            undated = undated.where(tuple_(Request.received_on, Request.id) > tuple_(after[1], after[2]))
        undated = undated.order_by(Request.received_on, Request.id).limit(limit + 1 - len(rows))
        rows += list(session.execute(undated).scalars())
    page = rows[:limit]
    return page, (_encode(page[-1]) if len(rows) > limit else None)


def all_requests_page(
    session: Session, user: User, flt: QueueFilter, *, limit: int, cursor: str | None
) -> tuple[list[Request], str | None]:
    """Every request of the user's agencies, finished or not, newest received first (keyset-paged by
    received_on, id); the status filter may name any status, `replied` included."""
    agency_ids = _agency_ids(session, user, flt)
    stmt: Select[Any] = select(Request).where(Request.agency_id.in_(agency_ids)).options(*PAGE_LOADS)
    if flt.status:
        stmt = stmt.where(Request.status == flt.status)
    if flt.search and flt.search.strip():
        stmt = stmt.where(search_clause(flt.search))
    if cursor:
        _, received_on, serial = _decode(cursor)
        stmt = stmt.where(tuple_(Request.received_on, Request.id) < tuple_(received_on, serial))
    stmt = stmt.order_by(Request.received_on.desc(), Request.id.desc()).limit(limit + 1)
    rows = list(session.execute(stmt).scalars())
    page = rows[:limit]
    return page, (_encode(page[-1]) if len(rows) > limit else None)
