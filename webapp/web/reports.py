"""The head's and administrator's report page (/staff/reports): annex two as webapp.domain.reports
computes it and webapp.render lays it out, inside the staff pages, with its CSV, XLSX and PDF files."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from wtforms import Form, SelectField

from webapp import authz
from webapp.domain import reports
from webapp.domain.accounts import list_agencies
from webapp.domain.errors import DomainError, ValidationError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, ReportSnapshot
from webapp.models.base import MAX_ID
from webapp.render import export
from webapp.render.page import page_context
from webapp.web import annual_reports  # noqa: F401  (the whole annual report's pages join the blueprints)
from webapp.web.auth import staff, staff_required
from webapp.web.common import error_page, now, today
from webapp.web.forms import options
from webapp.web.staff import bp

FILE_TYPES = ("csv", "xlsx", "pdf")  # the downloads offered on the page


class ReportForm(Form):
    agency = SelectField(_l("机关"), choices=[])
    year = SelectField(_l("年度"), choices=[])
    form = SelectField(
        _l("报表格式"),
        choices=options([("2021", _l("2021年格式（全国统一格式）")), ("2013", _l("2013年格式（附表二）"))]),
        default="2021",
    )


def report_agencies() -> list[Agency]:
    user = staff()
    if authz.is_platform_admin(user):
        return list_agencies(db.session())
    return list(user.agencies)


def report_form() -> ReportForm:
    form = ReportForm(request.args)
    agencies = report_agencies()
    pairs: list[tuple[str, Any]] = [(a.code, a.name) for a in agencies]
    if len(agencies) > 1:
        pairs.append((",".join(a.code for a in agencies), _l("以上全部机关合计")))
    form.agency.choices = options(pairs)
    this_year = today().year
    form.year.choices = options((str(y), str(y)) for y in range(this_year, reports.EARLIEST_YEAR - 1, -1))
    if not request.args.get("year"):
        form.year.data = str(this_year - 1 if today().month < 4 else this_year)
    if not request.args.get("agency") and agencies:
        form.agency.data = agencies[0].code
    return form


def chosen(form: ReportForm) -> tuple[reports.Scope, int, str]:
    session = db.session()
    scope = reports.resolve_scope(session, reports.parse_codes(form.agency.data or ""))
    reports.may_read_reports(staff(), scope)
    year = int(form.year.data) if (form.year.data or "").isdigit() else 0
    reports.check_year(year, today())
    reports.check_form(form.form.data or "")
    return scope, year, form.form.data or ""


@bp.get("/reports")
@staff_required("head", "admin")
def reports_page() -> Any:
    form = report_form()
    if not form.agency.choices:
        return render_template("staff/reports.html", form=form, report=None)
    try:
        scope, year, which = chosen(form)
    except ValidationError as exc:
        return error_page(422, exc.message)
    report = reports.full_report(db.session(), scope, year, which)
    args: dict[str, Any] = {"agency": ",".join(scope.codes), "year": year, "form": which}
    return render_template(
        "staff/reports.html",
        form=form,
        args=args,
        sign_off_url=lambda snapshot_id: url_for(".sign_off_snapshot", snapshot_id=snapshot_id, **args),
        can_sign=staff().role == "head",
        **page_context(report, now=now()),
    )


@bp.post(f"/reports/snapshots/<int(max={MAX_ID}):snapshot_id>/sign-off")
@staff_required("head")
def sign_off_snapshot(snapshot_id: int) -> Any:
    """The head signs off the frozen annual table of their agency."""
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None or not authz.in_agency(staff(), snapshot.agency_id):
        return error_page(404)
    try:
        reports.sign_off(db.session(), snapshot, actor=staff(), now=now())
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已签发%(year)s年度报表快照。", year=snapshot.year), "success")
    back: dict[str, Any] = {k: request.args[k] for k in ("agency", "year", "form") if k in request.args}
    return redirect(url_for(".reports_page", **back))


@bp.get("/reports/export.<fmt>")
@staff_required("head", "admin")
def reports_export(fmt: str) -> Any:
    if fmt not in FILE_TYPES:
        return error_page(404)
    form = report_form()
    try:
        scope, year, which = chosen(form)
    except ValidationError as exc:
        return error_page(422, exc.message)
    report = reports.annex_two(db.session(), scope, year, which)
    file = export(report, fmt, names=scope.names, now=now())
    return Response(
        file.body,
        content_type=file.content_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


@bp.get("/reports/annex-two.css")
def reports_css() -> Response:
    """The report's own styles (a template of the reports package), as a file the page's CSP allows."""
    return Response(render_template("reports/_annex_two.css"), mimetype="text/css")
