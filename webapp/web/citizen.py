"""The public pages: apply, the receipt (受理回执), track a request with its number and access code,
correct it when asked (补正), withdraw it.

The access code never appears in a URL: the tracking form is posted, and the requests it has opened are
tracking grants on the server; the browser's session holds only a random key (webapp/web/tracking.py).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain.attachments import attachment_disposition, attachment_path
from webapp.domain.citizens import latest_applicant
from webapp.domain.documents import documents_of
from webapp.domain.errors import DomainError, ValidationError
from webapp.domain.fees import fee_due
from webapp.domain.release import delivery_of, released_files
from webapp.domain.requests import (
    applicant_correct,
    applicant_events,
    applicant_withdraw,
    submit,
)
from webapp.extensions import db
from webapp.i18n import LANGUAGES, _l
from webapp.models import Agency, Attachment, Request
from webapp.models.base import MAX_ID
from webapp.render.letters import application_form
from webapp.web import submissions, tracking
from webapp.web.common import (
    calendar,
    clock_view,
    error_page,
    install_error_pages,
    notices,
    now,
    receipt_page,
    safe_next,
    store_uploads,
    today,
)
from webapp.web.documents import document_pdf, pdf_answer
from webapp.web.documents import views as document_views
from webapp.web.forms import (
    APPLICANT_FIELD_NAMES,
    ApplicationForm,
    CorrectionForm,
    TrackForm,
    WithdrawForm,
    add_intake_errors,
    note_unsaved_files,
    options,
    show_domain_errors,
    uploads,
)

bp = Blueprint("citizen", __name__)
install_error_pages(bp)

NOT_FOUND = _l("申请编号或查询码不正确")


def agencies() -> list[Agency]:
    return list(db.session.execute(select(Agency).order_by(Agency.name)).scalars())


def find(tracking_number: str) -> Request | None:
    number = tracking_number.strip().upper()
    if not number or "\x00" in number or len(number) > 40:
        return None
    return db.session.execute(select(Request).where(Request.tracking_number == number)).scalar_one_or_none()


def tracked_request(tracking_number: str) -> Request | None:
    """The request, if this browser holds a live grant for it."""
    req = find(tracking_number)
    return req if req is not None and tracking.granted(req) else None


@bp.get("/")
def index() -> str:
    return render_template("citizen/index.html")


@bp.get("/lang/<code>")
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for(".index")))


@bp.route("/apply", methods=["GET", "POST"])
def apply() -> Any:
    form = ApplicationForm()
    choices = agencies()
    form.agency.choices = options((a.code, a.name) for a in choices)
    if request.method == "GET":
        wanted = request.args.get("agency")
        if wanted in {a.code for a in choices}:
            form.agency.data = wanted
        elif len(choices) == 1:
            form.agency.data = choices[0].code
        prefill(form)
    if form.is_submitted() and (made := submissions.earlier(form)) is not None:
        return already_submitted(made)
    if form.validate_on_submit():
        agency = next(a for a in choices if a.code == form.agency.data)
        moment = now()
        try:
            req, code = submit(db.session(), agency=agency, now=moment, **form.submission())
            submissions.remember(form, req.tracking_number)
            store_uploads(req, uploads(form.attachments), uploaded_by=None, moment=moment)
            tracking.grant(req, access_code=code)
        except ValidationError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, APPLICANT_FIELD_NAMES)
            note_unsaved_files(form)
            return render_template("citizen/apply.html", form=form), exc.http_status
        except IntegrityError as exc:  # the same form sent twice at once: the other one made the request
            return already_submitted(submissions.made_meanwhile(form, exc))
        else:
            db.session.commit()
            return redirect(url_for(".receipt"))
    if form.is_submitted():
        add_intake_errors(form, today())
        note_unsaved_files(form)
    submissions.issue(form)
    status = 422 if form.is_submitted() else 200
    return render_template("citizen/apply.html", form=form), status


def prefill(form: ApplicationForm) -> None:
    """A signed-in citizen's details, from the account's latest request (webapp/domain/citizens.py)."""
    who = tracking.citizen()
    if who is None:
        return
    details = latest_applicant(db.session(), who)
    for name, value in details.items():
        target = "applicant_type" if name == "type" else name
        if value and hasattr(form, target):
            getattr(form, target).data = value


def already_submitted(tracking_number: str) -> Response:
    """A form sent again: the request it made, never a second one."""
    kept = tracking.receipt()
    if kept is not None and kept[0].tracking_number == tracking_number:
        flash(_l("这份申请已经提交过，没有重复提交。以下是它的受理回执。"), "info")
        return redirect(url_for(".receipt"))
    flash(
        _l(
            "这份申请已经提交过（申请编号%(number)s），没有重复提交。请用申请编号和查询码查询。",
            number=tracking_number,
        ),
        "info",
    )
    return redirect(url_for(".track"))


def upload_refused(message: object, status: int) -> Any:
    """The form that sent too many files, shown again with `message` beside its file input (an upload
    rate limit, webapp/security.py); elsewhere the error page with the message."""
    tracked = request.view_args or {}
    if request.endpoint == "citizen.apply":
        form = ApplicationForm()
        form.agency.choices = options((a.code, a.name) for a in agencies())
        form.attachments.errors = [message]
        return render_template("citizen/apply.html", form=form), status
    req = (
        tracked_request(str(tracked.get("tracking_number", "")))
        if request.endpoint == "citizen.correct"
        else None
    )
    if req is not None:
        correction = CorrectionForm()
        correction.attachments.errors = [message]
        return status_page(req, correction=correction, code=status)
    return error_page(status, message)


@bp.get("/apply/receipt")
def receipt() -> Any:
    kept = tracking.receipt()
    if kept is None:
        flash(_l("回执只在提交申请后显示；请用申请编号和查询码查询申请。"), "info")
        return redirect(url_for(".track"))
    req, code = kept
    return receipt_page(req, code, back=url_for(".status", tracking_number=req.tracking_number))


@bp.route("/track", methods=["GET", "POST"])
def track() -> Any:
    form = TrackForm()
    if form.validate_on_submit():
        req = find(form.tracking_number.data or "")
        if req is not None and authz.applicant_may_see(req, form.access_code.data):
            tracking.grant(req)
            db.session.commit()
            return redirect(url_for(".status", tracking_number=req.tracking_number))
        form.summary = str(NOT_FOUND)
    if not form.is_submitted():  # the link in every e-mail names the request, never its access code
        form.tracking_number.data = request.args.get("tracking_number", "")[:40]
        mine = find(form.tracking_number.data) if form.tracking_number.data else None
        if mine is not None and tracking.grant_to_owner(mine):  # a signed-in citizen's own request
            db.session.commit()
            return redirect(url_for(".status", tracking_number=mine.tracking_number))
    status = 422 if form.is_submitted() else 200
    return render_template("citizen/track.html", form=form), status


def status_page(
    req: Request,
    *,
    correction: CorrectionForm | None = None,
    withdraw: WithdrawForm | None = None,
    code: int = 200,
) -> Any:
    moment_today = today()
    clock = clock_view(req, calendar(), moment_today)
    correction_asked = next((e for e in reversed(req.events) if e.type == "correction_requested"), None)
    correction_until = next((s.end for s in reversed(clock.steps) if s.kind == "correction_requested"), None)
    sent = documents_of(db.session(), req, applicant=True)
    return (
        render_template(
            "citizen/status.html",
            req=req,
            clock=clock,
            events=applicant_events(req),
            notices=notices(req, public_only=True),
            attachments=[a for a in req.attachments if a.uploaded_by_id is None],
            released=released_files(req),
            reply=next((e for e in reversed(req.events) if e.type == "replied"), None),
            delivery=delivery_of(req),
            correction_asked=correction_asked,
            correction_until=correction_until,
            correction=correction or CorrectionForm(formdata=None),
            withdraw=withdraw or WithdrawForm(formdata=None),
            documents=document_views(sent),
            fee=fee_due(req, calendar()),
            fee_notice=next((d for d in reversed(sent) if d.kind == "fee_notice"), None),
        ),
        code,
    )


@bp.get("/track/<tracking_number>")
def status(tracking_number: str) -> Any:
    req = tracked_request(tracking_number)
    if req is None and (mine := find(tracking_number)) is not None and tracking.grant_to_owner(mine):
        db.session.commit()
        req = mine
    if req is None:
        flash(_l("请输入申请编号和查询码"), "info")
        return redirect(url_for(".track"))
    return status_page(req)


@bp.post("/track/<tracking_number>/correction")
def correct(tracking_number: str) -> Any:
    req = tracked_request(tracking_number)
    if req is None:
        return redirect(url_for(".track"))
    g.upload_authorised = True  # the request's own upload budget counts these files (webapp/security.py)
    form = CorrectionForm()
    if form.validate_on_submit():
        moment = now()
        try:
            store_uploads(req, uploads(form.attachments), uploaded_by=None, moment=moment)
            applicant_correct(db.session(), req, form.text.data or "", now=moment)
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, {"file": "attachments"})
            note_unsaved_files(form)
            return status_page(req, correction=form, code=exc.http_status)
        db.session.commit()
        flash(_l("补正已提交，答复期限自今日起重新计算。"), "success")
        return redirect(url_for(".status", tracking_number=req.tracking_number))
    note_unsaved_files(form)
    return status_page(req, correction=form, code=422)


@bp.post("/track/<tracking_number>/withdraw")
def withdraw(tracking_number: str) -> Any:
    req = tracked_request(tracking_number)
    if req is None:
        return redirect(url_for(".track"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            applicant_withdraw(db.session(), req, form.reason.data or None, now=now())
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
            return status_page(req, withdraw=form, code=exc.http_status)
        db.session.commit()
        flash(_l("申请已撤回。"), "success")
        return redirect(url_for(".status", tracking_number=req.tracking_number))
    return status_page(req, withdraw=form, code=422)


@bp.get(f"/track/<tracking_number>/attachments/<int(max={MAX_ID}):attachment_id>")
def attachment(tracking_number: str, attachment_id: int) -> Any:
    req = tracked_request(tracking_number)
    att = db.session.get(Attachment, attachment_id) if req is not None else None
    if req is None or att is None or not authz.may_see_attachment(None, req, att):
        return redirect(url_for(".track"))
    return download(att)


def download(att: Attachment) -> Response:
    response = send_file(
        attachment_path(current_app.config["ATTACHMENT_DIR"], att),
        mimetype=att.content_type,
        as_attachment=True,
    )
    response.headers["Content-Disposition"] = attachment_disposition(att)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/track/<tracking_number>/documents/<document_id>.pdf")
def document(tracking_number: str, document_id: str) -> Any:
    """A document sent to the applicant, as it was sent (the browser must have opened the request)."""
    req = tracked_request(tracking_number)
    found = None
    if req is not None:
        sent = documents_of(db.session(), req, applicant=True)
        found = next((d for d in sent if d.public_id == document_id), None)
    if found is None:
        return redirect(url_for(".track"))
    return document_pdf(found)


@bp.get("/application-form.pdf")
def application_form_pdf() -> Any:
    """The blank 政府信息公开申请表, for applying in person or by letter (?agency=CODE names the agency)."""
    code = request.args.get("agency", "")
    agency = (
        db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none() if code else None
    )
    name = agency.name if agency is not None else "＿＿＿＿＿＿＿＿＿＿＿＿"
    return pdf_answer(application_form(name), "政府信息公开申请表.pdf", "application-form")


@bp.post("/track/forget")
def forget() -> Response:
    """Leave: this browser's grants are revoked and its receipt erased, on the server (a shared computer:
    a copy of the cookie taken before opens nothing either)."""
    tracking.forget()
    db.session.commit()
    flash(_l("已退出查询。"), "info")
    return redirect(url_for(".track"))
