"""Registering a request that came by letter, fax, e-mail, in person or otherwise (pages of the staff
blueprint, webapp/web/staff.py), with what a late registration means shown before it is made
(docs/rules.md §Late registration): the working days already used and the due date, on the page and
from `/staff/register/late` for the page's script (webapp/static/app.js)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain import mail_register
from webapp.domain.dates import cn_date
from webapp.domain.errors import DomainError, ValidationError
from webapp.domain.requests import submit
from webapp.domain.requests.late import REASON_WITHIN_DAYS, LateRegistration, late_registration
from webapp.extensions import db
from webapp.i18n import _l, wants_english
from webapp.models.base import MAX_ID
from webapp.web import submissions, tracking
from webapp.web.auth import staff, staff_required
from webapp.web.citizen import find
from webapp.web.common import (
    calendar,
    error_page,
    inbound_dir,
    now,
    receipt_page,
    store_uploads,
    today,
)
from webapp.web.forms import (
    APPLICANT_FIELD_NAMES,
    RegistrationForm,
    add_intake_errors,
    note_unsaved_files,
    options,
    show_domain_errors,
    uploads,
)
from webapp.web.staff import bp

STAFF_RECEIPT = "staff_receipt"


def late_for(received_on: dt.date | None) -> LateRegistration | None:
    """What registering today means for a request received on that day (None: not late, or no date)."""
    if received_on is None:
        return None
    try:
        return late_registration(calendar(), received_on, today())
    except ValueError:  # a date outside the calendar: the intake names it
        return None


def format_day(day: dt.date) -> str:
    return cn_date(day, english=wants_english())


def late_text(late: LateRegistration) -> dict[str, str]:
    """The preview's sentences: what the date means, and the warning when a reason is needed."""
    if late.days_left >= 0:
        text = _l(
            "收到申请之日为%(received)s，今天登记时已过%(used)s个工作日；答复期限为%(due)s，还剩%(left)s个工作日。",
            received=format_day(late.received_on),
            used=late.days_used,
            due=format_day(late.due_on),
            left=late.days_left,
        )
    else:
        text = _l(
            "收到申请之日为%(received)s，今天登记时已过%(used)s个工作日；答复期限%(due)s已过%(over)s个工作日。",
            received=format_day(late.received_on),
            used=late.days_used,
            due=format_day(late.due_on),
            over=-late.days_left,
        )
    if late.provisional:
        text = str(text) + str(_l("（答复期限暂定）"))
    warning = (
        _l(
            "答复期限已过或只剩%(days)s个工作日以内：请在“延迟登记的原因”中写明原因（记入办理记录），并尽快办理。",
            days=REASON_WITHIN_DAYS,
        )
        if late.needs_reason
        else ""
    )
    return {"text": str(text), "warning": str(warning), "reason_hint": str(reason_hint(late))}


def reason_hint(late: LateRegistration) -> Any:
    """The hint under "延迟登记的原因" for this date: required only when the due date is past or within
    REASON_WITHIN_DAYS working days (the intake's rule), else optional."""
    if late.needs_reason:
        return _l("须填写：答复期限已过或只剩%(days)s个工作日以内。记入办理记录", days=REASON_WITHIN_DAYS)
    return _l("选填：答复期限还剩%(left)s个工作日，无须说明原因。填写的记入办理记录", left=late.days_left)


def register_page(form: RegistrationForm, code: int, drafted: Any = None) -> Any:
    late = late_for(form.received_on.data) if not form.received_on.errors else None
    preview = late_text(late) if late is not None else None
    if late is not None:
        form.late_reason.description = reason_hint(late)
    return render_template(
        "staff/register.html", form=form, late=late, preview=preview, drafted=drafted
    ), code


@bp.route("/register", methods=["GET", "POST"])
@staff_required()
def register() -> Any:
    user = staff()
    form = RegistrationForm()
    form.agency.choices = options((a.code, a.name) for a in user.agencies)
    mail = request.args.get("mail", "")  # a message of the mail review list, registered in one step
    try:
        drafted = (
            mail_register.draft(db.session(), int(mail), user, inbound_dir=inbound_dir(), now=now())
            if mail.isdigit() and int(mail) <= MAX_ID
            else None
        )
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    if request.method == "GET":
        if len(user.agencies) == 1:
            form.agency.data = user.agencies[0].code
        form.received_on.data = today()
        if drafted:
            form.fill_from_mail(drafted)
    if form.is_submitted() and (made := submissions.earlier(form)) is not None:
        return already_registered(made)
    if form.validate_on_submit():
        agency = next(a for a in user.agencies if a.code == form.agency.data)
        moment = now()
        try:
            req, code = submit(
                db.session(),
                agency=agency,
                **form.submission(),
                channel=form.channel.data or "",
                received_on=form.received_on.data,
                registered_by=user,
                now=moment,
                late_reason=form.late_reason.data or None,
            )
            submissions.remember(form, req.tracking_number)
            store_uploads(req, uploads(form.attachments), uploaded_by=user, moment=moment)
            if drafted:
                mail_register.take_as_request(
                    db.session(),
                    drafted.inbound.id,
                    req,
                    user,
                    inbound_dir=inbound_dir(),
                    attachment_dir=current_app.config["ATTACHMENT_DIR"],
                    now=moment,
                )
        except ValidationError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, APPLICANT_FIELD_NAMES)
        except DomainError as exc:
            db.session.rollback()
            return error_page(exc.http_status, exc.message)
        except IntegrityError as exc:  # the same form sent twice at once: the other one made the request
            return already_registered(submissions.made_meanwhile(form, exc))
        else:
            db.session.commit()
            # the code sealed: the session cookie never carries it in clear (webapp/web/tracking.py)
            session[STAFF_RECEIPT] = {"tracking_number": req.tracking_number, "sealed": tracking.seal(code)}
            return redirect(url_for(".register_receipt"))
    elif form.is_submitted():
        add_intake_errors(
            form,
            today(),
            registered=True,
            late=late_for(form.received_on.data) if not form.received_on.errors else None,
            late_reason=form.late_reason.data or None,
        )
    if form.is_submitted():
        note_unsaved_files(form)
    submissions.issue(form)
    return register_page(form, 422 if form.is_submitted() else 200, drafted)


def already_registered(tracking_number: str) -> Response:
    """A registration form sent again: the request it made, never a second one."""
    flash(_l("这份登记已经提交过（申请编号%(number)s），没有重复登记。", number=tracking_number), "info")
    return redirect(url_for(".request_page", tracking_number=tracking_number))


@bp.get("/register/late")
@staff_required()
def register_late() -> Response:
    """The late-registration preview for a received-on date (?received_on=YYYY-MM-DD): `{}` when the date
    is today, in the future or not a date; otherwise LateRegistration.as_dict()."""
    try:
        received_on = dt.date.fromisoformat(request.args.get("received_on", ""))
    except ValueError:
        return jsonify({})
    late = late_for(received_on)
    return jsonify({**late.as_dict(), **late_text(late)} if late is not None else {})


@bp.get("/register/receipt")
@staff_required()
def register_receipt() -> Any:
    kept = session.get(STAFF_RECEIPT)
    if not isinstance(kept, dict):
        return redirect(url_for(".queue"))
    req = find(str(kept.get("tracking_number", "")))
    code = tracking.unseal(kept.get("sealed"), max_age=tracking.lifetime())
    if req is None or code is None or not authz.may_see_request(staff(), req):
        return redirect(url_for(".queue"))
    return receipt_page(
        req, code, back=url_for(".request_page", tracking_number=req.tracking_number), staff_view=True
    )
