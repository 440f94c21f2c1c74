"""Issuing a document with its event: numbered, its text, letterhead and contact block frozen in the
transaction of the event; a sent document never changes."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.domain.calendar import current_calendar
from webapp.domain.deadlines import registration_day
from webapp.domain.documents.numbering import document_number, next_serial
from webapp.domain.documents.settings import header_of, settings_for
from webapp.domain.documents.steps import letter
from webapp.domain.documents.texts import consultation_letter, draft
from webapp.domain.documents.wording import MAX_BODY
from webapp.domain.errors import ValidationError
from webapp.domain.states import LETTERS, NOTICES, TITLES
from webapp.i18n import _l
from webapp.models import Event, Request, User
from webapp.models.document import Document, DocumentSettings

DRY_RUN = "documents_dry_run"  # session.info flag set by preview(): draft the text, store nothing


def clean_text(text: object) -> str | None:
    """The officer's version of a document's text: None to send the default; a field error otherwise."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        raise ValidationError(_l("文书正文应为文本"), {"document_text": _l("应为文本")})
    if len(text) > MAX_BODY:
        raise ValidationError(
            _l("文书正文过长"), {"document_text": _l("不能超过%(limit)s个字符", limit=MAX_BODY)}
        )
    return text.replace("\r\n", "\n").strip()


def issued_on(req: Request, ev: Event) -> dt.date:
    """The document's date: the event's, but a receipt is issued the day the request is registered (a
    letter registered late is acknowledged that day, never backdated to the day it arrived)."""
    if ev.type == "submitted":
        return registration_day(ev.data, req.received_on)
    return ev.on


def compose(
    session: Session,
    req: Request,
    ev: Event,
    *,
    now: dt.datetime,
    actor: User | None,
    text: str | None = None,
    settings: DocumentSettings | None = None,
    serial: int | None = None,
) -> dict[str, Any] | None:
    """The columns of the document event `ev` sends (None if it sends none): numbered, and its text,
    letterhead and contact block as they stand. Under preview() (session.info[DRY_RUN]) not numbered.
    `settings` and `serial`: the agency's settings and the serial when the caller has them already (an
    intake reads both with the agency).

    Nothing is flushed here before the number is taken: the agency's counter row is always locked before
    the request's own row, whatever the caller does next (one lock order, no deadlock)."""
    kind = NOTICES.get(ev.type)
    if kind is None:
        return None
    with session.no_autoflush:
        if settings is None:
            settings = settings_for(session, req.agency)
        cal = current_calendar(session)
        overrides = settings.overrides if isinstance(settings.overrides, dict) else {}
        remedies = (settings.review_body or "", settings.court or "")
        default = draft(req, ev, cal, overrides=overrides, remedies=remedies)
        if serial is None and not session.info.get(DRY_RUN):
            serial = next_serial(session, req.agency, ev.on.year)
    body = text if text is not None else default
    return {
        "public_id": secrets.token_hex(8),
        "kind": kind,
        "to_applicant": True,
        "title": TITLES[kind],
        "number": document_number(settings, req.agency, kind, ev.on.year, serial),
        "body": body,
        "header": header_of(settings, req.agency),
        "on": issued_on(req, ev),
        "pdf": None,
        "sha256": None,
        "edited": text is not None and text != default,
        "created_at": now,
        "created_by_id": actor.id if actor else None,
    }


def issue(
    session: Session,
    req: Request,
    ev: Event,
    *,
    now: dt.datetime,
    actor: User | None,
    text: str | None = None,
) -> Document | None:
    """Send the document of event `ev`: number it and freeze what it says (`compose()`) with the event.
    Its PDF is made from exactly that by `pdf_of()`, once, off the request's path (the notice relay does
    it within seconds; a download does it if first). Under preview() the document is drafted but not
    numbered nor stored."""
    values = compose(session, req, ev, now=now, actor=actor, text=text)
    doc = None
    if values is not None:
        doc = Document(**values)
        if session.info.get(DRY_RUN):
            session.info.setdefault("documents_drafted", []).append(doc)
            return doc
        doc.request, doc.event = req, ev
        session.add(doc)
    letter_kind = LETTERS.get(ev.type)
    if letter_kind is not None and not session.info.get(DRY_RUN):
        _issue_letter(session, req, ev, letter_kind, now=now, actor=actor)
    return doc


def _issue_letter(
    session: Session, req: Request, ev: Event, kind: str, *, now: dt.datetime, actor: User | None
) -> None:
    """The letter the event sends to someone other than the applicant (states.LETTERS): the third party
    or the co-making agency consulted (2019 rules Art. 32, 34; 2008 Art. 23), the third party told of a
    disclosure over its objection (Art. 32)."""
    with session.no_autoflush:
        settings = settings_for(session, req.agency)
        serial = next_serial(session, req.agency, ev.on.year)
    remedies = (settings.review_body or "", settings.court or "")
    body = consultation_letter(req, ev) if kind == "consultation_letter" else letter(kind, req, ev, remedies)
    session.add(
        Document(
            public_id=secrets.token_hex(8),
            request=req,
            event=ev,
            kind=kind,
            to_applicant=False,
            title=TITLES[kind],
            number=document_number(settings, req.agency, kind, ev.on.year, serial),
            body=body,
            header=header_of(settings, req.agency),
            on=ev.on,
            pdf=None,
            sha256=None,
            edited=False,
            created_at=now,
            created_by_id=actor.id if actor else None,
        )
    )


@event.listens_for(Document, "before_update")
def _frozen(mapper: Any, connection: Any, target: Document) -> None:
    raise ValueError(f"document {target.public_id} was sent and cannot change")
