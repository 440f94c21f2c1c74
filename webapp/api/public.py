"""/api/v1/public/answers: the public log of answered requests, without credentials (docs/api.md §The
public log). Nothing in it names or identifies an applicant (webapp/domain/public_log.py)."""

from __future__ import annotations

import io
from typing import Any

import marshmallow as ma
from flask import send_file, url_for
from flask.views import MethodView
from marshmallow import fields, validate
from werkzeug.wrappers import Response

from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain import public_log
from webapp.domain.attachments import content_disposition, download_name
from webapp.domain.errors import NotFound
from webapp.domain.release import released_file, released_files
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, PublicAnswer
from webapp.models.base import MAX_ID
from webapp.render.letters import render
from webapp.web.citizen import download


class AnswersArgs(StrictSchema):
    q = text(200)
    agency = text(32)
    year = fields.Integer(validate=validate.Range(min=2008, max=2100))
    outcome = text(40)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))


class SimilarArgs(StrictSchema):
    text = text(2000, required=True)


class AnswersOut(ma.Schema):
    items = fields.List(fields.Dict(), required=True)


def answer_json(entry: PublicAnswer) -> dict[str, Any]:
    return {
        "id": entry.id,
        "agency": entry.agency.code,
        "agency_name": entry.agency.name,
        "subject": entry.subject,
        "outcome": entry.outcome,
        "replied_on": entry.replied_on.isoformat(),
        "reply_pdf": url_for("api_v1.public_reply_pdf", answer_id=entry.id, _external=True),
        "released": [
            {
                "name": download_name(a),
                "url": url_for("api_v1.public_file", answer_id=entry.id, attachment_id=a.id, _external=True),
            }
            for a in released_files(entry.request)
        ],
    }


@bp.route("/public/answers")
class PublicAnswers(MethodView):
    @bp.arguments(AnswersArgs(), location="query")
    @bp.response(200, AnswersOut)
    @document_errors(422)
    def get(self, args: dict[str, Any]) -> Any:
        """Published answers, best matches first for `q` (newest first without it); no credentials."""
        agency_id = None
        if args.get("agency"):
            agency = db.session.query(Agency).filter_by(code=args["agency"].upper()).one_or_none()
            if agency is None:
                return {"items": []}
            agency_id = agency.id
        query = public_log.Query(
            q=args.get("q") or "", agency_id=agency_id, year=args.get("year"), outcome=args.get("outcome")
        )
        found = public_log.search(db.session(), query, limit=args["limit"], offset=args["offset"])
        return {"items": [answer_json(e) for e in public_log.with_details(db.session(), found)]}


@bp.route("/public/answers/similar")
class SimilarAnswers(MethodView):
    @bp.arguments(SimilarArgs(), location="query")
    @bp.response(200, AnswersOut)
    @document_errors(422)
    def get(self, args: dict[str, Any]) -> Any:
        """The published answers a citizen about to ask should read first (a draft description)."""
        found = public_log.similar_to(db.session(), args["text"])
        return {"items": [answer_json(e) for e in public_log.with_details(db.session(), found)]}


@bp.get(f"/public/answers/<int(max={MAX_ID}):answer_id>/reply.pdf")
@bp.doc(summary="The reply letter as published, without the applicant's details (PDF)")
@document_errors(404)
def public_reply_pdf(answer_id: int) -> Response:
    entry = db.session.get(PublicAnswer, answer_id)
    view = public_log.public_reply(db.session(), entry) if entry is not None else None
    if view is None:
        raise NotFound(_l("没有这份公开的答复"))
    response = send_file(io.BytesIO(render(view)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        f"答复书-公开-{answer_id}.pdf", f"reply-public-{answer_id}"
    )
    return response


@bp.get(f"/public/answers/<int(max={MAX_ID}):answer_id>/files/<int(max={MAX_ID}):attachment_id>")
@bp.doc(summary="A file the published reply released (no credentials)")
@document_errors(404)
def public_file(answer_id: int, attachment_id: int) -> Response:
    entry = db.session.get(PublicAnswer, answer_id)
    found = released_file(entry.request, attachment_id) if entry is not None else None
    if found is None:
        raise NotFound(_l("没有这份公开的文件"))
    return download(found)
