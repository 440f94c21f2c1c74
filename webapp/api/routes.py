"""/api/v1: intake, the request view, actions, the applicant's acts, attachments and the queue.

Each route parses input through its schema, checks who is asking, calls one domain function and commits
once. Business rules live in webapp.domain.
"""

from __future__ import annotations

import io
from typing import Any

from flask import current_app, g, jsonify, request, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from webapp import authz
from webapp.api import jsonbody, schemas
from webapp.api.auth import bearer_user, credentials_first, load_request, now, staff_user
from webapp.api.serialise import detail, summary
from webapp.domain import documents, idempotency
from webapp.domain.attachments import (
    attachment_disposition,
    attachment_path,
    content_disposition,
    store_attachment,
)
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.errors import Forbidden, NotFound, ValidationError
from webapp.domain.queue import DUE_SOON_DAYS, QueueFilter, queue_page
from webapp.domain.release_files import redact_attachment
from webapp.domain.requests import Applicant, act, applicant_correct, applicant_withdraw, intake
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Attachment, Document, Request, User
from webapp.models.base import MAX_ID

bp = Blueprint(
    "api_v1", __name__, url_prefix="/api/v1", description="政府信息公开申请：受理、办理、查询 (docs/api.md)"
)
bp.ARGUMENTS_PARSER = jsonbody.Parser()  # bodies nested too deep are malformed JSON (400)

ERRORS = {
    400: "malformed request (e.g. invalid JSON)",
    401: "missing or invalid credentials",
    403: "the user's role does not allow this",
    404: "no such request, another agency's request, or a wrong access code",
    409: "illegal_transition or conflict",
    413: "payload_too_large: the request's cap of files or bytes is reached (the limit is named)",
    422: "validation_error, with the fields at fault",
    429: "rate_limited: too many submissions or wrong access codes from this address (Retry-After)",
}


def document_errors(*codes: int) -> Any:
    def wrap(fn: Any) -> Any:
        for code in codes:
            fn = bp.alt_response(code, schema=schemas.ErrorOut, description=ERRORS[code])(fn)
        return fn

    return wrap


def json_answer(status: int, body: dict[str, Any]) -> Response:
    """An answer already in its JSON form (kept for Idempotency-Key replays, so both are identical)."""
    response = jsonify(body)
    response.status_code = status
    return response


def request_detail(req: Request, viewer: User | None) -> dict[str, Any]:
    return detail(req, current_calendar(db.session()), viewer=viewer, today=china_today(now()))


SUBMITTED_OUT = schemas.SubmittedOut()  # one instance: building a schema costs more than its dump


IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "a random value of the client's (e.g. a UUID4): a retry with the same key and body "
    "within 24 hours answers the first response again; only to the caller that first sent it",
    "schema": {
        "type": "string",
        "minLength": idempotency.MIN_KEY_LENGTH,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        "pattern": "^" + idempotency.KEY_ALPHABET.pattern + "$",
    },
}


@bp.route("/requests")
class Requests(MethodView):
    @bp.doc(parameters=[IDEMPOTENCY_KEY])
    @bp.arguments(schemas.RequestIn())
    @bp.response(201, schemas.SubmittedOut)
    @document_errors(400, 401, 403, 409, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Submit a request (citizen, channel online) or register one (officer, any channel)."""
        session = db.session()
        user = bearer_user()
        moment = now()
        key_header = request.headers.get("Idempotency-Key")
        key = None
        if key_header is not None:
            scope = f"user:{user.id}" if user else "public"
            key = idempotency.make_key(
                key_header,
                scope=scope,
                body=request.get_json(silent=True),
                secret=current_app.config["SECRET_KEY"],
            )
            kept = idempotency.replay(session, key, now=moment)
            if kept is not None:
                session.commit()
                return json_answer(*kept)

        if user is None:
            staff_only = ("channel", "received_on", "late_reason")
            refused: dict[str, str] = {f: _l("公众在线提交时不能指定该字段") for f in staff_only if f in body}
            if refused:
                raise ValidationError(_l("输入有误，请检查标出的字段"), refused)
            channel, received_on = "online", None
        else:
            channel = body.get("channel", "online")
            received_on = body.get("received_on")
            if channel != "online" and received_on is None:
                raise ValidationError(_l("非网上渠道须填写收到申请之日"), {"received_on": _l("必填")})
        done = intake(
            session,
            agency=body["agency"],
            applicant=Applicant(**body["applicant"]),
            description=body["description"],
            delivery=body["delivery"],
            document_number=body.get("document_number"),
            purpose=body.get("purpose"),
            channel=channel,
            received_on=received_on,
            registered_by=user,
            now=moment,
            late_reason=body.get("late_reason"),
        )
        answer = SUBMITTED_OUT.dump(
            {
                "tracking_number": done.tracking_number,
                "access_code": done.access_code,
                "status": done.status,
                "received_on": done.received_on,
                "due_on": done.due_on,
                "due_provisional": done.due_provisional,
                "rules": done.rules,
                "due_explanation": done.due_explanation,
            }
        )
        try:
            if key is not None:
                idempotency.remember(session, key, 201, answer, now=moment)
            session.commit()
        except IntegrityError:
            # The same key was committed by a concurrent retry first: answer as it was answered.
            session.rollback()
            if key is None:
                raise
            kept = idempotency.replay(session, key, now=moment)
            if kept is None:
                raise
            return json_answer(*kept)
        return json_answer(201, answer)


@bp.route("/requests/<tracking_number>")
class RequestView(MethodView):
    @bp.response(200, schemas.RequestOut)
    @document_errors(401, 404, 429)
    def get(self, tracking_number: str) -> Any:
        """One request: staff of its agency (bearer token) or the applicant (X-Access-Code)."""
        req, user = load_request(tracking_number)
        return request_detail(req, user)


@bp.route("/requests/<tracking_number>/actions")
class Actions(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(schemas.ActionIn())
    @bp.response(200, schemas.RequestOut)
    @document_errors(400, 401, 403, 404, 409, 422, 429)
    def post(self, body: dict[str, Any], tracking_number: str) -> Any:
        """An officer's, head's or admin's action on a request of their agency (docs/rules.md §Lifecycle)."""
        user = staff_user()
        req, _ = load_request(tracking_number)
        fields = dict(body)
        action = fields.pop("action")
        act(
            db.session(),
            req,
            action,
            user,
            now=now(),
            on=fields.pop("on", None),
            version=fields.pop("version", None),
            **fields,
        )
        db.session.commit()
        return request_detail(req, user)


def applicant_request(tracking_number: str) -> Request:
    if request.headers.get("Authorization"):
        raise Forbidden(_l("此操作仅限申请人本人（使用访问码）"))
    req, _ = load_request(tracking_number)
    return req


@bp.route("/requests/<tracking_number>/correction")
class Correction(MethodView):
    @credentials_first(staff=False)
    @bp.arguments(schemas.CorrectionIn())
    @bp.response(200, schemas.RequestOut)
    @document_errors(400, 401, 403, 404, 409, 422, 429)
    def post(self, body: dict[str, Any], tracking_number: str) -> Any:
        """The applicant's correction (补正), while the request awaits one."""
        req = applicant_request(tracking_number)
        applicant_correct(db.session(), req, body["text"], now=now())
        db.session.commit()
        return request_detail(req, None)


@bp.route("/requests/<tracking_number>/withdraw")
class Withdraw(MethodView):
    @credentials_first(staff=False)
    @bp.arguments(schemas.WithdrawIn())
    @bp.response(200, schemas.RequestOut)
    @document_errors(400, 401, 403, 404, 409, 422, 429)
    def post(self, body: dict[str, Any], tracking_number: str) -> Any:
        """The applicant withdraws the request (finished as closed_other)."""
        req = applicant_request(tracking_number)
        applicant_withdraw(db.session(), req, body.get("reason"), now=now())
        db.session.commit()
        return request_detail(req, None)


@bp.route("/requests/<tracking_number>/attachments")
class Attachments(MethodView):
    @credentials_first(staff=False)
    @bp.arguments(schemas.UploadIn, location="files")
    @bp.arguments(schemas.UploadFormIn, location="form")
    @bp.response(201, schemas.AttachmentOut)
    @document_errors(401, 403, 404, 409, 413, 422, 429)
    def post(self, files: dict[str, Any], form: dict[str, Any], tracking_number: str) -> Any:
        """Attach a scan (PDF, PNG, JPEG or TIFF, at most 10 MB): staff, or the applicant while it is open.
        With `purpose=release` (staff only): information to release with the reply, also office
        documents, spreadsheets, OFD and archives (docs/api.md §Released information).
        Within the request's cap of files and bytes (413) and the upload rate limits (429)."""
        req, user = load_request(tracking_number)
        g.upload_authorised = True  # the request's own upload budget counts this one (webapp/security.py)
        upload = files["file"]
        att = store_attachment(
            db.session(),
            req,
            filename=upload.filename or "",
            stream=upload.stream,
            directory=current_app.config["ATTACHMENT_DIR"],
            uploaded_by=user,
            now=now(),
            purpose=form["purpose"],
        )
        db.session.commit()
        return next(a for a in request_detail(req, user)["attachments"] if a["id"] == att.id)


@bp.route(f"/requests/<tracking_number>/attachments/<int(max={MAX_ID}):attachment_id>", endpoint="attachment")
class AttachmentFile(MethodView):
    @bp.response(200, description="the file")
    @document_errors(401, 404, 429)
    def get(self, tracking_number: str, attachment_id: int) -> Response:
        """Download an attachment (the applicant sees only the files they uploaded)."""
        req, user = load_request(tracking_number)
        att = authz.attachment_or_404(user, req, db.session.get(Attachment, attachment_id))
        response = send_file(
            attachment_path(current_app.config["ATTACHMENT_DIR"], att),
            mimetype=att.content_type,
            as_attachment=True,
        )
        response.headers["Content-Disposition"] = attachment_disposition(att)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


@bp.route("/requests/<tracking_number>/redactions")
class Redactions(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(schemas.RedactionIn())
    @bp.response(201, schemas.RedactionOut)
    @document_errors(400, 401, 403, 404, 413, 422, 429)
    def post(self, body: dict[str, Any], tracking_number: str) -> Any:
        """A redacted copy of one of the request's PDFs, kept as a file to release (docs/api.md §Redaction):
        the marked passages (and with `pii` every ID number, phone number and e-mail address) removed from
        its text and the images under them removed; the rest stays text. The original is untouched."""
        user = staff_user()
        req, _ = load_request(tracking_number)
        done = redact_attachment(
            db.session(),
            req,
            body["attachment"],
            texts=body.get("texts") or [],
            pii=body["pii"],
            actor=user,
            directory=current_app.config["ATTACHMENT_DIR"],
            now=now(),
        )
        db.session.commit()
        return {"id": done.attachment.id, "removed": done.removed}


def visible_documents(req: Request) -> list[Document]:
    """The notices and letters sent to the applicant (docs/api.md §Documents), for the applicant and the
    agency's staff alike; the letter to a consulted third party is on the staff's request page."""
    return documents.documents_of(db.session(), req, applicant=True)


@bp.route("/requests/<tracking_number>/documents")
class Documents(MethodView):
    @bp.response(200, schemas.DocumentsOut)
    @document_errors(401, 404, 429)
    def get(self, tracking_number: str) -> Any:
        """The written notices and letters sent to the applicant (docs/api.md §Documents), oldest first."""
        req, _ = load_request(tracking_number)
        return {
            "items": [
                {
                    "id": doc.public_id,
                    "kind": doc.kind,
                    "title": doc.title,
                    "number": doc.number,
                    "on": doc.on,
                    "created_at": doc.created_at,
                    "pdf": url_for(
                        "api_v1.document_pdf", tracking_number=req.tracking_number, document_id=doc.public_id
                    ),
                }
                for doc in visible_documents(req)
            ]
        }


@bp.route("/requests/<tracking_number>/documents/<document_id>.pdf", endpoint="document_pdf")
class DocumentPdf(MethodView):
    @bp.response(200, description="the PDF as it was sent")
    @document_errors(401, 404, 429)
    def get(self, tracking_number: str, document_id: str) -> Response:
        """One document's PDF, exactly as it was sent."""
        req, _ = load_request(tracking_number)
        doc = next((d for d in visible_documents(req) if d.public_id == document_id), None)
        if doc is None:
            raise NotFound(_l("文书不存在"))
        return pdf_response(doc)


def pdf_response(doc: Document) -> Response:
    data = documents.pdf_of(db.session(), doc)  # rendered and stored the first time it is asked for
    db.session.commit()
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
    )
    response.headers["Content-Disposition"] = content_disposition(
        f"{doc.title}-{doc.request.tracking_number}.pdf",
        f"{doc.kind.replace('_', '-')}-{doc.request.tracking_number}",
        inline=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/queue")
class Queue(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(schemas.QueueArgs, location="query", unknown=RAISE)
    @bp.response(200, schemas.QueueOut)
    @document_errors(401, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Open requests of the user's agencies, filtered, in the order `sort`; keyset paging."""
        user = staff_user()
        flt = QueueFilter(
            agency=args.get("agency"),
            status=args.get("status"),
            overdue=bool(args.get("overdue")),
            due_soon=bool(args.get("due_soon")),
            due_before=args.get("due_before"),
            assignee=args.get("assignee"),
            channel=args.get("channel"),
            applicant_type=args.get("applicant_type"),
            received_from=args.get("received_from"),
            received_to=args.get("received_to"),
            search=args.get("q"),
            sort=args["sort"],
        )
        today = china_today(now())
        cal = current_calendar(db.session())
        rows, cursor = queue_page(
            db.session(),
            user,
            flt,
            limit=args["limit"],
            cursor=args.get("cursor"),
            today=today,
            cal=cal,
            within=int(current_app.config.get("DUE_SOON_WORKING_DAYS") or DUE_SOON_DAYS),
        )
        items = [summary(r, cal, viewer=user, today=today) for r in rows]
        return {"items": items, "next_cursor": cursor}
