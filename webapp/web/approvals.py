"""The head's extension approvals and the email channel's review list (with the notices the relay gave
up on): pages of the staff blueprint (webapp/web/staff.py), kept apart from the request pages."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from webapp.domain.errors import DomainError
from webapp.domain.mail_register import inbound_of, read_mail
from webapp.domain.mailbox import dismiss_mail, mail_for_review, review_label
from webapp.domain.notice_states import failed_notices
from webapp.domain.requests import act, approve_extension, pending_extension_requests
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models.base import MAX_ID
from webapp.web.action_forms import DeclineExtensionForm
from webapp.web.auth import staff, staff_required
from webapp.web.common import calendar, error_page, inbound_dir, now, row_view, today
from webapp.web.staff import bp, staff_request

# -- the head: extension approvals -----------------------------------------------------------------------


def approvals_page(failed: tuple[str, str, object] | None = None, code: int = 200) -> Any:
    user = staff()
    day, cal = today(), calendar()
    rows = pending_extension_requests(db.session(), [a.id for a in user.agencies])
    return (
        render_template(
            "staff/approvals.html",
            rows=[(row_view(req, cal, day), proposal) for req, proposal in rows],
            failed=failed,
            decline=DeclineExtensionForm(formdata=None, prefix="decline"),
        ),
        code,
    )


@bp.get("/approvals")
@staff_required("head")
def approvals() -> Any:
    return approvals_page()


@bp.post("/approvals/<tracking_number>/approve")
@staff_required("head")
def approve(tracking_number: str) -> Any:
    req = staff_request(tracking_number)
    version = request.form.get("version", "")
    try:
        approve_extension(
            db.session(), req, staff(), now=now(), version=int(version) if version.isdigit() else None
        )
    except DomainError as exc:
        db.session.rollback()
        return approvals_page(failed=(req.tracking_number, "approve", exc.message), code=exc.http_status)
    db.session.commit()
    flash(_l("已批准 %(number)s 延期答复。", number=req.tracking_number), "success")
    return redirect(url_for(".approvals"))


@bp.post("/approvals/<tracking_number>/decline")
@staff_required("head")
def decline(tracking_number: str) -> Any:
    req = staff_request(tracking_number)
    form = DeclineExtensionForm(prefix="decline")
    if not form.validate_on_submit():
        return approvals_page(failed=(req.tracking_number, "decline", _l("输入有误")), code=422)
    try:
        act(
            db.session(),
            req,
            "decline_extension",
            staff(),
            now=now(),
            version=form.version_number(),
            note=form.note.data or None,
        )
    except DomainError as exc:
        db.session.rollback()
        return approvals_page(failed=(req.tracking_number, "decline", exc.message), code=exc.http_status)
    db.session.commit()
    flash(_l("已退回 %(number)s 的延期申请。", number=req.tracking_number), "success")
    return redirect(url_for(".approvals"))


# -- the email channel's review list and notices that could not be delivered ---------------------------


@bp.get("/mail")
@staff_required("officer", "head", "admin")
def mail_review() -> Any:
    """Messages from the agencies' mailboxes not taken as requests, and notices the relay gave up on."""
    agency_ids = [a.id for a in staff().agencies]
    session = db.session()
    return render_template(
        "staff/mail.html",
        review=[(row, review_label(row)) for row in mail_for_review(session, agency_ids)],
        failed=failed_notices(session, agency_ids),
    )


@bp.post(f"/mail/<int(max={MAX_ID}):inbound_id>/dismiss")
@staff_required("officer", "head", "admin")
def mail_dismiss(inbound_id: int) -> Any:
    try:
        dismiss_mail(db.session(), inbound_id, actor=staff(), now=now())
    except DomainError as exc:
        db.session.rollback()
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已标记为处理完毕。"), "success")
    return redirect(url_for(".mail_review"))


MAIL_STATUS = {"request": _l("已登记为申请"), "review": _l("待人工审核"), "dismissed": _l("已处理")}


@bp.get(f"/mail/<int(max={MAX_ID}):inbound_id>")
@staff_required("officer", "head", "admin")
def mail_message(inbound_id: int) -> Any:
    """One message of the agencies' mailboxes: what it says, and the request it became."""
    try:
        row = inbound_of(db.session(), inbound_id, staff())
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    mail = read_mail(row, inbound_dir())
    return render_template(
        "staff/mail_message.html",
        row=row,
        status=MAIL_STATUS.get(row.status, row.status),
        body=mail.body if mail else "",
        attachments=[name for name, _ in mail.attachments] if mail else [],
    )
