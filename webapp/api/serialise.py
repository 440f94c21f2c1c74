"""Requests as the API shows them: the staff view, and the applicant's view without internal notes,
internal events or officers' names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for

from webapp import authz
from webapp.domain import tokens
from webapp.domain.calendar import WorkCalendar
from webapp.domain.fees import fee_view
from webapp.domain.identity import mask_id_number
from webapp.domain.release import delivery_of, released_files
from webapp.domain.requests import clock_of
from webapp.domain.requests.history import applicant_note, applicant_sees
from webapp.domain.states import STATUS_LABELS, Status, allowed_actions
from webapp.models import Request, User


def explanation(req: Request, cal: WorkCalendar) -> list[dict[str, object]]:
    """How the due date was computed: each counted interval, holidays skipped, makeup days counted."""
    return [step.as_dict() for step in clock_of(req, cal).steps]


def summary(
    req: Request, cal: WorkCalendar, *, viewer: User | None, today: dt.date, full_id: bool = False
) -> dict[str, Any]:
    """The request without its history; `viewer` None is the applicant. The ID number is masked unless
    `full_id` (the request's own detail for staff of its agency, webapp.authz.sees_full_id_number)."""
    staff = viewer is not None
    out: dict[str, Any] = {
        "tracking_number": req.tracking_number,
        "agency": req.agency.code,
        "agency_name": req.agency.name,
        "channel": req.channel,
        "applicant_type": req.applicant_type,
        "status": req.status,
        "status_label": str(STATUS_LABELS[Status(req.status)]),
        "received_on": req.received_on,
        "rules": req.rules,
        "due_on": req.due_on,
        "due_provisional": req.due_provisional,
        "overdue": req.is_overdue(today),
        "remaining_days": req.remaining_days,
        "wait_ends_on": req.wait_ends_on,
        "extended_days": req.extended_days,
        "outcome": req.outcome,
        "finished_on": req.finished_on,
        "referred_agency": (
            {
                "name": req.referred_agency,
                "address": req.referred_agency_address,
                "phone": req.referred_agency_phone,
            }
            if req.referred_agency
            else None
        ),
        "version": req.version,
        "due_explanation": explanation(req, cal),
    }
    if staff:
        out.update(
            description=req.description,
            applicant={
                "type": req.applicant_type,
                "name": req.applicant_name,
                "id_kind": req.applicant_id_kind,
                "id_number": req.applicant_id_number if full_id else mask_id_number(req.applicant_id_number),
                "phone": req.applicant_phone,
                "email": req.applicant_email,
                "address": req.applicant_address,
            },
            assignee=req.assignee.email if req.assignee else None,
            allowed_actions=allowed_actions(req.status, viewer.role if viewer else None),
        )
    return out


def detail(req: Request, cal: WorkCalendar, *, viewer: User | None, today: dt.date) -> dict[str, Any]:
    out = summary(req, cal, viewer=viewer, today=today, full_id=authz.sees_full_id_number(viewer, req))
    staff = viewer is not None
    events = []
    for e in req.events:
        if not staff and not applicant_sees(e):
            continue
        note = e.note if staff else applicant_note(e)
        item: dict[str, Any] = {"at": e.at, "on": e.on, "type": e.type, "note": note}
        if staff:
            item.update(actor=e.actor.email if e.actor else None, internal=not applicant_sees(e), data=e.data)
            # The token the actor used, and who issued it (webapp/domain/tokens.py); None on the pages.
            item["token"] = (
                {
                    "id": e.token.id,
                    "label": e.token.label,
                    "issued_by": e.token.issued_by.email if e.token.issued_by else None,
                    "via": tokens.via(e),
                }
                if e.token
                else None
            )
        events.append(item)
    if staff:
        out["fee"] = fee_view(req)
    out["events"] = events
    out["attachments"] = [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "uploaded_at": a.uploaded_at,
            "url": url_for("api_v1.attachment", tracking_number=req.tracking_number, attachment_id=a.id),
            **({"purpose": a.purpose, "pages": a.pages, "released_on": a.released_on} if staff else {}),
        }
        for a in req.attachments
        if staff or a.uploaded_by_id is None
    ]
    out["released"] = [
        {
            "id": a.id,
            "name": a.filename,
            "url": url_for("api_v1.attachment", tracking_number=req.tracking_number, attachment_id=a.id),
            "pages": a.pages,
            "size": a.size,
        }
        for a in released_files(req)
    ]
    reply = next((e for e in reversed(req.events) if e.type == "replied"), None)
    out["published_where"] = reply.data.get("published_where") if reply is not None else None
    out["delivery"] = delivery_of(req).as_dict()
    return out
