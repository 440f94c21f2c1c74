"""The annual report's year-end tasks (docs/rules.md §The year-end): January's drafting of every agency's
report, from the first working day, once, with its progress; the reminders of unsigned reports before 31
January, and before 31 March for a government."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import People, make_agency, make_request
from webapp.domain.calendar import current_calendar
from webapp.domain.notices import compose
from webapp.domain.reports import annual
from webapp.domain.reports.annual import year_end
from webapp.models import AnnualReportRun, AnnualReportText, OutboxMessage
from workers.annual_reports import draft_now, remind_now


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)


def test_january_drafts_every_agency_once_from_the_first_working_day(
    session: Any, people: People, caplog: pytest.LogCaptureFixture
):
    cal = current_calendar(session)
    first = year_end.first_working_day(cal, 2026)
    assert first == dt.date(2026, 1, 4)  # 1–3 January off, Sunday the 4th a makeup working day
    make_request(session, noon(first), people.agency, received_on=dt.date(2025, 6, 2), officer=people.officer)
    scope = annual.report_scope(session, ["CITYENV"])
    annual.save_texts(
        session,
        scope,
        2025,
        "2021",
        {"problems": "本局自己写的。"},
        actor=people.stranger_head,
        now=noon(first),
    )
    session.commit()
    assert draft_now(session, noon(dt.date(2026, 1, 2))) == 0  # a holiday before it
    assert session.execute(select(AnnualReportRun)).first() is None
    with caplog.at_level(logging.INFO, logger="workers.annual_reports"):
        assert draft_now(session, noon(first)) == 2
    run = year_end.latest_run(session, 2025)
    assert run is not None and (run.total, run.drafted) == (2, 2) and run.finished_at is not None
    assert "annual report 2025 drafts finished: 2 agencies" in caplog.text
    texts = {t.agencies: t.texts for t in session.execute(select(AnnualReportText)).scalars()}
    hr = texts["CITYHR"]
    assert set(hr) == {"2021:overview", "2021:requests", "2021:problems", "2021:other"}
    assert "共收到政府信息公开申请1件" in hr["2021:requests"]["text"] and not hr["2021:requests"]["edited"]
    assert texts["CITYENV"]["2021:problems"] == {
        **texts["CITYENV"]["2021:problems"],
        "text": "本局自己写的。",
        "edited": True,
    }
    assert draft_now(session, noon(first + dt.timedelta(days=1))) == 0  # the run is finished
    assert draft_now(session, noon(dt.date(2026, 2, 2))) == 0  # not in February


def test_a_stopped_run_resumes_where_it_stopped(session: Any, people: People):
    now = noon(dt.date(2026, 1, 5))
    run = year_end.start_run(session, 2025, now)
    year_end.draft_one(session, run, people.agency, now)
    session.commit()
    assert (run.drafted, run.finished_at) == (1, None)
    assert draft_now(session, now) == 1
    assert run.drafted == 2 and run.finished_at is not None


def test_heads_are_reminded_of_unsigned_reports(session: Any, people: People):
    government = make_agency(session, noon(dt.date(2025, 1, 2)), code="CITYGOV", name="示范市人民政府")
    people.other_agency.parent_id = government.id
    session.commit()
    assert remind_now(session, noon(dt.date(2026, 1, 20))) == 0
    assert remind_now(session, noon(dt.date(2026, 1, 21))) == 2  # 10 days before 31 January: HR and ENV
    assert remind_now(session, noon(dt.date(2026, 1, 21))) == 0  # once
    rows = list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
    assert [r.delivery_key for r in rows] == [
        "annual-unsigned:CITYHR:2025:10",
        "annual-unsigned:CITYENV:2025:10",
    ]
    letter = compose(session, rows[0])
    assert letter.to == [people.head.email]
    assert "2025年度报告尚未签发" in letter.subject and "2026年1月31日" in letter.body
    # a signed-off report is not reminded; a government is reminded before 31 March
    annual.sign_off(
        session,
        annual.report_scope(session, ["CITYHR"]),
        2025,
        "2021",
        actor=people.head,
        now=noon(dt.date(2026, 1, 22)),
    )
    session.commit()
    assert remind_now(session, noon(dt.date(2026, 1, 26))) == 1
    assert remind_now(session, noon(dt.date(2026, 3, 21))) == 1
    keys = set(session.execute(select(OutboxMessage.delivery_key)).scalars())
    assert {"annual-unsigned:CITYENV:2025:5", "annual-unsigned:CITYGOV:2025:10"} <= keys
    assert "annual-unsigned:CITYHR:2025:5" not in keys
