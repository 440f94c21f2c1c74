"""/staff/agencies/<code>/repeated-requests: 多人申请的信息（第四十四条） — the information several applicants
asked the agency for in a year, the product's proposals, the decision on each (docs/rules.md §Information
many ask for); and the request page's link of a request to a group. On the staff blueprint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from webapp.domain import repeated
from webapp.domain.calendar import china_today
from webapp.domain.errors import DomainError, NotFound, ValidationError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, Request
from webapp.models.base import MAX_ID
from webapp.web.auth import staff, staff_required
from webapp.web.common import error_page, now
from webapp.web.staff import bp, find, staff_request

DECISION_LABELS = {"publish": _l("纳入主动公开"), "not_publish": _l("不纳入主动公开")}
EVENT_LABELS = {
    "created": _l("建立分组"),
    "linked": _l("归入申请"),
    "decided": _l("作出决定"),
    "suggested": _l("申请人建议"),
}


def _agency(code: str) -> Agency:
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None or not repeated.may_view(staff(), agency):
        raise NotFound(_l("机关不存在"))
    return agency


def _year() -> int:
    raw = request.args.get("year", "")
    this_year = china_today(now()).year
    return int(raw) if raw.isdigit() and 2008 <= int(raw) <= this_year + 1 else this_year


def _requests(agency: Agency, numbers: list[str]) -> list[Request]:
    found = [find(n.strip()) for n in numbers if n.strip()]
    return [r for r in found if r is not None and r.agency_id == agency.id]


def _page(agency: Agency, year: int, failed: dict[str, Any] | None = None, code: int = 200) -> Any:
    session = db.session()
    return (
        render_template(
            "staff/repeated.html",
            agency=agency,
            year=year,
            years=list(range(china_today(now()).year, 2018, -1)),
            groups=repeated.groups(session, agency, year),
            proposals=[
                (p, repeated.distinct_applicants(p)) for p in repeated.proposals(session, agency, year)
            ],
            may_decide=repeated.may_decide(staff(), agency),
            decisions=DECISION_LABELS,
            event_labels=EVENT_LABELS,
            failed=failed or {},
            agencies=staff().agencies,
        ),
        code,
    )


def _refused(agency: Agency, year: int, exc: DomainError, where: str) -> Any:
    db.session.rollback()
    if exc.http_status in (403, 404):
        return error_page(exc.http_status, exc.message)
    return _page(
        agency, year, {"where": where, "message": exc.message, "fields": exc.fields}, exc.http_status
    )


@bp.get("/agencies/<code>/repeated-requests")
@staff_required()
def repeated_requests(code: str) -> Any:
    return _page(_agency(code), _year())


@bp.post("/agencies/<code>/repeated-requests")
@staff_required()
def create_info_group(code: str) -> Any:
    agency = _agency(code)
    year = _year()
    try:
        group = repeated.create_group(
            db.session(),
            agency,
            title=request.form.get("title", ""),
            year=year,
            requests=_requests(agency, request.form.getlist("requests")),
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        return _refused(agency, year, exc, "new")
    db.session.commit()
    flash(_l("已建立分组“%(title)s”。", title=group.title), "success")
    return redirect(
        url_for(".repeated_requests", code=code, year=year, _anchor=f"group-{group.id}"), code=303
    )


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError(
            _l("输入有误，请检查标出的字段"), {"published_on": _l("请输入有效日期（年-月-日）")}
        ) from None


@bp.post(f"/agencies/<code>/repeated-requests/<int(max={MAX_ID}):group_id>/decision")
@staff_required()
def decide_info_group(code: str, group_id: int) -> Any:
    agency = _agency(code)
    year = _year()
    session = db.session()
    try:
        group = repeated.group_of(session, agency, group_id)
        repeated.decide(
            session,
            group,
            decision=request.form.get("decision", ""),
            published_where=request.form.get("published_where"),
            published_on=_date(request.form.get("published_on", "").strip()),
            reason=request.form.get("reason"),
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        return _refused(agency, year, exc, f"group-{group_id}")
    session.commit()
    flash(_l("已记录决定：%(decision)s。", decision=DECISION_LABELS[group.decision or "publish"]), "success")
    return redirect(
        url_for(".repeated_requests", code=code, year=group.year, _anchor=f"group-{group.id}"), code=303
    )


@bp.post(f"/agencies/<code>/repeated-requests/<int(max={MAX_ID}):group_id>/suggestion")
@staff_required()
def suggest_info_group(code: str, group_id: int) -> Any:
    agency = _agency(code)
    year = _year()
    session = db.session()
    try:
        group = repeated.group_of(session, agency, group_id)
        by = _requests(agency, [request.form.get("request", "")])
        repeated.record_suggestion(
            session,
            group,
            note=request.form.get("note", ""),
            request=by[0] if by else None,
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        return _refused(agency, year, exc, f"group-{group_id}")
    session.commit()
    flash(_l("已记录申请人的建议。"), "success")
    return redirect(
        url_for(".repeated_requests", code=code, year=group.year, _anchor=f"group-{group.id}"), code=303
    )


@bp.post("/requests/<tracking_number>/info-group")
@staff_required()
def link_info_group(tracking_number: str) -> Any:
    """From the request page: into an existing group of the year, or a new one named by the officer."""
    req = staff_request(tracking_number)
    session = db.session()
    raw = request.form.get("group", "")
    try:
        if raw.isdigit():
            group = repeated.group_of(session, req.agency, int(raw))
            repeated.link_request(session, group, req, actor=staff(), now=now())
        else:
            group = repeated.create_group(
                session,
                req.agency,
                title=request.form.get("title", ""),
                year=req.received_on.year,
                requests=[req],
                actor=staff(),
                now=now(),
            )
    except DomainError as exc:
        session.rollback()
        if exc.http_status in (403, 404):
            return error_page(exc.http_status, exc.message)
        flash("；".join([str(exc.message), *map(str, exc.fields.values())]), "error")
        return redirect(url_for(".request_page", tracking_number=req.tracking_number, _anchor="info-group"))
    session.commit()
    flash(_l("已归入“%(title)s”。", title=group.title), "success")
    return redirect(url_for(".request_page", tracking_number=req.tracking_number, _anchor="info-group"))
