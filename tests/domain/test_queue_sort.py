"""The queue's six orders and its filters (docs/api.md §Queue): every order pages through the whole view
without repeating or skipping a row, ties broken by the due date, the received-on date and the tracking
number; the filters combine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import applicant
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import ValidationError
from webapp.domain.queue import SORTS, QueueFilter, due_soon, queue_page, queue_rows
from webapp.domain.requests import act, submit
from webapp.models import Request

D = dt.date
TODAY = D(2024, 6, 14)
NAMES = ["王五", "李四", "张三", "赵六", "王五", "钱七", "孙八", "李四", "周九"]
CHANNELS = ["letter", "email", "in_person", "letter", "fax", "email", "letter", "other", "email"]
TYPES = ["natural_person", "natural_person", "commercial_enterprise", "natural_person", "other_org"] * 2


@pytest.fixture
def nine(session: Any, now: dt.datetime, world: dict[str, Any]) -> list[Request]:
    """Nine requests of CITYHR on five days (several on one day, several of one name), two assigned, one
    accepted, one waiting for a correction (no due date), and one of CITYENV that no filter may show."""
    made = []
    for i, name in enumerate(NAMES):
        atype = TYPES[i]
        extra = (
            {"id_number": "91350100M000100Y43", "id_kind": "credit_code"} if atype != "natural_person" else {}
        )
        req, _ = submit(
            session,
            agency=world["agency"],
            applicant=applicant(name=name, type=atype, **extra),
            description=f"申请公开第{i}项",
            delivery="email",
            now=now,
            channel=CHANNELS[i],
            received_on=D(2024, 5, 20) + dt.timedelta(days=(i * 3) % 5),
            registered_by=world["officer"],
            require_late_reason=False,
        )
        made.append(req)
    act(session, made[1], "assign", world["officer"], now=now, assignee="head@hr.example")
    act(session, made[6], "assign", world["officer"], now=now, assignee="officer@hr.example")
    act(session, made[2], "accept", world["officer"], now=now)
    act(
        session,
        made[4],
        "request_correction",
        world["officer"],
        now=now,
        items="请补充",
        period_days=15,
        on=D(2024, 5, 24),
    )
    submit(
        session,
        agency=world["other"],
        applicant=applicant(name="外局"),
        description="别的机关",
        delivery="email",
        now=now,
        channel="letter",
        received_on=D(2024, 5, 20),
        registered_by=world["stranger"],
        require_late_reason=False,
    )
    session.flush()
    return made


def expected(rows: list[Request], sort: str) -> list[str]:
    def due(r: Request) -> str:
        return r.due_on.isoformat() if r.due_on else "9999-12-31"

    tail = {
        "due_on": lambda r: (due(r), r.received_on, r.tracking_number),
        "received_on": lambda r: (r.received_on, due(r), r.tracking_number),
        "applicant": lambda r: (r.applicant_name, due(r), r.received_on, r.tracking_number),
        "status": lambda r: (r.status, due(r), r.received_on, r.tracking_number),
        "assignee": lambda r: (r.assignee_id or 0, due(r), r.received_on, r.tracking_number),
    }
    if sort == "-received_on":
        ordered = sorted(rows, key=lambda r: (due(r), r.tracking_number))
        ordered = sorted(ordered, key=lambda r: r.received_on, reverse=True)  # stable: ties keep the tail
        return [r.tracking_number for r in ordered]
    return [r.tracking_number for r in sorted(rows, key=tail[sort])]


def paged(session: Any, user: Any, flt: QueueFilter, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = queue_page(
            session, user, flt, limit=limit, cursor=cursor, today=TODAY, cal=current_calendar(session)
        )
        seen += [r.tracking_number for r in page]
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("limit", [1, 2, 4, 50])
def test_every_order_pages_through_every_row_once_in_order(session, world, nine, sort, limit):
    assert paged(session, world["officer"], QueueFilter(sort=sort), limit) == expected(nine, sort)


def test_the_orders_put_what_the_officer_asked_for_first(session, world, nine):
    def first(sort: str) -> Request:
        page, _ = queue_page(
            session, world["officer"], QueueFilter(sort=sort), limit=1, cursor=None, today=TODAY
        )
        return page[0]

    assert first("received_on").received_on == D(2024, 5, 20)
    assert first("-received_on").received_on == D(2024, 5, 24)
    assert first("applicant").applicant_name == "周九"  # code-point order of the database's collation
    assert first("status").status == "awaiting_correction"
    assert first("assignee").assignee_id is None  # nobody assigned first
    assert [
        r.due_on is None
        for r in queue_rows(session, world["officer"], QueueFilter(), today=TODAY, most=20)[0]
    ][-1]  # the stopped clock last


def test_filters_combine(session, world, nine):
    def view(**kw: Any) -> list[str]:
        rows, more = queue_rows(
            session, world["officer"], QueueFilter(**kw), today=TODAY, cal=current_calendar(session), most=50
        )
        assert not more
        return sorted(r.tracking_number for r in rows)

    def where(pred: Any) -> list[str]:
        return sorted(r.tracking_number for r in nine if pred(r))

    assert view(channel="email") == where(lambda r: r.channel == "email")
    assert view(channel="email", applicant_type="natural_person") == where(
        lambda r: r.channel == "email" and r.applicant_type == "natural_person"
    )
    assert view(received_from=D(2024, 5, 21), received_to=D(2024, 5, 23)) == where(
        lambda r: D(2024, 5, 21) <= r.received_on <= D(2024, 5, 23)
    )
    assert view(received_from=D(2024, 5, 22), received_to=D(2024, 5, 22)) == where(
        lambda r: r.received_on == D(2024, 5, 22)
    )  # both ends inclusive
    assert view(assignee="me") == [nine[6].tracking_number]
    assert view(assignee="head@hr.example", channel="email") == [nine[1].tracking_number]
    assert view(assignee="none") == where(lambda r: r.assignee_id is None)
    assert view(status="awaiting_correction") == [nine[4].tracking_number]
    assert view(search="李四", channel="other") == [nine[7].tracking_number]
    assert view(channel="fax", status="received") == []


def test_due_soon_and_overdue_agree_with_the_marks(session, world, nine):
    cal = current_calendar(session)
    for today in [D(2024, 6, 14) + dt.timedelta(days=k) for k in range(0, 40, 2)]:
        rows, _ = queue_rows(
            session, world["officer"], QueueFilter(due_soon=True), today=today, cal=cal, most=50
        )
        assert sorted(r.tracking_number for r in rows) == sorted(
            r.tracking_number for r in nine if due_soon(cal, today, r)
        ), today
        rows, _ = queue_rows(
            session, world["officer"], QueueFilter(overdue=True), today=today, cal=cal, most=50
        )
        assert sorted(r.tracking_number for r in rows) == sorted(
            r.tracking_number for r in nine if r.is_overdue(today)
        ), today


def test_a_cursor_of_another_order_or_made_up_is_refused(session, world, nine):
    _, cursor = queue_page(
        session, world["officer"], QueueFilter(sort="applicant"), limit=2, cursor=None, today=TODAY
    )
    assert cursor
    for flt, bad in [
        (QueueFilter(sort="due_on"), cursor),
        (QueueFilter(sort="applicant"), "bm90IGpzb24"),
        (QueueFilter(sort="applicant"), cursor[:-3]),
    ]:
        with pytest.raises(ValidationError) as err:
            queue_page(session, world["officer"], flt, limit=2, cursor=bad, today=TODAY)
        assert "cursor" in err.value.fields


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        (QueueFilter(sort="name"), "sort"),
        (QueueFilter(channel="pigeon"), "channel"),
        (QueueFilter(applicant_type="robot"), "applicant_type"),
        (QueueFilter(received_from=D(2024, 6, 2), received_to=D(2024, 6, 1)), "received_to"),
    ],
)
def test_a_bad_filter_names_its_field(session, world, flt, field):
    with pytest.raises(ValidationError) as err:
        queue_page(session, world["officer"], flt, limit=2, cursor=None, today=TODAY)
    assert field in err.value.fields
