"""The figures an agency enters for a year (/staff/reports/figures, docs/rules.md §Entered figures): the
Art. 20 table of the 2021 form's section 二 and the 2013 form's annex one, with last year's figures beside
each field; and the same figures imported from a CSV or XLSX file, previewed with every problem numbered by
its line before anything is stored. Pages of the staff blueprint (webapp/web/staff.py), for heads and
administrators."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from openpyxl import Workbook

from webapp import authz
from webapp.domain import reports
from webapp.domain.accounts import list_agencies
from webapp.domain.errors import DomainError, Forbidden, ValidationError
from webapp.domain.reports.figures import annex_one_fields, field_label, proactive_fields
from webapp.domain.reports.figures_import import (
    MAX_BYTES,
    apply_figures_import,
    parse_figures_file,
    template_rows,
)
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency
from webapp.web.auth import staff, staff_required
from webapp.web.common import error_page, now, today
from webapp.web.staff import bp


def amount_text(value: Any) -> str:
    """万元 as typed: 12.5, 0.0001, 1234567 (no exponent, no trailing zeros)."""
    text = format(Decimal(str(value)).quantize(Decimal("0.0001")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_agencies() -> list[Agency]:
    """The agencies whose figures the user enters: their own, or every one for the platform's admin."""
    user = staff()
    if authz.is_platform_admin(user):
        return list_agencies(db.session())
    return [a for a in user.agencies if authz.may_enter_figures(user, a)]


def chosen(code: str | None, year_text: str | None) -> tuple[Agency, int]:
    """The agency and year asked for, checked (403 for an agency not the user's, 422 for a bad year)."""
    agencies = figure_agencies()
    session = db.session()
    if code:
        agency = reports.resolve_scope(session, [code]).agencies[0]
        reports.may_enter_figures(staff(), agency)
    elif agencies:
        agency = agencies[0]
    else:
        raise Forbidden(_l("您的账号不属于任何机关"))
    this_year = today().year
    text = (year_text or "").strip()
    year = (
        int(text) if text.isascii() and text.isdigit() else this_year - 1 if today().month < 7 else this_year
    )
    reports.check_year(year, today())
    return agency, year


def _values(agency: Agency, year: int) -> dict[str, Any]:
    """The stored figures of a year by field name (`proactive.regulations.issued`: text for the input),
    blank where never entered."""
    row = reports.stored_figures(db.session(), agency.id, year)
    entered = reports.entered_groups(row)
    shaped = reports.figures_json(agency, year, row)
    values: dict[str, Any] = {}
    for name, group, figure in proactive_fields():
        value = shaped["proactive"][group][figure]
        shown = amount_text(value) if figure == "amount_10k_yuan" else str(value)
        values[name] = shown if entered["proactive"] else ""
    for name, key in annex_one_fields():
        values[name] = str(shaped["annex_one"][key]) if entered["annex_one"] else ""
    return values


def figures_page(
    agency: Agency,
    year: int,
    typed: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    message: object = None,
    code: int = 200,
) -> Any:
    stored = reports.stored_figures(db.session(), agency.id, year)
    return (
        render_template(
            "staff/figures.html",
            agency=agency,
            year=year,
            agencies=figure_agencies(),
            years=list(range(today().year, reports.EARLIEST_YEAR - 1, -1)),
            groups=reports.PROACTIVE_SHAPE,
            group_labels=reports.GROUP_LABELS,
            group_articles=reports.GROUP_ARTICLES,
            figure_labels=reports.FIGURE_LABELS,
            annex_one_rows=reports.ANNEX_ONE_ROWS,
            values=typed if typed is not None else _values(agency, year),
            previous=_values(agency, year - 1),
            errors={k: str(v) for k, v in (errors or {}).items()},
            labels={name: field_label(name) for name in [*_names()]},
            message=message,
            stored=stored,
            max_bytes=MAX_BYTES,
        ),
        code,
    )


def _names() -> list[str]:
    return [f[0] for f in proactive_fields()] + [f[0] for f in annex_one_fields()]


@bp.get("/reports/figures")
@staff_required("head", "admin")
def figures() -> Any:
    try:
        agency, year = chosen(request.args.get("agency"), request.args.get("year"))
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    return figures_page(agency, year)


@bp.post("/reports/figures")
@staff_required("head", "admin")
def save_figures() -> Any:
    try:
        agency, year = chosen(request.form.get("agency"), request.form.get("year"))
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    typed = {name: (request.form.get(name) or "").strip() for name in _names()}
    proactive: dict[str, Any] | None = None
    if any(typed[name] for name, *_ in proactive_fields()):
        proactive = {}
        for name, group, figure in proactive_fields():
            proactive.setdefault(group, {})[figure] = typed[name]
    annex_one: dict[str, Any] | None = None
    if any(typed[name] for name, _ in annex_one_fields()):
        annex_one = {key: typed[name] for name, key in annex_one_fields()}
    try:
        reports.set_annual_figures(
            db.session(), agency, year, proactive=proactive, annex_one=annex_one, actor=staff(), now=now()
        )
    except ValidationError as exc:
        db.session.rollback()
        return figures_page(agency, year, typed=typed, errors=exc.fields, message=exc.message, code=422)
    except DomainError as exc:
        db.session.rollback()
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已保存%(name)s%(year)s年度数据。", name=agency.name, year=year), "success")
    return redirect(url_for(".figures", agency=agency.code, year=year), code=303)


@bp.post("/reports/figures/import")
@staff_required("head", "admin")
def import_figures() -> Any:
    """Read the uploaded file into a preview: what each line would store, or what is wrong on it."""
    try:
        agency, year = chosen(request.form.get("agency"), request.form.get("year"))
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return figures_page(
            agency, year, errors={"file": _l("请选择文件")}, message=_l("请选择文件"), code=422
        )
    data = upload.stream.read(MAX_BYTES + 1)
    parsed = parse_figures_file(db.session(), staff(), upload.filename, data, today())
    current = {
        (line.agency, line.year): _values(
            reports.resolve_scope(db.session(), [line.agency]).agencies[0], line.year
        )
        for line in parsed.lines
    }
    return (
        render_template(
            "staff/figures_import.html",
            agency=agency,
            year=year,
            filename=upload.filename,
            parsed=parsed,
            current=current,
            names=_names(),
            labels={name: field_label(name) for name in _names()},
            amount_text=amount_text,
            payload=json.dumps([line.as_json() for line in parsed.lines], ensure_ascii=False),
        ),
        200 if parsed.ok else 422,
    )


@bp.post("/reports/figures/import/confirm")
@staff_required("head", "admin")
def confirm_import() -> Any:
    """Store a previewed file's lines, all or nothing (each checked again)."""
    try:
        agency, year = chosen(request.form.get("agency"), request.form.get("year"))
        lines = json.loads(request.form.get("payload") or "[]")
        if not isinstance(lines, list) or not lines or not all(isinstance(x, dict) for x in lines):
            raise ValidationError(_l("导入的数据有误"), {"file": _l("请重新上传文件")})
        stored = apply_figures_import(db.session(), lines, actor=staff(), now=now())
    except json.JSONDecodeError:
        return error_page(422, _l("导入的数据有误"))
    except DomainError as exc:
        db.session.rollback()
        return error_page(exc.http_status, "；".join(str(v) for v in exc.fields.values()) or exc.message)
    db.session.commit()
    flash(_l("已导入%(n)s行年度数据。", n=stored), "success")
    return redirect(url_for(".figures", agency=agency.code, year=year), code=303)


@bp.get("/reports/figures/template.<fmt>")
@staff_required("head", "admin")
def figures_template(fmt: str) -> Any:
    """The import file to fill in: one line per agency of the user, with the year's figures so far."""
    if fmt not in ("csv", "xlsx"):
        return error_page(404)
    try:
        _agency, year = chosen(None, request.args.get("year"))
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    session = db.session()
    rows = template_rows(
        (a.code, year, reports.annual_figures(session, [a.id], year)) for a in figure_agencies()
    )
    name = f"annual-figures-{year}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        body: bytes = ("\ufeff" + out.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(year))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
