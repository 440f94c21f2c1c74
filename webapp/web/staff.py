"""The officers' and heads' pages: login, the queue, every request, the request page with a form for each
action its state allows (extension approvals and the mail review list: webapp/web/approvals.py;
registering a request that came by another channel: webapp/web/registration.py).

Staff see only their own agencies' requests: another agency's request is a 404, as in the API.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain import accounts, fees, mail_register, public_log, repeated, two_factor
from webapp.domain.accounts import agency_staff, check_password
from webapp.domain.dates import china_time
from webapp.domain.documents import DocumentView, documents_of
from webapp.domain.documents.previews import preview
from webapp.domain.errors import DomainError, ValidationError
from webapp.domain.notice_states import undelivered
from webapp.domain.queue import QueueFilter, all_requests_page
from webapp.domain.release import delivery_of, release_candidates
from webapp.domain.requests import (
    act,
    available_actions,
    pending_extension,
)
from webapp.domain.requests.actions.delivery import answer_event
from webapp.domain.requests.duplicates import link_duplicate, linked_original, possible_duplicates
from webapp.domain.states import ACTION_LABELS, NOTICE_LABELS, NOTICES, STATUS_LABELS, Status
from webapp.extensions import db
from webapp.i18n import _l, wants_english
from webapp.models import Attachment, Request, User
from webapp.models.base import MAX_ID
from webapp.render.letters import application_form
from webapp.web.action_forms import ACTION_FORMS, ActionForm
from webapp.web.auth import (
    begin_second_step,
    known_device,
    login_user,
    logout_user,
    remember_device,
    staff,
    staff_required,
)
from webapp.web.citizen import download, find
from webapp.web.common import (
    calendar,
    clock_view,
    error_page,
    install_error_pages,
    notices,
    now,
    row_view,
    safe_next,
    store_uploads,
    today,
)
from webapp.web.documents import document_pdf, form_values, pdf_answer, preview_view
from webapp.web.documents import views as document_views
from webapp.web.forms import (
    LoginForm,
    QueueFilterForm,
    UploadForm,
    options,
    show_domain_errors,
    uploads,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
install_error_pages(bp)

PAGE_SIZE = 25


def home_for(user: User) -> str:
    return url_for("admin.index") if authz.is_platform_admin(user) else url_for(".queue")


# -- login -------------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(staff()))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        password = form.password.data or ""
        moment = now()
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:  # counted and answered exactly as an account is (no address is told apart)
            if until := accounts.locked_until(accounts.unknown_address(db.session(), email), now=moment):
                return locked_out(form, until)
            accounts.dummy_password_check(password)
            until = accounts.unknown_address_failed(db.session(), email, now=moment)
            db.session.commit()
            if until is not None:
                return locked_out(form, until)
        elif (until := accounts.locked_until(user, now=moment)) is not None and not known_device(user):
            return locked_out(form, until)  # not even a right password opens it, but on a known browser
        elif check_password(user, password):
            if two_factor.asks_code(user, current_app.config.get("STAFF_2FA")):
                db.session.commit()  # a password hash renewed by check_password; no login yet
                begin_second_step(user, request.args.get("next"), now=moment.timestamp())
                return redirect(url_for(".login_code"))
            accounts.login_succeeded(user)
            db.session.commit()
            return finish_login(user, request.args.get("next"))
        else:
            until = accounts.login_failed(user, now=moment)
            db.session.commit()
            if until is not None and not known_device(user):
                return locked_out(form, until)
        form.summary = str(_l("电子邮箱或密码不正确，或账号已停用"))
    status = 422 if form.is_submitted() else 200
    return render_template("staff/login.html", form=form), status


def finish_login(user: User, next_url: str | None) -> Response:
    """Log the user in, in a fresh session (nothing from before it, nor its CSRF token, survives), and
    remember this browser. A user who must enrol in two-factor sign-in goes to enrolment first."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    target = safe_next(next_url, home_for(user))
    if two_factor.must_enrol(user, current_app.config.get("STAFF_2FA")):
        target = url_for(".two_factor_enrol")  # the page says why
    response = redirect(target)
    remember_device(response, user)
    return response


def locked_out(form: LoginForm, until: dt.datetime) -> Any:
    """429 with the time (Beijing) the account opens again."""
    form.summary = str(
        _l(
            "登录失败次数过多，该账号已暂时锁定。请于 %(time)s（北京时间）之后再试。",
            time=china_time(until),
        )
    )
    seconds = max(1, math.ceil((until - now()).total_seconds()))
    return render_template("staff/login.html", form=form), 429, {"Retry-After": str(seconds)}


@bp.post("/logout-everywhere")
@staff_required()
def logout_everywhere() -> Response:
    """End every session of this user, on every device (API tokens stay: they are revoked by an
    administrator on the tokens page, or all at once when the account is deactivated)."""
    accounts.end_sessions(staff(), now=now())
    logout_user()  # commits
    session.clear()
    flash(_l("已在所有设备上退出登录。"), "info")
    return redirect(url_for(".login"))


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_l("已退出登录。"), "info")
    return redirect(url_for(".login"))


@bp.get("/")
@staff_required()
def home() -> Response:
    return redirect(home_for(staff()))


# -- lists ---------------------------------------------------------------------------------------------


def filter_form(user: User, statuses: list[tuple[str, Any]]) -> tuple[QueueFilterForm, QueueFilter]:
    form = QueueFilterForm(request.args)
    form.agency.choices = options([("", _l("我的全部机关")), *((a.code, a.name) for a in user.agencies)])
    form.status.choices = options(statuses)
    if request.args.get("agency") and request.args["agency"] not in {a.code for a in user.agencies}:
        raise NotFound()  # another agency's list: as if it did not exist
    form.validate()
    flt = QueueFilter(
        agency=form.agency.data or None,
        status=form.status.data if not form.status.errors and form.status.data else None,
        overdue=bool(form.overdue.data),
        assignee="me" if form.mine.data else None,
        search=form.q.data if not form.q.errors and form.q.data else None,
    )
    return form, flt


def page_links(cursor: str | None) -> dict[str, Any]:
    """The next page's link (keyset cursor) and, past the first page, the first page's."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "cursor"}
    endpoint = request.endpoint or ".queue"
    return {
        "next_url": url_for(endpoint, **args, cursor=cursor) if cursor else None,
        "first_url": url_for(endpoint, **args) if request.args.get("cursor") else None,
        "due_soon_days": int(current_app.config.get("DUE_SOON_WORKING_DAYS") or 3),
    }


@bp.get("/requests")
@staff_required()
def all_requests() -> Any:
    statuses = [("", _l("全部状态"))] + [(str(s), STATUS_LABELS[s]) for s in Status]
    return _request_list(_l("全部申请"), statuses, all_requests=True)


def _request_list(title: Any, statuses: list[tuple[str, Any]], *, all_requests: bool) -> Any:
    """Every request of the user's agencies, newest first (the queue's own page: webapp/web/queue.py)."""
    user = staff()
    form, flt = filter_form(user, statuses)
    day, cal = today(), calendar()
    cursor = request.args.get("cursor") or None
    try:
        rows, cursor = all_requests_page(db.session(), user, flt, limit=PAGE_SIZE, cursor=cursor)
    except ValidationError as exc:
        return error_page(422, exc.message)
    return render_template(
        "staff/requests.html",
        form=form,
        rows=[row_view(r, cal, day) for r in rows],
        **page_links(cursor),
        title=title,
        all_requests=all_requests,
    )


# -- one request ------------------------------------------------------------------------------------------


def staff_request(tracking_number: str) -> Request:
    """A request of one of the user's agencies; any other is a 404, as if it did not exist."""
    req = find(tracking_number)
    if req is None or not authz.may_see_request(staff(), req):
        raise NotFound()
    return req


def prepare(form: ActionForm, action: str, req: Request) -> ActionForm:
    if action == "assign":
        form.assignee.choices = options(
            (u.email, f"{u.name} <{u.email}>" if u.name else u.email)
            for u in agency_staff(db.session(), req.agency_id)
        )
    if action == "reply":
        form.released.choices = [(a.id, a.filename) for a in release_candidates(req)]
    if action == "request_fee":
        form.basis.description = fees.hint(db.session(), req)
    if action in ("record_posting", "record_pickup"):
        form.notice.choices = handed_choices(req)
    return form


def handed_choices(req: Request) -> list[tuple[str, str]]:
    """What an officer may record as posted or collected: the answer while it is not delivered, and each
    notice that did not reach the applicant (docs/rules.md §Undelivered notices)."""
    items = undelivered(db.session(), req)
    answer = answer_event(req)
    out = []
    if (
        answer is not None
        and not delivery_of(req).delivered
        and all(i.event_seq != answer.seq for i in items)
    ):
        out.append(("", str(_l("答复（%(title)s）", title=NOTICE_LABELS[NOTICES[answer.type]]))))
    when = " ({})" if wants_english() else "（{}）"
    out += [(str(i.event_seq), i.state.label + when.format(china_time(i.state.created_at))) for i in items]
    return out


def handing_action(req: Request) -> str | None:
    """The action that records a notice handed over outside e-mail, when one did not reach the applicant:
    collected for a pickup, else posted."""
    if not undelivered(db.session(), req):
        return None
    return "record_pickup" if req.delivery == "pickup" else "record_posting"


def render_request(
    req: Request,
    *,
    failed: tuple[str, ActionForm] | None = None,
    code: int = 200,
    drafted: tuple[str, DocumentView] | None = None,
    upload_form: UploadForm | None = None,
) -> Any:
    user = staff()
    day, cal = today(), calendar()
    actions = available_actions(req, user.role, today=day, cal=cal)
    handing = handing_action(req)
    if handing is not None and handing not in actions:
        actions.append(handing)
    proposal = pending_extension(req)
    forms: dict[str, ActionForm] = {}
    for action in actions:
        if failed is not None and failed[0] == action:
            forms[action] = failed[1]
            continue
        form = prepare(ACTION_FORMS[action](formdata=None, prefix=action), action, req)
        form.version.data = str(req.version)
        form.prefill(req)
        if action == "extend" and proposal is not None:
            form.days.data = int(str(proposal.data.get("days")))
            form.reason.data = proposal.note
        forms[action] = form
    stray = failed if failed is not None and failed[0] not in forms else None
    upload = upload_form or UploadForm(formdata=None)
    return (
        render_template(
            "staff/request.html",
            req=req,
            clock=clock_view(req, cal, day),
            forms=forms,
            stray=stray,
            open_action=failed[0] if failed else None,
            proposal=proposal,
            notices=notices(req, public_only=False),
            upload=upload,
            documents=document_views(documents_of(db.session(), req)),
            drafted=dict([drafted]) if drafted else {},
            source_mail=mail_register.message_of(db.session(), req),
            undelivered=undelivered(db.session(), req),
            duplicates=possible_duplicates(db.session(), req),
            original=linked_original(req),
            similar_requests=public_log.similar_requests(db.session(), req),
            similar_answers=public_log.similar_to(db.session(), req.description),
            info_group=info_group_panel(req),
        ),
        code,
    )


def info_group_panel(req: Request) -> dict[str, Any]:
    """The request page's part of Art. 44 (webapp/web/repeated.py): its group, the year's groups."""
    session = db.session()
    group = repeated.group_of_request(session, req)
    return {
        "group": repeated.view(group) if group else None,
        "choices": [v.group for v in repeated.groups(session, req.agency, req.received_on.year)],
        "may_decide": repeated.may_decide(staff(), req.agency),
    }


@bp.post("/requests/<tracking_number>/duplicate-of")
@staff_required()
def duplicate_of(tracking_number: str) -> Any:
    """Link the request to the one it repeats (docs/rules.md §Duplicates)."""
    req = staff_request(tracking_number)
    original = find(request.form.get("original", ""))
    if original is None or not authz.may_see_request(staff(), original):
        flash(_l("没有找到要关联的申请"), "error")
        return redirect(url_for(".request_page", tracking_number=req.tracking_number))
    try:
        link_duplicate(db.session(), req, original, staff(), now=now())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_l("已记录为申请%(number)s的重复申请。", number=original.tracking_number), "success")
    return redirect(url_for(".request_page", tracking_number=req.tracking_number))


@bp.get("/requests/<tracking_number>")
@staff_required()
def request_page(tracking_number: str) -> Any:
    return render_request(staff_request(tracking_number))


@bp.post("/requests/<tracking_number>/actions/<action>")
@staff_required()
def act_on(tracking_number: str, action: str) -> Any:
    req = staff_request(tracking_number)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise NotFound()
    form = prepare(form_class(prefix=action), action, req)
    if not form.validate_on_submit():
        return render_request(req, failed=(action, form), code=422)
    on = form.on.data if "on" in form._fields else None
    if request.form.get("preview") and "document_text" in form._fields:
        return preview_document(req, action, form, on)
    try:
        act(
            db.session(),
            req,
            action,
            staff(),
            now=now(),
            on=on,
            version=form.version_number(),
            **form.domain_fields(),
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return render_request(req, failed=(action, form), code=exc.http_status)
    db.session.commit()
    flash(_l("已办理：%(action)s", action=ACTION_LABELS[action]), "success")
    return redirect(url_for(".request_page", tracking_number=req.tracking_number))


def preview_document(req: Request, action: str, form: ActionForm, on: dt.date | None) -> Any:
    """The document the action would send, drafted into the form's text box and shown as it will read;
    the officer edits it there and sends it with the action's own button."""
    fields = form.domain_fields()
    edited = fields.pop("document_text", None)
    try:
        draft = preview(db.session(), req, action, staff(), now=now(), on=on, **fields)
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return render_request(req, failed=(action, form), code=exc.http_status)
    if draft is None:
        return render_request(req, failed=(action, form))
    if not edited:
        form.document_text.data = draft.body
    body = form.document_text.data or draft.body
    view = preview_view(draft, body, on or today(), req.tracking_number)
    return render_request(req, failed=(action, form), drafted=(action, view))


@bp.get("/requests/<tracking_number>/documents/<document_id>.pdf")
@staff_required()
def document(tracking_number: str, document_id: str) -> Any:
    req = staff_request(tracking_number)
    found = next((d for d in documents_of(db.session(), req) if d.public_id == document_id), None)
    if found is None:
        raise NotFound()
    return document_pdf(found)


@bp.get("/requests/<tracking_number>/application-form.pdf")
@staff_required()
def application_form_pdf(tracking_number: str) -> Any:
    """The 申请表 filled in from the registered request, for an in-person applicant to check and sign."""
    req = staff_request(tracking_number)
    return pdf_answer(
        application_form(req.agency.name, form_values(req)),
        f"政府信息公开申请表-{req.tracking_number}.pdf",
        f"application-form-{req.tracking_number}",
    )


@bp.post("/requests/<tracking_number>/attachments")
@staff_required()
def upload(tracking_number: str) -> Any:
    req = staff_request(tracking_number)
    form = UploadForm()
    if form.validate_on_submit() and uploads(form.attachments):
        moment = now()
        try:
            store_uploads(req, uploads(form.attachments), uploaded_by=staff(), moment=moment)
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, {"file": "attachments"})  # beside the file input
            return render_request(req, upload_form=form, code=exc.http_status)
        else:
            db.session.commit()
            flash(_l("已上传。"), "success")
    else:
        for message in form.attachments.errors or [_l("请选择要上传的文件")]:
            flash(message, "error")
    return redirect(url_for(".request_page", tracking_number=req.tracking_number) + "#files")


@bp.get(f"/requests/<tracking_number>/attachments/<int(max={MAX_ID}):attachment_id>")
@staff_required()
def attachment(tracking_number: str, attachment_id: int) -> Any:
    req = staff_request(tracking_number)
    att = db.session.get(Attachment, attachment_id)
    if att is None or not authz.may_see_attachment(staff(), req, att):
        raise NotFound()
    return download(att)
