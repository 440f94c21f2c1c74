"""Year-end annex-two snapshots (docs/rules.md §Annex two): in January, last year's tables frozen for every
agency.

Scheduled every night of January; `webapp.domain.reports.snapshot_year` creates only what is missing, so
every run after the first (or a second beat's) creates nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.domain.calendar import china_today
from workers.schedule import SNAPSHOT_REPORTS

log = logging.getLogger(__name__)


def snapshot_last_year_now(session: Session, now: dt.datetime) -> int:
    """Freeze last year's annex two for every agency that has no snapshot of it yet; commits."""
    from webapp.domain.reports import snapshot_year

    year = china_today(now).year - 1
    try:
        created = snapshot_year(session, year, now)
        session.commit()
    except IntegrityError:  # a concurrent run froze the same tables first
        session.rollback()
        return 0
    if created:
        log.info("annual snapshot %s: %s tables frozen", year, len(created))
    return len(created)


@shared_task(name=SNAPSHOT_REPORTS)
def snapshot_last_year() -> int:
    from webapp.extensions import db

    return snapshot_last_year_now(db.session(), dt.datetime.now(dt.UTC))
