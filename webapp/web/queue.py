"""The staff queue's page (docs/operations.md §The queue): filters and order kept in the URL, saved
views, several rows assigned, commented or exported at once, the current view exported as CSV or XLSX,
and the badges of the navigation. Pages of the staff blueprint (webapp/web/staff.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain.accounts import agency_staff
from webapp.domain.errors import DomainError, ValidationError
from webapp.domain.mailbox import pending_mail_count
from webapp.domain.queue import DUE_SOON_DAYS, SORTS, UNASSIGNED, QueueFilter, queue_page, queue_rows
from webapp.domain.requests import act, pending_extension_requests
from webapp.domain.saved_views import BUILT_IN, clean_query, delete_view, save_view, views_of
from webapp.domain.states import APPLICANT_TYPE_LABELS, CHANNEL_LABELS, STATUS_LABELS, UNFINISHED, Status
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Request, User
from webapp.models.base import MAX_ID
from webapp.render import TABLE_FORMATS, export
from webapp.web.auth import staff, staff_required
from webapp.web.citizen import find
from webapp.web.common import calendar, error_page, now, row_view, today
from webapp.web.forms import BulkForm, QueueFilterForm, SaveViewForm, options
from webapp.web.labels import label
from webapp.web.staff import PAGE_SIZE, bp

EXPORT_MAX = 10_000  # rows in one export of a view
BULK_MAX = 200  # rows in one bulk action
DUE_CHOICES = (
    ("", _l("全部期限")),
    ("overdue", _l("已逾期")),
    ("soon", _l("即将到期")),
    ("week", _l("本周到期")),
)
SORT_LABELS = {
    "due_on": _l("答复期限"),
    "received_on": _l("收到日期（早→晚）"),
    "-received_on": _l("收到日期（晚→早）"),
    "applicant": _l("申请人"),
    "status": _l("状态"),
    "assignee": _l("经办人"),
}


def within() -> int:
    return int(current_app.config.get("DUE_SOON_WORKING_DAYS") or DUE_SOON_DAYS)


def assignable(user: User) -> list[User]:
    """The officers and heads of the user's agencies: whom a request may be assigned to."""
    seen: dict[int, User] = {}
    for agency in user.agencies:
        for person in agency_staff(db.session(), agency.id):
            seen.setdefault(person.id, person)
    return sorted(seen.values(), key=lambda u: u.email)


def queue_filter(user: User, args: Any) -> tuple[QueueFilterForm, QueueFilter]:
    """The queue's filters from the URL; a value that is not one of the choices is left out and shown."""
    form = QueueFilterForm(args)
    form.agency.choices = options([("", _l("我的全部机关")), *((a.code, a.name) for a in user.agencies)])
    unfinished = [(str(s), STATUS_LABELS[s]) for s in Status if s in UNFINISHED]
    form.status.choices = options([("", _l("全部未办结")), *unfinished])
    form.channel.choices = options([("", _l("全部渠道")), *CHANNEL_LABELS.items()])
    form.applicant_type.choices = options([("", _l("全部类型")), *APPLICANT_TYPE_LABELS.items()])
    people = [(u.email, u.name or u.email) for u in assignable(user)]
    form.assignee.choices = options(
        [("", _l("全部经办人")), ("me", _l("我")), (UNASSIGNED, _l("未指派")), *people]
    )
    form.due.choices = options(DUE_CHOICES)
    form.sort.choices = options(SORT_LABELS.items())
    if args.get("agency") and args["agency"] not in {a.code for a in user.agencies}:
        raise NotFound()  # another agency's list: as if it did not exist
    form.validate()

    def ok(field: Any) -> Any:
        return field.data if field.data and not field.errors else None

    day = today()
    due = ok(form.due)
    monday = day - dt.timedelta(days=day.weekday())
    flt = QueueFilter(
        agency=ok(form.agency),
        status=ok(form.status),
        channel=ok(form.channel),
        applicant_type=ok(form.applicant_type),
        assignee=ok(form.assignee) or ("me" if form.mine.data else None),
        overdue=due == "overdue" or bool(form.overdue.data),
        due_soon=due == "soon",
        due_from=day if due == "week" else None,
        due_before=monday + dt.timedelta(days=7) if due == "week" else None,
        received_from=ok(form.received_from),
        received_to=ok(form.received_to),
        search=ok(form.q),
        sort=ok(form.sort) or "due_on",
    )
    return form, flt


def view_query(args: Any, **changes: str | None) -> str:
    """The queue's URL parameters with some changed (None removes one), without the cursor."""
    kept = {k: v for k, v in args.items() if k != "cursor" and v}
    for key, value in changes.items():
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value
    return urlencode(kept)


def sort_links(args: Any, current: str) -> dict[str, str]:
    """Each column's header link: its order, and the other way round for the received-on date."""
    links = {}
    for key in SORTS:
        target = key
        if key == "received_on" and current == "received_on":
            target = "-received_on"
        links[key] = url_for(".queue") + "?" + view_query(args, sort=target)
    return links


@bp.get("/queue")
@staff_required()
def queue() -> Any:
    user = staff()
    form, flt = queue_filter(user, request.args)
    day, cal = today(), calendar()
    try:
        rows, cursor = queue_page(
            db.session(),
            user,
            flt,
            limit=PAGE_SIZE,
            cursor=request.args.get("cursor") or None,
            today=day,
            cal=cal,
            within=within(),
        )
    except ValidationError as exc:
        return error_page(422, exc.message)
    query = view_query(request.args)
    bulk = BulkForm(formdata=None, back=query)
    bulk.assignee.choices = options((u.email, u.name or u.email) for u in assignable(user))
    return render_template(
        "staff/queue.html",
        form=form,
        flt=flt,
        rows=[row_view(r, cal, day) for r in rows],
        next_url=url_for(".queue") + "?" + view_query(request.args, cursor=cursor) if cursor else None,
        first_url=url_for(".queue") + ("?" + query if query else "") if request.args.get("cursor") else None,
        sort_links=sort_links(request.args, flt.sort),
        query=query,
        views=views_of(db.session(), user),
        built_in=BUILT_IN,
        save=SaveViewForm(formdata=None, query=query),
        bulk=bulk,
        due_soon_days=within(),
        export_limit=EXPORT_MAX,
    )


# -- exports ---------------------------------------------------------------------------------------------

COLUMNS = (
    _l("申请编号"),
    _l("机关"),
    _l("申请人"),
    _l("申请人类型"),
    _l("渠道"),
    _l("所需信息"),
    _l("状态"),
    _l("收到日期"),
    _l("答复期限"),
    _l("剩余工作日"),
    _l("经办人"),
)
WIDTHS = (22, 22, 14, 12, 8, 50, 10, 12, 12, 10, 24)


def table_of(rows: list[Request], name: str) -> dict[str, Any]:
    """The rows as export() takes a table: what the queue's page shows, one line per request."""
    cal, day = calendar(), today()
    lines = []
    for req in rows:
        view = row_view(req, cal, day)
        lines.append(
            [
                req.tracking_number,
                req.agency.name,
                req.applicant_name,
                label(APPLICANT_TYPE_LABELS, req.applicant_type),
                label(CHANNEL_LABELS, req.channel),
                req.description,
                label(STATUS_LABELS, req.status),
                req.received_on.isoformat(),
                req.due_on.isoformat() if req.due_on else "",
                view["days_left"],
                req.assignee.email if req.assignee else "",
            ]
        )
    return {
        "kind": "table",
        "name": name,
        "sheet": str(_l("待办队列")),
        "columns": [str(c) for c in COLUMNS],
        "rows": lines,
        "widths": WIDTHS,
    }


def file_answer(table: dict[str, Any], fmt: str) -> Response:
    out = export(table, fmt, names=[], now=now())
    response = Response(out.body, content_type=out.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/queue/export.<fmt>")
@staff_required()
def queue_export(fmt: str) -> Any:
    """The current view, every page of it in its order (at most EXPORT_MAX rows), as CSV or XLSX."""
    if fmt not in TABLE_FORMATS:
        raise NotFound()
    user = staff()
    _, flt = queue_filter(user, request.args)
    try:
        rows, more = queue_rows(
            db.session(), user, flt, today=today(), cal=calendar(), within=within(), most=EXPORT_MAX
        )
    except ValidationError as exc:
        return error_page(422, exc.message)
    if more:
        flash(_l("视图超过%(n)s件，只导出了前%(n)s件。", n=EXPORT_MAX), "error")
    return file_answer(table_of(rows, "queue"), fmt)


# -- several rows at once --------------------------------------------------------------------------------


@bp.post("/queue/bulk")
@staff_required()
def queue_bulk() -> Any:
    """Each selected request changed in a transaction of its own, with its history event (act()); one
    that cannot be changed is reported and the others go on."""
    user = staff()
    form = BulkForm()
    form.assignee.choices = options((u.email, u.email) for u in assignable(user))
    back = url_for(".queue") + "?" + clean_query(form.back.data or "")
    numbers = list(dict.fromkeys(request.form.getlist("n")))[:BULK_MAX]
    if not form.validate_on_submit() or not numbers:
        flash(_l("请先勾选申请，并选择批量操作。"), "error")
        return redirect(back)
    reqs = [r for r in map(find, numbers) if r is not None and authz.may_see_request(user, r)]
    if len(reqs) < len(numbers):  # not named: as if they did not exist
        flash(_l("%(n)s 件申请不存在。", n=len(numbers) - len(reqs)), "error")
    action = form.action.data
    if action in ("export_xlsx", "export_csv"):
        return file_answer(table_of(reqs, "queue-selected"), action.removeprefix("export_"))
    fields: dict[str, Any] = (
        {"assignee": form.assignee.data or ""} if action == "assign" else {"note": form.note.data or ""}
    )
    done = 0
    for req in reqs:
        number = req.tracking_number
        try:
            act(db.session(), req, action, user, now=now(), **fields)
        except DomainError as exc:
            db.session.rollback()
            why = "；".join(str(v) for v in exc.fields.values()) if exc.fields else ""
            flash(_l("%(number)s 未能办理：%(reason)s", number=number, reason=why or exc.message), "error")
            continue
        db.session.commit()
        done += 1
    if done:
        flash(_l("已办理 %(done)s 件（共选 %(total)s 件）。", done=done, total=len(numbers)), "success")
    return redirect(back)


# -- saved views -----------------------------------------------------------------------------------------


@bp.post("/queue/views")
@staff_required()
def queue_save_view() -> Any:
    form = SaveViewForm()
    query = clean_query(form.query.data or "")
    if form.validate_on_submit():
        try:
            save_view(db.session(), staff(), form.name.data or "", query, now=now())
        except ValidationError as exc:
            db.session.rollback()
            flash("；".join(str(v) for v in exc.fields.values()) or str(exc.message), "error")
        else:
            db.session.commit()
            flash(_l("已保存视图“%(name)s”。", name=form.name.data), "success")
    else:
        flash(_l("请填写视图名称（不超过40个字）。"), "error")
    return redirect(url_for(".queue") + ("?" + query if query else ""))


@bp.post(f"/queue/views/<int(max={MAX_ID}):view_id>/delete")
@staff_required()
def queue_delete_view(view_id: int) -> Any:
    try:
        delete_view(db.session(), staff(), view_id)
    except DomainError as exc:
        db.session.rollback()
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已删除视图。"), "success")
    return redirect(url_for(".queue"))


# -- the navigation's badges -----------------------------------------------------------------------------


@bp.app_context_processor
def _badges() -> dict[str, Any]:
    user = current_user.user if current_user.is_authenticated else None
    return {"badges": badges(user) if request.blueprint == "staff" else {}}


def badges(user: User | None) -> dict[str, int]:
    """Pending extension approvals for a head, messages waiting for review for everyone handling mail."""
    if user is None or not user.agencies:
        return {}
    ids = [a.id for a in user.agencies]
    session = db.session()
    out = {"mail": pending_mail_count(session, ids)}
    if user.role == "head":
        out["approvals"] = len(pending_extension_requests(session, ids))
    return out
