"""What an intake reads once per transaction (issue 8, intake throughput): the working calendar and the
agency's document settings are read in one query each and kept for the transaction only, so a change
made elsewhere (an administrator on another web process) counts from the next transaction on; the
document serial is one upsert and still hands out consecutive numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, text

from tests.factories import make_agency
from webapp.domain import documents
from webapp.domain.calendar import current_calendar
from webapp.domain.requests import Applicant, submit
from webapp.models import CalendarOverride, CalendarYear, Document, DocumentSettings

SATURDAY = dt.date(2031, 3, 8)  # 2031: beyond the package's years
MONDAY = dt.date(2031, 3, 10)


def test_a_calendar_change_from_elsewhere_counts_from_the_next_transaction(session: Any, now: Any) -> None:
    before = current_calendar(session)
    assert not before.is_workday(SATURDAY) and before.is_workday(MONDAY)
    assert 2031 not in before.covered_years
    # written without this session's ORM (as another web process would): no flush event here sees it
    session.execute(
        insert(CalendarOverride).values(day=SATURDAY, is_workday=True, name="调休", updated_at=now),
    )
    session.execute(
        insert(CalendarOverride).values(day=MONDAY, is_workday=False, name="放假", updated_at=now)
    )
    session.execute(insert(CalendarYear).values(year=2031, note="", confirmed_at=now))
    session.commit()

    after = current_calendar(session)
    assert after.is_workday(SATURDAY) and not after.is_workday(MONDAY)
    assert 2031 in after.covered_years
    assert after.add_wd(dt.date(2031, 3, 7), 1) == SATURDAY


def test_a_calendar_change_rolled_back_is_not_kept_for_a_later_change(session: Any, now: Any) -> None:
    """The process keeps calendars by the database's revision stamp: a change that was read and then
    rolled back must not stand in for a later, different change (a reused counter would alias them)."""
    session.commit()
    session.execute(
        insert(CalendarOverride).values(day=MONDAY, is_workday=False, name="放假", updated_at=now)
    )
    assert not current_calendar(session).is_workday(MONDAY)  # seen (and kept) within its transaction
    session.rollback()
    assert current_calendar(session).is_workday(MONDAY)

    session.execute(
        insert(CalendarOverride).values(day=SATURDAY, is_workday=True, name="调休", updated_at=now)
    )
    session.commit()
    cal = current_calendar(session)
    assert cal.is_workday(SATURDAY) and cal.is_workday(MONDAY)


def test_a_calendar_row_changed_by_plain_sql_counts_from_the_next_transaction(session: Any, now: Any) -> None:
    session.execute(
        insert(CalendarOverride).values(day=MONDAY, is_workday=False, name="放假", updated_at=now)
    )
    session.commit()
    assert not current_calendar(session).is_workday(MONDAY)
    # an UPDATE that touches nothing but the flag (no ORM event, no updated_at): the database's trigger
    session.execute(
        text("UPDATE calendar_overrides SET is_workday = :w WHERE day = :d"), {"w": True, "d": MONDAY}
    )
    session.commit()
    assert current_calendar(session).is_workday(MONDAY)
    session.execute(text("DELETE FROM calendar_overrides WHERE day = :d"), {"d": MONDAY})
    session.execute(insert(CalendarYear).values(year=2031, note="", confirmed_at=now))
    session.commit()
    cal = current_calendar(session)
    assert cal.is_workday(MONDAY) and 2031 in cal.covered_years


def test_document_serials_stay_consecutive(session: Any, now: Any) -> None:
    agency = make_agency(session, now)
    assert [documents.next_serial(session, agency, 2031) for _ in range(3)] == [1, 2, 3]
    assert documents.next_serial(session, agency, 2032) == 1
    assert documents.next_serial(session, agency, 2031) == 4


def test_receipt_uses_settings_read_with_the_agency_and_later_changes(session: Any, now: Any) -> None:
    agency = make_agency(session, now)
    session.commit()
    found = documents.agency_with_settings(session, agency.code)
    assert found is agency
    assert documents.settings_for(session, agency).short_name == ""  # none stored: the defaults

    # a row added in the same transaction (an admin's save, a fixture) is seen, not the absence read before
    session.add(
        DocumentSettings(
            agency_id=agency.id,
            letterhead="",
            short_name="测公开",
            number_scheme="{short}〔{year}〕{seq}号",
            seal_text="",
            address="",
            postal_code="",
            phone="",
            email="",
            contact_person="",
            overrides={},
        )
    )
    session.flush()
    req, _ = submit(
        session,
        agency=agency,
        applicant=Applicant(type="natural_person", name="张三", email="z@example.cn"),
        description="申请公开某文件",
        delivery="email",
        now=now,
    )
    receipt = session.execute(select(Document).where(Document.request_id == req.id)).scalar_one()
    assert receipt.number == f"测公开〔{req.received_on.year}〕1号"

    documents.save_settings(
        session, agency, {"short_name": "新公开", "number_scheme": "{short}{seq}"}, {}, now=now
    )
    session.commit()
    found = documents.agency_with_settings(session, agency.code)
    assert found is not None
    req2, _ = submit(
        session,
        agency=found,
        applicant=Applicant(type="natural_person", name="李四", email="l@example.cn"),
        description="申请公开另一文件",
        delivery="email",
        now=now,
    )
    receipt2 = session.execute(select(Document).where(Document.request_id == req2.id)).scalar_one()
    assert receipt2.number == "新公开2"


def test_unknown_agency_code(session: Any) -> None:
    assert documents.agency_with_settings(session, "NO-SUCH-CODE") is None
