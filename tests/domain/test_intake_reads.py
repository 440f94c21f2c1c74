"""What an intake reads (issue 8, intake throughput): the agency, its document settings and the calendar's
revision stamp with the two serials, and the calendar itself only when the stamp is new to the process.
A change made elsewhere (an administrator on another web process, or plain SQL) counts from the next
transaction on; a change rolled back is never taken for a later one; the serials stay consecutive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from tests.factories import VALID_RESIDENT_ID, make_agency
from webapp.domain import accounts, documents
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import ValidationError
from webapp.domain.requests import Applicant, intake, submit
from webapp.models import (
    CalendarOverride,
    CalendarYear,
    Document,
    OutboxMessage,
    Request,
    TrackingCounter,
)

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


def test_receipt_uses_the_settings_as_they_stand_even_unflushed(session: Any, now: Any) -> None:
    agency = accounts.create_agency(session, "NOSETTINGS", "测试局", now=now)  # no settings row yet
    session.commit()
    # a row added in the same transaction (an admin's save, a fixture) and not yet flushed is seen
    settings = documents.default_settings(agency)
    settings.short_name, settings.number_scheme = "测公开", "{short}〔{year}〕{seq}号"
    session.add(settings)
    req, _ = submit(
        session,
        agency=agency,
        applicant=Applicant(
            type="natural_person", name="张三", id_number=VALID_RESIDENT_ID, email="z@example.cn"
        ),
        description="申请公开某文件",
        delivery="email",
        now=now,
    )
    receipt = session.execute(select(Document).where(Document.request_id == req.id)).scalar_one()
    assert receipt.number == f"测公开〔{req.received_on.year}〕1号"
    assert receipt.header["letterhead"] == agency.name

    documents.save_settings(
        session, agency, {"short_name": "新公开", "number_scheme": "{short}{seq}"}, {}, now=now
    )
    session.commit()
    done = intake(
        session,
        agency=agency.code,
        applicant=Applicant(
            type="natural_person", name="李四", id_number=VALID_RESIDENT_ID, email="l@example.cn"
        ),
        description="申请公开另一文件",
        delivery="email",
        now=now,
    )
    receipt2 = session.execute(select(Document).where(Document.request_id == done.id)).scalar_one()
    assert receipt2.number == "新公开2"
    assert done.tracking_number == f"{agency.code}-{done.received_on.year}-000002"


def test_unknown_agency_code_is_a_field_error_and_advances_no_counter(session: Any, now: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        intake(
            session,
            agency="NO-SUCH-CODE",
            applicant=Applicant(
                type="natural_person", name="张三", id_number=VALID_RESIDENT_ID, email="z@example.cn"
            ),
            description="申请公开某文件",
            delivery="email",
            now=now,
        )
    assert set(refused.value.fields) == {"agency"}
    assert session.execute(select(TrackingCounter)).first() is None


def test_intake_stores_every_character_as_sent(session: Any, now: Any) -> None:
    """On PostgreSQL the rows travel as JSON records: quotes, backslashes, line breaks, braces, emoji and
    the widest code points must arrive exactly as sent, in every table the intake writes."""
    agency = make_agency(session, now)
    text_sent = '申请公开"引号"与\\反斜杠\\n（不是换行）\n真换行\t制表 {"a": 1} $1 %s 😀 𠀋 \u3000全角空格'
    name_sent = 'O\'Brien "张" \\ 三'
    done = intake(
        session,
        agency=agency.code,
        applicant=Applicant(
            type="natural_person",
            name=name_sent,
            id_number=VALID_RESIDENT_ID,
            email="o'b@example.cn",
            address="路\n号",
        ),
        description=text_sent,
        delivery="email",
        now=now,
    )
    session.expire_all()
    req = session.get(Request, done.id)
    assert req is not None
    assert req.description == text_sent.strip() and req.applicant_name == name_sent
    assert req.applicant_address == "路\n号" and req.applicant_email == "o'b@example.cn"
    assert req.created_at == now and req.received_on == done.received_on
    receipt = session.execute(select(Document).where(Document.request_id == req.id)).scalar_one()
    assert name_sent in receipt.body and '"引号"与\\反斜杠' in receipt.body
    assert receipt.header["agency"] == agency.name and receipt.created_at == now
    [event] = req.events
    assert (event.type, event.seq, event.data, event.at) == ("submitted", 1, {"channel": "online"}, now)
    notice = session.execute(select(OutboxMessage).where(OutboxMessage.request_id == req.id)).scalar_one()
    assert notice.payload == {"notice": "receipt", "event_seq": 1}
    assert notice.delivery_key == f"notice:{req.tracking_number}:1" and notice.sent_at is None
