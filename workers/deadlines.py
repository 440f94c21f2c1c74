"""The deadline sweeps (docs/rules.md §Deadlines): what the platform does by itself, on the dates the
regulation fixes.

- a correction requested on C with a period of p working days lapses, and the request is finished as
  `closed_correction_lapsed`, on the day after add_wd(C, p);
- a fee notice sent on F lapses (`closed_fee_unpaid`) on the day after add_wd(F, 20);
- a third-party consultation begun on P (2019 rules) ends by itself on add_wd(P, 15), and the clock
  resumes;
- staff are told when a request is due soon or overdue, and each agency gets a daily digest.

The requests' stored `wait_ends_on` holds exactly those days, so each sweep selects with an indexed date
predicate (`wait_ends_on <= today`, `due_on < today` …) and acts *on that day*, not on the day it runs: a
sweep that missed three days closes what lapsed with the right dates. Each closure goes through
`webapp.domain.requests.act` (event, notice and clock in one transaction, one per request), under a row
lock skipped by a concurrent sweep, and checked again once locked; the version column refuses a second
writer where there are no row locks (SQLite). Staff notices are outbox rows with a unique delivery key,
inserted with ON CONFLICT DO NOTHING: a second run, or a second beat, inserts nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webapp.domain.calendar import CHINA, china_today, current_calendar
from webapp.domain.errors import Conflict, DomainError
from webapp.domain.requests import UNDATED_EVENTS, act
from webapp.domain.states import Status
from webapp.models import Agency, InboundEmail, OutboxMessage, Request
from workers.schedule import SWEEP_DEADLINES

log = logging.getLogger(__name__)

DIGEST_LIMIT = 200  # requests listed per section of a digest


@dataclass
class SweepResult:
    corrections_lapsed: list[str] = field(default_factory=list)
    fees_unpaid: list[str] = field(default_factory=list)
    consultations_resumed: list[str] = field(default_factory=list)
    due_soon_marked: int = 0
    overdue_marked: int = 0
    digests: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "corrections_lapsed": len(self.corrections_lapsed),
            "fees_unpaid": len(self.fees_unpaid),
            "consultations_resumed": len(self.consultations_resumed),
            "due_soon_marked": self.due_soon_marked,
            "overdue_marked": self.overdue_marked,
            "digests": self.digests,
        }


def noon(day: dt.date) -> dt.datetime:
    """An instant on `day` in China (for sweeps run as of a fixed day)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=CHINA).astimezone(dt.UTC)


def run_sweeps(session: Session, *, today: dt.date, now: dt.datetime, due_soon_days: int = 3) -> SweepResult:
    """Every sweep once, as of `today` (not after the day of `now`); commits per unit of work."""
    if today > china_today(now):
        raise ValueError("a sweep cannot run as of a day still to come")
    result = SweepResult()
    result.corrections_lapsed = _finish_waits(
        session,
        Status.AWAITING_CORRECTION,
        today,
        now,
        "close",
        {"outcome": "closed_correction_lapsed", "note": "补正期限届满，申请人未补正，视为放弃申请"},
    )
    result.fees_unpaid = _finish_waits(
        session,
        Status.AWAITING_FEE,
        today,
        now,
        "close",
        {"outcome": "closed_fee_unpaid", "note": "缴费期限届满，申请人未缴纳信息处理费，视为放弃申请"},
    )
    result.consultations_resumed = _finish_waits(
        session, Status.CONSULTING, today, now, "end_consultation", {}
    )
    try:
        result.due_soon_marked, result.overdue_marked, result.digests = _mark_deadlines(
            session, today, now, due_soon_days
        )
    except OperationalError as exc:
        session.rollback()
        if not _lost_race(exc):
            raise
        log.info("sweep: staff notices left to the next sweep (the database was busy)")
    return result


def _lost_race(exc: Exception) -> bool:
    """Another sweep or an officer changed the request first (or holds SQLite's write lock)."""
    if isinstance(exc, Conflict):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def _finish_waits(
    session: Session,
    status: Status,
    today: dt.date,
    now: dt.datetime,
    action: str,
    fields: dict[str, Any],
) -> list[str]:
    """Act on every request in `status` whose wait ended by `today`, on the day it ended."""
    due = (Request.status == str(status), Request.wait_ends_on <= today)
    ids = list(
        session.execute(select(Request.id).where(*due).order_by(Request.wait_ends_on, Request.id)).scalars()
    )
    session.commit()  # end the read; each request is its own transaction
    done = []
    for request_id in ids:
        try:
            req = session.execute(
                select(Request)
                .where(Request.id == request_id, *due)
                .with_for_update(skip_locked=True, of=Request)
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()
            if req is None or req.wait_ends_on is None:  # done (or being done) by another sweep or an officer
                session.rollback()
                continue
            last = max((e.on for e in req.events if e.type not in UNDATED_EVENTS), default=req.received_on)
            on = max(req.wait_ends_on, last)
            number = req.tracking_number
            act(session, req, action, None, now=now, on=on, version=req.version, **fields)
            session.commit()
        except (Conflict, OperationalError) as exc:
            session.rollback()
            if not _lost_race(exc):
                raise
            log.info("sweep: request %s changed concurrently, left to the next sweep", request_id)
            continue
        except DomainError as exc:  # one request the rules refuse must not stop the sweep for the others
            session.rollback()
            log.warning("sweep: request %s cannot %s: %s", request_id, action, exc.fields or exc.message)
            continue
        done.append(number)
        log.info("sweep: request %s %s on %s (%s)", number, action, on.isoformat(), status)
    return done


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows whose delivery key is new; an existing key inserts nothing. Returns the count."""
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = 0
    for start in range(0, len(rows), 500):
        stmt = (
            insert(OutboxMessage)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["delivery_key"])
            .returning(OutboxMessage.id)
        )
        inserted += len(session.execute(stmt).all())
    return inserted


def _staff_notice(
    key: str, now: dt.datetime, request_id: int | None, payload: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": "staff",
        "request_id": request_id,
        "delivery_key": key,
        "payload": payload,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


def _mark_deadlines(
    session: Session, today: dt.date, now: dt.datetime, due_soon_days: int
) -> tuple[int, int, int]:
    """Due-soon and overdue notices once per request and due date; one digest per agency and working day."""
    cal = current_calendar(session)
    soon_limit = cal.add_wd(today, due_soon_days)
    rows = session.execute(
        select(Request.id, Request.tracking_number, Request.agency_id, Request.due_on)
        .where(Request.finished_on.is_(None), Request.due_on.is_not(None), Request.due_on <= soon_limit)
        .order_by(Request.due_on, Request.id)
    )
    soon: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    per_agency: dict[int, dict[str, list[list[str]]]] = defaultdict(lambda: {"overdue": [], "due_soon": []})
    for request_id, tracking_number, agency_id, due_on in rows:
        if due_on is None:
            continue
        kind = "overdue" if due_on < today else "due_soon"
        key = f"{kind}:{tracking_number}:{due_on.isoformat()}"
        (late if kind == "overdue" else soon).append(
            _staff_notice(key, now, request_id, {"notice": kind, "due_on": due_on.isoformat()})
        )
        per_agency[agency_id][kind].append([tracking_number, due_on.isoformat()])
    due_soon_marked, overdue_marked = _insert_new(session, soon), _insert_new(session, late)
    session.commit()

    digests = 0
    if cal.is_workday(today):
        failed: dict[int, int] = {
            agency_id: n
            for agency_id, n in session.execute(
                select(Request.agency_id, func.count())
                .select_from(OutboxMessage)
                .join(Request, OutboxMessage.request_id == Request.id)
                .where(OutboxMessage.failed_at.is_not(None))
                .group_by(Request.agency_id)
            )
        }
        # notices written in the last day to an applicant without an e-mail address who did not ask for the
        # answer online: shown on the tracking page only, so the officer posts or telephones them
        unsent: dict[int, int] = {
            agency_id: n
            for agency_id, n in session.execute(
                select(Request.agency_id, func.count())
                .select_from(OutboxMessage)
                .join(Request, OutboxMessage.request_id == Request.id)
                .where(
                    OutboxMessage.kind == "notice",
                    OutboxMessage.delivered_via == "none",
                    OutboxMessage.sent_at > now - dt.timedelta(days=1),
                    Request.delivery != "online",
                )
                .group_by(Request.agency_id)
            )
        }
        review: dict[int, int] = {
            agency_id: n
            for agency_id, n in session.execute(
                select(InboundEmail.agency_id, func.count())
                .where(InboundEmail.status == "review")
                .group_by(InboundEmail.agency_id)
            )
        }
        agency_ids = set(per_agency) | set(failed) | set(review) | set(unsent)
        agencies = session.execute(
            select(Agency.id, Agency.code, Agency.name).where(Agency.id.in_(agency_ids))
        )
        digest_rows = []
        for agency_id, code, name in agencies:
            lists = per_agency.get(agency_id, {"overdue": [], "due_soon": []})
            payload = {
                "notice": "digest",
                "agency_id": agency_id,
                "agency_name": name,
                "date": today.isoformat(),
                "overdue": lists["overdue"][:DIGEST_LIMIT],
                "due_soon": lists["due_soon"][:DIGEST_LIMIT],
                "failed_notices": int(failed.get(agency_id, 0)),
                "undelivered_notices": int(unsent.get(agency_id, 0)),
                "mail_for_review": int(review.get(agency_id, 0)),
            }
            digest_rows.append(_staff_notice(f"digest:{code}:{today.isoformat()}", now, None, payload))
        digests = _insert_new(session, digest_rows)
        session.commit()
    return due_soon_marked, overdue_marked, digests


@shared_task(name=SWEEP_DEADLINES)
def sweep(today: str | None = None) -> dict[str, int]:
    """The scheduled sweep (as of today in China, or of `today`, an ISO date, for catching up)."""
    from webapp.extensions import db

    now = dt.datetime.now(dt.UTC)
    day = dt.date.fromisoformat(today) if today else china_today(now)
    result = run_sweeps(
        db.session(), today=day, now=now, due_soon_days=int(current_app.config["DUE_SOON_WORKING_DAYS"])
    )
    summary = result.summary()
    if any(summary.values()):
        log.info("sweep as of %s: %s", day.isoformat(), summary)
    return summary
