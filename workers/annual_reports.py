"""The whole annual report's year-end (docs/rules.md §The year-end): every day of January from its first
working day, last year's report drafted for every agency (a run made once, resumed where it stopped,
its progress logged and kept for the administrators); every morning of January to March, the heads of
agencies whose report is not signed off reminded as the deadline nears."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from sqlalchemy.orm import Session

from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.reports.annual import year_end
from webapp.extensions import db
from workers.schedule import DRAFT_ANNUAL_REPORTS, REMIND_ANNUAL_REPORTS

log = logging.getLogger(__name__)
PROGRESS_EVERY = 10  # agencies between two progress lines in the log


def draft_now(session: Session, now: dt.datetime) -> int:
    """Draft last year's report of every agency not drafted yet in this year's run; commits after each
    agency, so the run's progress is visible as it goes and a stopped run resumes. Answers how many
    agencies this call drafted (0 outside January's drafting days and once the run is finished)."""
    year = year_end.drafting_due(current_calendar(session), china_today(now))
    if year is None:
        return 0
    run = year_end.start_run(session, year, now)
    session.commit()
    if run.finished_at is not None:
        return 0
    done = 0
    for agency in year_end.next_agencies(session, run):
        year_end.draft_one(session, run, agency, now)
        session.commit()
        done += 1
        if run.drafted % PROGRESS_EVERY == 0 or run.finished_at is not None:
            log.info("annual report %s drafts: %s of %s agencies", year, run.drafted, run.total)
    if run.finished_at is None:  # no agency left though the count said more (one was removed)
        run.finished_at = now
        session.commit()
    log.info("annual report %s drafts finished: %s agencies", year, run.drafted)
    return done


def remind_now(session: Session, now: dt.datetime) -> int:
    """Queue today's reminders of unsigned reports; commits."""
    queued = year_end.remind_unsigned(session, china_today(now), now)
    session.commit()
    if queued:
        log.info("annual report reminders queued: %s", queued)
    return queued


@shared_task(name=DRAFT_ANNUAL_REPORTS)
def draft_last_year() -> int:
    return draft_now(db.session(), dt.datetime.now(dt.UTC))


@shared_task(name=REMIND_ANNUAL_REPORTS)
def remind_unsigned() -> int:
    return remind_now(db.session(), dt.datetime.now(dt.UTC))
