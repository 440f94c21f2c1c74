"""The queue's search (tracking number, applicant, text), the list of every request, working days left,
and the administrator's account functions the pages use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import applicant
from webapp.domain import accounts
from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.errors import ValidationError
from webapp.domain.queue import QueueFilter, all_requests_page, due_soon, queue_page, working_days_left
from webapp.domain.requests import act, submit
from webapp.models import ApiToken, Request

D = dt.date


def register(
    session: Any, now: dt.datetime, world: Any, name: str, text: str, on: dt.date, agency: str = "agency"
) -> Request:
    officer = world["officer"] if agency == "agency" else world["stranger"]
    req, _ = submit(
        session,
        agency=world[agency],
        applicant=applicant(name=name),
        description=text,
        delivery="email",
        now=now,
        channel="letter",
        received_on=on,
        registered_by=officer,
        require_late_reason=False,
    )
    return req


def numbers(rows: list[Request]) -> list[str]:
    return [r.tracking_number for r in rows]


def test_search_finds_a_number_a_name_or_words_of_the_text(session, now, world):
    a = register(session, now, world, "欧阳修", "河道整治工程的环评批复", D(2024, 6, 3))
    b = register(session, now, world, "王安石", "新法实施细则（100%公开）", D(2024, 6, 4))
    register(session, now, world, "欧阳修", "别的机关", D(2024, 6, 4), agency="other")

    def search(text: str) -> list[str]:
        rows, _ = queue_page(
            session, world["officer"], QueueFilter(search=text), limit=50, cursor=None, today=D(2024, 6, 14)
        )
        return numbers(rows)

    assert search(a.tracking_number) == [a.tracking_number]
    assert search(a.tracking_number.lower()) == [a.tracking_number]
    assert search("000002") == [b.tracking_number]
    assert search(" 欧阳 ") == [a.tracking_number]  # only the officer's own agencies
    assert search("环评") == [a.tracking_number]
    assert search("100%") == [b.tracking_number]
    assert search("%") == [b.tracking_number]  # a wildcard is matched as itself
    assert search("_") == []
    assert search("\x00") == sorted([a.tracking_number, b.tracking_number])  # nothing left to search for
    assert search("无此人") == []


def test_every_request_newest_first_finished_too_paged(session, now, world):
    made = [
        register(session, now, world, f"申请人{i}", "预算", D(2024, 6, 3) + dt.timedelta(days=i))
        for i in range(5)
    ]
    act(session, made[0], "close", world["officer"], now=now, on=D(2024, 6, 5), outcome="closed_other")
    rows, cursor = all_requests_page(session, world["officer"], QueueFilter(), limit=3, cursor=None)
    assert numbers(rows) == numbers(made[::-1][:3])
    rows, cursor2 = all_requests_page(session, world["officer"], QueueFilter(), limit=3, cursor=cursor)
    assert numbers(rows) == numbers(made[::-1][3:]) and cursor2 is None
    rows, _ = all_requests_page(
        session, world["officer"], QueueFilter(status="replied"), limit=10, cursor=None
    )
    assert numbers(rows) == [made[0].tracking_number]
    with pytest.raises(ValidationError):
        all_requests_page(session, world["officer"], QueueFilter(agency="CITYENV"), limit=10, cursor=None)


def test_working_days_left_count_the_calendar(session):
    cal: WorkCalendar = current_calendar(session)
    # Friday 2024-06-07 to Tuesday 2024-06-11: Monday 6/10 is 端午节, so one working day (6/11).
    assert working_days_left(cal, D(2024, 6, 7), D(2024, 6, 11)) == 1
    assert working_days_left(cal, D(2024, 6, 11), D(2024, 6, 11)) == 0  # due today
    assert working_days_left(cal, D(2024, 6, 13), D(2024, 6, 11)) == -2  # two working days late
    assert working_days_left(cal, D(2024, 6, 13), None) is None


def test_due_soon_is_open_not_overdue_and_within_the_days(session, now, world):
    cal = current_calendar(session)
    req = register(session, now, world, "张三", "预算", D(2024, 6, 3))  # due 2024-07-02
    assert due_soon(cal, D(2024, 6, 27), req)  # 6/28, 7/1, 7/2: three working days
    assert not due_soon(cal, D(2024, 6, 26), req)
    assert due_soon(cal, D(2024, 6, 26), req, within=4)
    assert not due_soon(cal, D(2024, 7, 3), req)  # overdue, not "soon"


def test_catalogue_counts_and_agency_names(session, now, world):
    agency = world["agency"]
    agency.report_settings = {"letterhead": "示范市"}
    accounts.set_catalogue_count(session, agency, 2024, 12)
    accounts.set_catalogue_count(session, agency, 2023, 9)
    assert agency.report_settings == {"letterhead": "示范市", "catalogue_counts": {"2023": 9, "2024": 12}}
    assert agency.catalogue_count(2024) == 12
    accounts.set_catalogue_count(session, agency, 2023, None)
    assert agency.catalogue_count(2023) == 0
    with pytest.raises(ValidationError) as err:
        accounts.set_catalogue_count(session, agency, 1999, -1)
    assert set(err.value.fields) == {"year", "count"}
    accounts.update_agency(session, agency, name=" 示范市人社局 ")
    assert agency.name == "示范市人社局"
    with pytest.raises(ValidationError):
        accounts.update_agency(session, agency, name="  ")


def test_deactivating_revokes_tokens_and_not_oneself(session, now, world):
    admin, officer = world["admin"], world["officer"]
    accounts.issue_token(session, officer, now=now)
    accounts.set_user_active(session, officer, active=False, actor=admin, now=now)
    assert not officer.active
    assert all(t.revoked_at is not None for t in session.query(ApiToken).filter_by(user_id=officer.id))
    accounts.set_user_active(session, officer, active=True, actor=admin, now=now)
    assert officer.active
    with pytest.raises(ValidationError):
        accounts.set_user_active(session, admin, active=False, actor=admin, now=now)
    staff = [u.email for u in accounts.agency_staff(session, world["agency"].id)]
    # the officers and the head, not the agency's or the platform's administrator
    assert staff == ["head@hr.example", "officer2@hr.example", "officer@hr.example"]
