"""The officer's queue (docs/api.md §Queue): open requests of the officer's agencies, filtered, in one
of six orders, keyset-paged.

Requests whose clock is stopped (no due date) come after those with one. Each order has its index over
the open requests (bench/RESULTS.md): a page is one indexed range scan from the cursor's row, whatever the
table size or the page's depth: no OFFSET.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, Select, and_, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from webapp.domain.calendar import WorkCalendar
from webapp.domain.errors import ValidationError
from webapp.domain.identity import normalise_id_number
from webapp.domain.states import APPLICANT_TYPES, CHANNELS, UNFINISHED, Status
from webapp.i18n import _l
from webapp.models import Agency, Request, User
from webapp.models.base import MAX_ID


@dataclass(frozen=True)
class QueueFilter:
    agency: str | None = None
    status: str | None = None
    overdue: bool = False
    due_soon: bool = False
    due_before: dt.date | None = None
    due_from: dt.date | None = None  # due on or after this day
    assignee: str | None = None  # an e-mail, `me`, or `none` (nobody assigned)
    channel: str | None = None
    applicant_type: str | None = None
    received_from: dt.date | None = None  # inclusive
    received_to: dt.date | None = None  # inclusive
    search: str | None = None  # a tracking number, or words of the applicant's name or the request's text
    sort: str = "due_on"


MAX_SEARCH = 100
DUE_SOON_DAYS = 3  # working days: the queue marks a request due within this many as due soon
UNASSIGNED = "none"

# A request whose clock is stopped has no due date: it sorts after every dated one. One expression, the
# same in the queries and in the indexes (migration 9a4e6c1d2b07), so that the planner reads pages from them.
NO_DUE = "9999-12-31"
DUE_KEY: ColumnElement[Any] = func.coalesce(Request.due_on, literal_column(f"'{NO_DUE}'", Date))
ASSIGNEE_KEY: ColumnElement[Any] = func.coalesce(Request.assignee_id, literal_column("0", Integer))

# Each order of docs/api.md §Queue: its own leading key, then the ties broken by the due date, the
# received-on date and the tracking number (unique), so that a keyset page never repeats or skips a row.
SORT_KEYS: dict[str, list[Any]] = {
    "due_on": [DUE_KEY, Request.received_on, Request.tracking_number],
    "received_on": [Request.received_on, DUE_KEY, Request.tracking_number],
    "-received_on": [Request.received_on, DUE_KEY, Request.tracking_number],  # the first descending
    "applicant": [Request.applicant_name, DUE_KEY, Request.received_on, Request.tracking_number],
    "status": [Request.status, DUE_KEY, Request.received_on, Request.tracking_number],
    "assignee": [ASSIGNEE_KEY, DUE_KEY, Request.received_on, Request.tracking_number],
}
SORTS = tuple(SORT_KEYS)
DESCENDING = {"-received_on"}


def _key_values(row: Request, sort: str) -> list[Any]:
    due = row.due_on.isoformat() if row.due_on else NO_DUE
    lead: dict[str, list[Any]] = {
        "due_on": [],
        "received_on": [row.received_on.isoformat()],
        "-received_on": [row.received_on.isoformat()],
        "applicant": [row.applicant_name],
        "status": [row.status],
        "assignee": [row.assignee_id or 0],
    }
    tail: list[Any] = (
        [due, row.tracking_number]
        if sort.endswith("received_on")
        else [
            due,
            row.received_on.isoformat(),
            row.tracking_number,
        ]
    )
    return lead[sort] + tail


def _encode(row: Request, sort: str) -> str:
    key = {"s": sort, "k": _key_values(row, sort)}
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")


def _bad_cursor() -> ValidationError:
    return ValidationError(_l("分页游标无效"), {"cursor": _l("请使用上一页返回的 next_cursor")})


def _decode(cursor: str, sort: str) -> list[Any]:
    """The key of the last row of the previous page, typed as the sort's columns."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, dict) or raw.get("s") != sort:
            raise ValueError("another order's cursor")
        values = raw["k"]
        columns = SORT_KEYS[sort]
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong length")
        typed: list[Any] = []
        for column, value in zip(columns, values, strict=True):
            if column is DUE_KEY or column is Request.received_on:
                typed.append(dt.date.fromisoformat(value))
            elif column is ASSIGNEE_KEY:
                if not isinstance(value, int) or not 0 <= value <= MAX_ID:
                    raise ValueError("no such id")
                typed.append(value)
            elif isinstance(value, str) and len(value) <= 500:
                typed.append(value)
            else:
                raise ValueError("not a text")
        return typed
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, json.JSONDecodeError) as exc:
        raise _bad_cursor() from exc


def _after(sort: str, values: list[Any]) -> ColumnElement[bool]:
    """Rows after the cursor's in the sort's order (a row comparison the order's index answers)."""
    columns = SORT_KEYS[sort]
    if sort not in DESCENDING:
        return tuple_(*columns) > tuple_(*values)
    lead, rest = columns[0], columns[1:]
    return and_(
        lead <= values[0],
        or_(lead < values[0], and_(lead == values[0], tuple_(*rest) > tuple_(*values[1:]))),
    )


def order_by(sort: str) -> list[ColumnElement[Any]]:
    columns = SORT_KEYS[sort]
    if sort in DESCENDING:
        return [columns[0].desc(), *columns[1:]]
    return list(columns)


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


def _assignee_id(session: Session, user: User, assignee: str) -> int | None:
    if assignee == "me":
        return user.id
    email = assignee.strip().lower()
    found = session.execute(select(User.id).where(User.email == email)).scalar_one_or_none()
    return found if found is not None else -1


def queue_select(
    session: Session,
    user: User,
    flt: QueueFilter,
    *,
    today: dt.date,
    cal: WorkCalendar | None = None,
    within: int = DUE_SOON_DAYS,
) -> Select[Any]:
    """The queue's rows under every filter, unordered: open requests of the user's agencies (or those of
    the one status asked for)."""
    if flt.sort not in SORT_KEYS:
        raise ValidationError(
            _l("排序方式无效"), {"sort": _l("应为以下之一：%(values)s", values=", ".join(SORTS))}
        )
    if flt.received_from and flt.received_to and flt.received_from > flt.received_to:
        raise ValidationError(_l("收到日期范围无效"), {"received_to": _l("不能早于起始日期")})
    if flt.channel and flt.channel not in CHANNELS:
        raise ValidationError(_l("渠道无效"), {"channel": _l("未知渠道")})
    if flt.applicant_type and flt.applicant_type not in APPLICANT_TYPES:
        raise ValidationError(_l("申请人类型无效"), {"applicant_type": _l("未知申请人类型")})
    agency_ids = _agency_ids(session, user, flt)
    base: Select[Any] = select(Request).where(Request.agency_id.in_(agency_ids))
    if flt.status:
        base = base.where(Request.status == flt.status)
    else:
        base = base.where(Request.status.in_([str(s) for s in UNFINISHED]))
    if flt.status != Status.REPLIED:
        # The same rows (an unfinished request has no finished_on), said so that the open requests' partial
        # indexes apply: the page is read in key order from them, whatever the table's size.
        base = base.where(Request.finished_on.is_(None))
    # The due-date conditions are said on DUE_KEY (the same rows: a stopped clock's key is 9999-12-31), and
    # the assignee's on ASSIGNEE_KEY, so that the orders' indexes answer them as ranges.
    if flt.overdue:
        base = base.where(today > DUE_KEY, Request.status != Status.REPLIED)
    if flt.due_soon:
        if cal is None:
            raise ValueError("the due-soon filter needs the calendar")
        # due within `within` working days: count_wd(today, due_on) <= within
        base = base.where(
            today <= DUE_KEY,
            cal.add_wd(today, within + 1) > DUE_KEY,
            Request.status != Status.REPLIED,
        )
    if flt.due_before:
        base = base.where(flt.due_before > DUE_KEY)
    if flt.due_from:
        base = base.where(flt.due_from <= DUE_KEY, Request.due_on.is_not(None))
    if flt.assignee:
        if flt.assignee == UNASSIGNED:
            base = base.where(ASSIGNEE_KEY == 0)
        else:
            base = base.where(ASSIGNEE_KEY == _assignee_id(session, user, flt.assignee))  # noqa: SIM300
    if flt.channel:
        base = base.where(Request.channel == flt.channel)
    if flt.applicant_type:
        base = base.where(Request.applicant_type == flt.applicant_type)
    if flt.received_from:
        base = base.where(Request.received_on >= flt.received_from)
    if flt.received_to:
        base = base.where(Request.received_on <= flt.received_to)
    if flt.search and flt.search.strip():
        base = base.where(search_clause(flt.search))
    return base


def queue_page(
    session: Session,
    user: User,
    flt: QueueFilter,
    *,
    limit: int,
    cursor: str | None,
    today: dt.date,
    cal: WorkCalendar | None = None,
    within: int = DUE_SOON_DAYS,
) -> tuple[list[Request], str | None]:
    """One page of the queue in the filter's order, after the cursor's row."""
    stmt = queue_select(session, user, flt, today=today, cal=cal, within=within).options(*PAGE_LOADS)
    if cursor:
        stmt = stmt.where(_after(flt.sort, _decode(cursor, flt.sort)))
    stmt = stmt.order_by(*order_by(flt.sort)).limit(limit + 1)
    rows = list(session.execute(stmt).scalars())
    page = rows[:limit]
    return page, (_encode(page[-1], flt.sort) if len(rows) > limit else None)


def queue_rows(
    session: Session,
    user: User,
    flt: QueueFilter,
    *,
    today: dt.date,
    cal: WorkCalendar | None = None,
    within: int = DUE_SOON_DAYS,
    most: int,
) -> tuple[list[Request], bool]:
    """The whole view in its order, page by page, at most `most` rows; whether more were left out."""
    rows: list[Request] = []
    cursor: str | None = None
    while True:
        page, cursor = queue_page(
            session,
            user,
            flt,
            limit=min(500, most + 1 - len(rows)),
            cursor=cursor,
            today=today,
            cal=cal,
            within=within,
        )
        rows += page
        if cursor is None or len(rows) > most:
            return rows[:most], len(rows) > most


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
        received_on, serial = _decode_newest(cursor)
        stmt = stmt.where(tuple_(Request.received_on, Request.id) < tuple_(received_on, serial))
    stmt = stmt.order_by(Request.received_on.desc(), Request.id.desc()).limit(limit + 1)
    rows = list(session.execute(stmt).scalars())
    page = rows[:limit]
    return page, (_encode_newest(page[-1]) if len(rows) > limit else None)


def _encode_newest(row: Request) -> str:
    key = [row.received_on.isoformat(), row.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_newest(cursor: str) -> tuple[dt.date, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        serial = int(raw[1])
        if not 0 < serial <= MAX_ID or len(raw) != 2:
            raise ValueError("no such id")
        return dt.date.fromisoformat(raw[0]), serial
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, json.JSONDecodeError) as exc:
        raise _bad_cursor() from exc
