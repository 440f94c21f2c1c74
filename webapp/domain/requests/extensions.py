"""Extensions (延期答复): the officer proposes, the head approves (`extend`) or declines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from webapp.domain.errors import IllegalTransition
from webapp.domain.requests.actions import act
from webapp.domain.requests.history import EXTENDABLE, EXTENSION_EVENTS, pending_extension
from webapp.i18n import _l
from webapp.models import Event, Request, User


def approve_extension(
    session: Session,
    req: Request,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    version: int | None = None,
) -> Request:
    """The head approves the pending proposal: `extend` with the proposal's days and reason."""
    proposal = pending_extension(req)
    if proposal is None:
        raise IllegalTransition(_l("没有待审批的延期申请"), {"action": _l("没有待审批的延期申请")})
    return act(
        session,
        req,
        "extend",
        actor,
        now=now,
        on=on,
        version=version,
        days=int(str(proposal.data["days"])),
        reason=proposal.note,
    )


def pending_extension_requests(session: Session, agency_ids: list[int]) -> list[tuple[Request, Event]]:
    """Requests of these agencies with a pending extension proposal, soonest due first, with the proposal.

    Driven by the agencies' open, unextended requests (ix_requests_agency_due); each request's events are
    reached through uq_request_events_request_seq."""
    later = aliased(Event)
    settled = exists().where(
        later.request_id == Event.request_id,
        later.seq > Event.seq,
        later.type.in_(EXTENSION_EVENTS),
    )
    rows = session.execute(
        select(Request, Event)
        .join(Event, Event.request_id == Request.id)
        .where(
            Request.agency_id.in_(agency_ids),
            Request.status.in_([str(s) for s in EXTENDABLE]),
            Request.extended_days == 0,
            Event.type == "extension_proposed",
            ~settled,
        )
        .order_by(Request.due_on.is_(None), Request.due_on, Request.id)
    )
    return [(req, ev) for req, ev in rows]
