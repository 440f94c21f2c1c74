"""The year-end (docs/rules.md §The year-end): on the first working day of January the product drafts
every agency's report on the year just ended, keeping its progress where the administrators see it; as
31 January (31 March for a government) approaches, the heads of agencies whose report is not signed off
are reminded. The workers call these and commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from webapp.domain.calendar import WorkCalendar
from webapp.domain.reports.annual.layout import FORM_2021, publication_deadline
from webapp.domain.reports.annual.publish import save_drafts
from webapp.domain.reports.annual.scope import is_government, report_scope
from webapp.models import Agency, AnnualReportPublication, AnnualReportRun, OutboxMessage

# Days before the deadline on which an unsigned report is reminded (each once).
REMIND_DAYS = (10, 5, 1)


def first_working_day(cal: WorkCalendar, year: int) -> dt.date:
    """The first working day of January of `year`."""
    return cal.add_wd(dt.date(year - 1, 12, 31), 1)


def drafting_due(cal: WorkCalendar, today: dt.date) -> int | None:
    """The report year the January job drafts today, if it drafts: last year's, from January's first
    working day to the end of January."""
    if today.month == 1 and today >= first_working_day(cal, today.year):
        return today.year - 1
    return None


def start_run(session: Session, year: int, now: dt.datetime) -> AnnualReportRun:
    """The run of the year (made once; flushes): how many agencies it drafts."""
    run = session.execute(select(AnnualReportRun).where(AnnualReportRun.year == year)).scalar_one_or_none()
    if run is None:
        total = session.execute(select(func.count()).select_from(Agency)).scalar_one()
        run = AnnualReportRun(year=year, total=int(total), drafted=0, started_at=now)
        session.add(run)
        session.flush()
    return run


def next_agencies(session: Session, run: AnnualReportRun) -> list[Agency]:
    """The agencies the run has not drafted yet, in their order (a run resumed goes on where it stopped)."""
    return list(session.execute(select(Agency).order_by(Agency.id).offset(run.drafted)).scalars())


def draft_one(session: Session, run: AnnualReportRun, agency: Agency, now: dt.datetime) -> bool:
    """One agency's report drafted (its government's rolled up) and counted; flushes. True when a draft
    was saved (an office's own text is never replaced)."""
    saved = save_drafts(session, report_scope(session, [agency.code]), run.year, FORM_2021, now=now)
    run.drafted += 1
    if run.drafted >= run.total:
        run.finished_at = now
    session.flush()
    return saved


def latest_run(session: Session, year: int) -> AnnualReportRun | None:
    return session.execute(select(AnnualReportRun).where(AnnualReportRun.year == year)).scalar_one_or_none()


def remind_unsigned(session: Session, today: dt.date, now: dt.datetime) -> int:
    """Queue a reminder to the heads of each agency whose report on last year is not signed off, on the
    days REMIND_DAYS before its deadline (once each, by delivery key); flushes. Answers how many."""
    year = today.year - 1
    signed = set(
        session.execute(
            select(AnnualReportPublication.agency_id).where(AnnualReportPublication.year == year)
        ).scalars()
    )
    rows: list[dict[str, Any]] = []
    for agency in session.execute(select(Agency).order_by(Agency.id)).scalars():
        if agency.id in signed:
            continue
        deadline = publication_deadline(year, government=is_government(session, agency))
        left = (deadline - today).days
        if left not in REMIND_DAYS:
            continue
        rows.append(
            {
                "kind": "staff",
                "request_id": None,
                "delivery_key": f"annual-unsigned:{agency.code}:{year}:{left}",
                "payload": {
                    "notice": "annual_unsigned",
                    "agency_id": agency.id,
                    "agency_name": agency.name,
                    "year": year,
                    "deadline": deadline.isoformat(),
                },
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }
        )
    if not rows:
        return 0
    keys = [r["delivery_key"] for r in rows]
    have = set(
        session.execute(
            select(OutboxMessage.delivery_key).where(OutboxMessage.delivery_key.in_(keys))
        ).scalars()
    )
    new = [r for r in rows if r["delivery_key"] not in have]
    if new:
        session.execute(insert(OutboxMessage), new)
    return len(new)
