"""A request's administrative reviews and lawsuits (/staff/requests/<n>/appeals, docs/rules.md §Annex two:
what section 四 of the 2021 form counts): each recorded with the day it was filed, the body or court, its
result and the day it was decided, or as pending until decided. A page of the staff blueprint
(webapp/web/staff.py), for the staff of the request's agency."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import RadioField

from webapp.domain import reports
from webapp.domain.errors import DomainError
from webapp.domain.reports.appeals import MAX_AUTHORITY
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Appeal, Request
from webapp.models.base import MAX_ID
from webapp.web.auth import staff, staff_required
from webapp.web.common import error_page, now
from webapp.web.forms import PageForm, date_field, options, required, show_domain_errors, text_field
from webapp.web.staff import bp, staff_request

KIND_LABELS = {
    "review": _l("行政复议"),
    "litigation_direct": _l("行政诉讼（未经复议直接起诉）"),
    "litigation_after_review": _l("行政诉讼（复议后起诉）"),
}
RESULT_LABELS = {
    "upheld": _l("维持"),
    "corrected": _l("纠正"),
    "other": _l("其他结果"),
    "pending": _l("尚未审结"),
}
DECIDED = {k: v for k, v in RESULT_LABELS.items() if k != "pending"}


class AppealForm(PageForm):
    kind = RadioField(_l("类别"), [required()], choices=options(KIND_LABELS.items()), default="review")
    filed_on = date_field(_l("申请复议或起诉之日"), need=True)
    authority = text_field(
        _l("复议机关或法院"), MAX_AUTHORITY, description=_l("例如：示范市人民政府、示范市中级人民法院")
    )
    case_number = text_field(_l("案号"), 100)
    result = RadioField(_l("结果"), [required()], choices=options(RESULT_LABELS.items()), default="pending")
    decided_on = date_field(_l("审结之日"), description=_l("已审结的填写；尚未审结的留空"))
    note = text_field(_l("备注"), reports.MAX_TEXT, area=True)


class DecisionForm(PageForm):
    result = RadioField(_l("结果"), [required()], choices=options(DECIDED.items()))
    decided_on = date_field(_l("审结之日"), need=True)
    note = text_field(_l("备注"), reports.MAX_TEXT, area=True)


def appeals_page(
    req: Request,
    form: AppealForm | None = None,
    failed: tuple[int, DecisionForm] | None = None,
    code: int = 200,
) -> Any:
    rows = list(
        db.session.execute(
            select(Appeal).where(Appeal.request_id == req.id).order_by(Appeal.filed_on, Appeal.id)
        ).scalars()
    )
    decisions = {
        a.id: (
            failed[1] if failed and failed[0] == a.id else DecisionForm(formdata=None, prefix=f"decide{a.id}")
        )
        for a in rows
        if a.result == "pending"
    }
    return (
        render_template(
            "staff/appeals.html",
            req=req,
            appeals=rows,
            form=form or AppealForm(formdata=None, prefix="appeal"),
            decisions=decisions,
            kinds=KIND_LABELS,
            results=RESULT_LABELS,
        ),
        code,
    )


@bp.get("/requests/<tracking_number>/appeals")
@staff_required()
def appeals(tracking_number: str) -> Any:
    return appeals_page(staff_request(tracking_number))


@bp.post("/requests/<tracking_number>/appeals")
@staff_required()
def record_appeal(tracking_number: str) -> Any:
    req = staff_request(tracking_number)
    form = AppealForm(prefix="appeal")
    if not form.validate():
        return appeals_page(req, form=form, code=422)
    try:
        reports.record_appeal(
            db.session(),
            req,
            kind=form.kind.data or "",
            result=form.result.data or "",
            filed_on=form.filed_on.data,
            decided_on=form.decided_on.data,
            authority=form.authority.data,
            case_number=form.case_number.data,
            note=form.note.data,
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.http_status == 403:
            return error_page(403, exc.message)
        show_domain_errors(form, exc)
        return appeals_page(req, form=form, code=exc.http_status)
    db.session.commit()
    flash(_l("已记录%(kind)s。", kind=KIND_LABELS[form.kind.data or "review"]), "success")
    return redirect(url_for(".appeals", tracking_number=req.tracking_number), code=303)


@bp.post(f"/requests/<tracking_number>/appeals/<int(max={MAX_ID}):appeal_id>/decision")
@staff_required()
def decide_appeal(tracking_number: str, appeal_id: int) -> Any:
    req = staff_request(tracking_number)
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.request_id != req.id:
        return error_page(404)
    form = DecisionForm(prefix=f"decide{appeal_id}")
    if not form.validate():
        return appeals_page(req, failed=(appeal_id, form), code=422)
    try:
        reports.decide_appeal(
            db.session(),
            appeal,
            result=form.result.data or "",
            decided_on=form.decided_on.data,
            note=form.note.data,
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.http_status == 403:
            return error_page(403, exc.message)
        show_domain_errors(form, exc)
        return appeals_page(req, failed=(appeal_id, form), code=exc.http_status)
    db.session.commit()
    flash(_l("已记录审结结果。"), "success")
    return redirect(url_for(".appeals", tracking_number=req.tracking_number), code=303)
