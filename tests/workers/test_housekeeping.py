"""The nightly housekeeping deletes exactly the rows that can no longer open anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.factories import make_agency, make_request, make_user
from webapp.models.sessions import LoginFailure, StaffSession, TrackingGrant
from workers.housekeeping import purge_now

NOW = dt.datetime(2026, 12, 4, 19, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_lapsed_grants_old_sessions_and_forgotten_failures_go_the_rest_stays(session: Any):
    agency = make_agency(session, NOW, code="HOUSE")
    req, _code = make_request(session, NOW, agency, received_on=NOW.date())
    user = make_user(session, NOW, agency)
    grants = {
        "live": TrackingGrant(key_hash="a" * 64, request_id=req.id, created_at=NOW - 11 * HOUR),
        "expired": TrackingGrant(key_hash="b" * 64, request_id=req.id, created_at=NOW - 12 * HOUR),
        "revoked": TrackingGrant(key_hash="c" * 64, request_id=req.id, created_at=NOW - HOUR, revoked_at=NOW),
    }
    sessions = {
        name: StaffSession(
            key_hash=name.ljust(64, "0"),
            user_id=user.id,
            binding="x" * 64,
            created_at=NOW - age,
            last_seen_at=NOW - age,
        )
        for name, age in {"recent": dt.timedelta(days=29), "old": dt.timedelta(days=31)}.items()
    }
    failures = {
        "quiet": LoginFailure(
            email_hash="q" * 64, failed_logins=3, last_failed_login_at=NOW - dt.timedelta(days=2)
        ),
        "recent": LoginFailure(email_hash="r" * 64, failed_logins=3, last_failed_login_at=NOW - HOUR),
        "locked": LoginFailure(
            email_hash="l" * 64,
            failed_logins=9,
            last_failed_login_at=NOW - dt.timedelta(days=2),
            locked_until=NOW + HOUR,
        ),
    }
    session.add_all([*grants.values(), *sessions.values(), *failures.values()])
    session.flush()

    assert purge_now(session, NOW, grant_hours=12) == {
        "tracking_grants": 2,
        "staff_sessions": 1,
        "login_failures": 1,
    }
    assert set(session.scalars(select(TrackingGrant.key_hash))) == {"a" * 64}
    assert set(session.scalars(select(StaffSession.key_hash))) == {"recent".ljust(64, "0")}
    assert set(session.scalars(select(LoginFailure.email_hash))) == {"r" * 64, "l" * 64}
    assert purge_now(session, NOW, grant_hours=12) == {
        "tracking_grants": 0,
        "staff_sessions": 0,
        "login_failures": 0,
    }
