"""The public log's pages (公开答复库, on the citizen blueprint): browse by agency, year and outcome, search
in Chinese, and read one answer — nothing that names or identifies an applicant
(webapp/domain/public_log.py)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import select

from webapp.domain import public_log
from webapp.domain.release import released_files
from webapp.domain.states import OUTCOME_LABELS, REPLY_OUTCOMES
from webapp.extensions import db
from webapp.models import Agency, PublicAnswer
from webapp.models.base import MAX_ID
from webapp.web.citizen import bp
from webapp.web.common import error_page

PAGE = 20


def _int(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else None


@bp.get("/answers")
def answers() -> Any:
    session = db.session()
    agencies = list(session.execute(select(Agency).order_by(Agency.name)).scalars())
    code = request.args.get("agency") or ""
    agency = next((a for a in agencies if a.code == code), None)
    outcome = request.args.get("outcome") or ""
    q = (request.args.get("q") or "").strip()[:200]
    page = _int("page", 1, 500) or 1
    query = public_log.Query(
        q=q,
        agency_id=agency.id if agency else None,
        year=_int("year", 2008, 2100),
        outcome=outcome if outcome in REPLY_OUTCOMES else None,
    )
    found = public_log.search(session, query, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return render_template(
        "citizen/answers.html",
        entries=found[:PAGE],
        more=len(found) > PAGE,
        page=page,
        q=q,
        agencies=agencies,
        agency=code if agency else "",
        year=query.year,
        outcome=query.outcome or "",
        outcomes=[(c, OUTCOME_LABELS[c]) for c in OUTCOME_LABELS if c in REPLY_OUTCOMES],
    )


@bp.get(f"/answers/<int(max={MAX_ID}):answer_id>")
def answer(answer_id: int) -> Any:
    session = db.session()
    entry = session.get(PublicAnswer, answer_id)
    if entry is None:
        return error_page(404)
    return render_template(
        "citizen/answer.html",
        entry=entry,
        letter=public_log.public_reply(session, entry),
        files=released_files(entry.request),
    )
