"""Nightly housekeeping: the server-side rows behind cookies that can no longer open anything
(webapp/domain/housekeeping.py)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session

from webapp.domain.housekeeping import purge_expired
from webapp.extensions import db
from workers.schedule import PURGE_EXPIRED

log = logging.getLogger(__name__)


def purge_now(session: Session, now: dt.datetime, grant_hours: int) -> dict[str, int]:
    """Delete lapsed grants, old sessions and forgotten failed-login counts; commits."""
    counts = purge_expired(session, now=now, grant_lifetime=dt.timedelta(hours=grant_hours))
    session.commit()
    log.info("housekeeping: %s", counts)
    return counts


@shared_task(name=PURGE_EXPIRED)
def purge() -> dict[str, int]:
    hours = int(current_app.config.get("TRACKING_GRANT_HOURS") or 12)
    return purge_now(db.session(), dt.datetime.now(dt.UTC), hours)
