"""A provisional due date (one in a year whose holiday notice is not in the calendar yet) is marked 暂定
alike on the page, in the receipt's PDF and in the receipt's e-mail, and so is an extended one; a due date
the calendar covers is not (docs/rules.md §The calendar in one paste)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People, applicant, pdf_text
from tests.web.conftest import post
from webapp.domain import documents
from webapp.domain.calendar import package_years
from webapp.domain.notices import compose
from webapp.domain.requests import act, submit
from webapp.models import OutboxMessage, Request

LATE_2026 = dt.datetime(2026, 12, 14, 2, tzinfo=dt.UTC)  # a Monday; 20 working days on is in 2027
JUNE_2024 = dt.datetime(2024, 6, 3, 2, tzinfo=dt.UTC)


def applied(session: Any, people: People, now: dt.datetime) -> tuple[Request, str]:
    req, code = submit(
        session,
        agency=people.agency,
        applicant=applicant(),
        description="申请公开2027年度部门预算",
        delivery="email",
        now=now,
        channel="online",
    )
    session.commit()
    return req, code


def mail_of(session: Any, req: Request, notice: str) -> str:
    rows = session.execute(
        select(OutboxMessage).where(OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice")
    ).scalars()
    (row,) = [r for r in rows if r.payload.get("notice") == notice]
    return compose(session, row).body


def pdf_of(session: Any, req: Request, kind: str) -> str:
    (doc,) = [d for d in documents.documents_of(session, req) if d.kind == kind]
    return pdf_text(documents.pdf_of(session, doc))


def test_a_provisional_due_date_is_marked_on_the_page_in_the_pdf_and_in_the_mail(
    client: FlaskClient, people: People, session: Any
):
    assert 2027 not in package_years()
    req, code = applied(session, people, LATE_2026)
    assert req.due_provisional and req.due_on is not None and req.due_on.year == 2027
    assert "暂定" in mail_of(session, req, "receipt")
    assert "（暂定：答复期限跨入尚未公布节假日安排的年度" in pdf_of(session, req, "receipt")
    opened = post(client, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    assert opened.status_code == 302
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "暂定" in page
    # an extension keeps the mark: the extended date is just as provisional
    act(session, req, "accept", people.officer, now=LATE_2026, on=dt.date(2026, 12, 14))
    act(
        session,
        req,
        "extend",
        people.head,
        now=LATE_2026 + dt.timedelta(days=1),
        on=dt.date(2026, 12, 15),
        days=5,
        reason="需要调取档案",
    )
    session.commit()
    assert req.due_provisional
    assert "暂定" in mail_of(session, req, "extension_notice")
    assert "暂定" in pdf_of(session, req, "extension_notice")


def test_a_due_date_the_calendar_covers_is_not_marked(session: Any, people: People):
    req, _ = applied(session, people, JUNE_2024)
    assert not req.due_provisional
    assert "暂定" not in mail_of(session, req, "receipt")
    assert "暂定" not in pdf_of(session, req, "receipt")
