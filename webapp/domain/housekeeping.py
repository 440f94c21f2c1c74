"""Rows behind the browser cookies that can no longer open anything, deleted every night
(docs/security.md §Housekeeping): citizens' tracking grants that were revoked or have expired, staff
sessions that began longer ago than KEEP_ENDED (none lives longer than STAFF_SESSION_MAX_HOURS), and the
failed-login counts of unknown addresses that are forgotten anyway (domain/accounts.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from webapp.domain.accounts import forgotten_failures
from webapp.models.sessions import LoginFailure, StaffSession, TrackingGrant

KEEP_ENDED = dt.timedelta(days=30)  # ended staff sessions stay this long for the record


def purge_expired(session: Session, *, now: dt.datetime, grant_lifetime: dt.timedelta) -> dict[str, int]:
    """Delete what has lapsed; the counts by table. The caller commits."""
    lapsed = TrackingGrant.revoked_at.is_not(None) | (TrackingGrant.created_at <= now - grant_lifetime)
    deletes = {
        "tracking_grants": delete(TrackingGrant).where(lapsed),
        "staff_sessions": delete(StaffSession).where(StaffSession.created_at < now - KEEP_ENDED),
        "login_failures": delete(LoginFailure).where(forgotten_failures(now)),
    }
    return {name: cast(CursorResult[Any], session.execute(stmt)).rowcount for name, stmt in deletes.items()}
