"""The document an action would send, drafted by carrying the action out in a savepoint that is rolled
back: nothing is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from webapp.domain.documents.issuing import DRY_RUN
from webapp.domain.requests import act
from webapp.models import Request, User
from webapp.models.document import Document


def preview(
    session: Session,
    req: Request,
    action: str,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    **fields: Any,
) -> Document | None:
    """The document `action` with these fields would send, drafted by carrying the action out in a
    savepoint that is rolled back: the same validation, dates and text as the real thing, nothing kept.
    Raises what act() raises. None when the action sends no document."""
    fields.pop("document_text", None)
    savepoint = session.begin_nested()
    session.info[DRY_RUN] = True
    session.info["documents_drafted"] = []
    try:
        act(session, req, action, actor, now=now, on=on, **fields)
        drafted: list[Document] = session.info["documents_drafted"]
        found = next((d for d in drafted if d.to_applicant), None)
        result = (
            None
            if found is None
            else Document(
                kind=found.kind, title=found.title, number=found.number, body=found.body, header=found.header
            )
        )
    finally:
        session.info.pop(DRY_RUN, None)
        session.info.pop("documents_drafted", None)
        savepoint.rollback()
    return result
