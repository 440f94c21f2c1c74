"""The whole annual report's pages (docs/rules.md §The annual report): the report editor of heads and
administrators (/staff/reports/annual: sections, drafts, edits, flags, preview, files, sign-off) on the
staff blueprint, and each agency's public list of its published reports (/agencies/<code>/annual-reports,
no login, and the index of every agency's at /annual-reports) on the citizen blueprint.
webapp.web.reports imports this module."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from webapp import authz
from webapp.domain import reports
from webapp.domain.accounts import list_agencies
from webapp.domain.dates import china_time
from webapp.domain.errors import DomainError, ValidationError
from webapp.domain.reports import annual
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency
from webapp.render import export
from webapp.render.annual import page_context
from webapp.web.auth import staff, staff_required
from webapp.web.citizen import bp as citizen_bp
from webapp.web.common import error_page, now, today
from webapp.web.staff import bp

FILES = ("pdf", "docx", "html")


def _choices() -> tuple[list[Agency], list[tuple[str, str]]]:
    user = staff()
    agencies = list_agencies(db.session()) if authz.is_platform_admin(user) else list(user.agencies)
    pairs = [(a.code, a.name) for a in agencies]
    if len(agencies) > 1:
        pairs.append((",".join(a.code for a in agencies), str(_l("以上全部机关合计"))))
    return agencies, pairs


def _chosen() -> tuple[annual.ReportScope, int, str]:
    agencies, _ = _choices()
    code = request.values.get("agency") or (agencies[0].code if agencies else "")
    this_year = today().year
    raw_year = request.values.get("year") or str(this_year - 1)
    year = int(raw_year) if raw_year.isdigit() else 0
    form = request.values.get("form") or "2021"
    scope = annual.report_scope(db.session(), reports.parse_codes(code))
    reports.may_read_reports(staff(), scope.asked)
    reports.check_year(year, today())
    reports.check_form(form)
    return scope, year, form


def _args(scope: annual.ReportScope, year: int, form: str) -> dict[str, Any]:
    return {"agency": ",".join(scope.asked.codes), "year": year, "form": form}


@bp.get("/reports/annual")
@staff_required("head", "admin")
def annual_editor() -> Any:
    """The report editor: every section with its text (draft or edited), its flags and its tables."""
    agencies, pairs = _choices()
    if not agencies:
        return render_template("staff/annual_report.html", report=None, pairs=pairs)
    try:
        scope, year, form = _chosen()
    except ValidationError as exc:
        return error_page(422, exc.message)
    return _editor_page(scope, year, form)


def _editor_page(
    scope: annual.ReportScope, year: int, form: str, *, sign_error: str = "", status_code: int = 200
) -> Any:
    """The editor's page; `sign_error`: why the sign-off just asked was refused, shown beside its button."""
    _, pairs = _choices()
    session = db.session()
    report = annual.annual_report(session, scope, year, form)
    status = annual.publication_status(session, scope, year, form)
    args = _args(scope, year, form)
    head = staff().role == "head" and len(scope.asked.agencies) == 1
    deadline = annual.publication_deadline(
        year, government=any(annual.is_government(session, a) for a in scope.asked.agencies)
    )
    return render_template(
        "staff/annual_report.html",
        pairs=pairs,
        args=args,
        years=list(range(today().year, reports.EARLIEST_YEAR - 1, -1)),
        status=status,
        signed_at=china_time(status["signed_off_at"]) if status else "",
        can_sign=head and (status is None or bool(status["correcting"])),
        sign_blocked=_sign_blocked(year, report),
        sign_error=sign_error,
        can_correct=head and status is not None and not status["correcting"],
        locked=status is not None and not status["correcting"],
        deadline=deadline,
        run=annual.year_end.latest_run(session, year) if staff().role == "admin" else None,
        **page_context(report, scope.asked.names),
    ), status_code


def _sign_blocked(year: int, report: dict[str, Any]) -> str:
    """Why the report cannot be signed off yet ('' when it can): the year not ended, or flagged numbers."""
    if year >= today().year:
        return str(_l("%(year)s年度尚未结束，%(next)s年1月1日起才能签发。", year=year, next=year + 1))
    if report["flags"]:
        return str(_l("有%(n)s处数字与表格不符，修改后才能签发。", n=report["flags"]))
    return ""


@bp.post("/reports/annual/texts")
@staff_required("head", "admin")
def annual_save() -> Any:
    """Save the office's text of every section on the form; `reset`: put one back to the product's draft."""
    try:
        scope, year, form = _chosen()
    except ValidationError as exc:
        return error_page(422, exc.message)
    reset = request.form.get("reset")
    if reset:
        changes: dict[str, str | None] = {reset: None}
    else:
        # only what the office changed: a draft left as it was stays the product's draft
        changes = {
            k: request.form[f"text-{k}"]
            for k in annual.TEXT_KEYS[form]
            if f"text-{k}" in request.form
            and _same(request.form[f"text-{k}"]) != _same(request.form.get(f"orig-{k}", ""))
        }
    try:
        annual.save_texts(db.session(), scope, year, form, changes, actor=staff(), now=now())
    except DomainError as exc:
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已恢复系统草稿。") if reset else _l("已保存报告文字。"), "success")
    return redirect(url_for(".annual_editor", **_args(scope, year, form)))


def _same(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


@bp.route("/reports/annual/sign-off", methods=["GET", "POST"])
@staff_required("head")
def annual_sign_off() -> Any:
    """The head signs the agency's report off and publishes it, in two steps: GET, the confirmation page
    (what will be frozen and published, the sections still the system's draft or empty); POST, with
    `reviewed` ticked (and `accept_empty` when a section is empty), the sign-off. A refused sign-off
    shows the editor again with the reason beside the button (docs/rules.md §Sign-off and publication)."""
    try:
        scope, year, form = _chosen()
    except ValidationError as exc:
        return error_page(422, exc.message)
    session = db.session()
    report = annual.annual_report(session, scope, year, form)
    status = annual.publication_status(session, scope, year, form)
    if len(scope.asked.agencies) != 1:
        return _editor_page(
            scope, year, form, sign_error=str(_l("每次签发一个机关的年度报告")), status_code=422
        )
    if status is not None and not status["correcting"]:
        message = str(_l("年度报告已签发，不能再修改；如需更正，请负责人先说明更正理由"))
        return _editor_page(scope, year, form, sign_error=message, status_code=409)
    blocked = _sign_blocked(year, report)
    if blocked:
        return _editor_page(
            scope, year, form, sign_error=blocked, status_code=422 if year >= today().year else 409
        )
    review = _review(report)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not request.form.get("reviewed"):
            errors["reviewed"] = str(_l("请确认已审阅报告全文和表格"))
        if review["empty"] and not request.form.get("accept_empty"):
            errors["accept_empty"] = str(_l("请确认知悉空白部分将按空白公开，或返回填写"))
        if not errors:
            try:
                annual.sign_off(session, scope, year, form, actor=staff(), now=now())
            except DomainError as exc:
                session.rollback()
                return _editor_page(
                    scope, year, form, sign_error=str(exc.message), status_code=exc.http_status
                )
            session.commit()
            flash(_l("已签发并公开%(year)s年度报告。", year=year), "success")
            return redirect(url_for(".annual_editor", **_args(scope, year, form)))
    return render_template(
        "staff/annual_sign_off.html",
        args=_args(scope, year, form),
        agency=scope.asked.agencies[0],
        year=year,
        status=status,
        errors=errors,
        **review,
        **page_context(report, scope.asked.names),
    ), (422 if errors else 200)


def _review(report: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation page lists: each section as it will be published, and the sections still the
    system's draft (not edited by the office) or empty."""
    rows, drafts, empty = [], [], []
    for s in report["sections"]:
        if "text" not in s:
            state = "tables"
        elif not (s["text"] or "").strip():
            state = "empty"
            empty.append(s["title"])
        elif s.get("edited"):
            state = "edited"
        else:
            state = "draft"
            drafts.append(s["title"])
        rows.append({"title": s["title"], "state": state, "chars": len((s.get("text") or "").strip())})
    return {"review_rows": rows, "drafts": drafts, "empty": empty}


@bp.post("/reports/annual/correction")
@staff_required("head")
def annual_correction() -> Any:
    """The head withdraws the signed-off report for correction, with its reason (更正说明)."""
    try:
        scope, year, form = _chosen()
        annual.open_correction(
            db.session(), scope, year, form, request.form.get("reason", ""), actor=staff(), now=now()
        )
    except DomainError as exc:
        db.session.rollback()
        return error_page(exc.http_status, exc.message)
    db.session.commit()
    flash(_l("已撤回更正：修改文字后请签发更正版本。"), "success")
    return redirect(url_for(".annual_editor", **_args(scope, year, form)))


@bp.get("/reports/annual/export.<fmt>")
@staff_required("head", "admin")
def annual_export(fmt: str) -> Any:
    """The report as it stands now, as a file (PDF, DOCX) or the preview page."""
    if fmt not in FILES:
        return error_page(404)
    try:
        scope, year, form = _chosen()
    except ValidationError as exc:
        return error_page(422, exc.message)
    file = export(
        annual.annual_report(db.session(), scope, year, form), fmt, names=scope.asked.names, now=now()
    )
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
    if fmt == "html":  # the standalone preview: its styles inline, nothing fetched from anywhere
        headers = {
            "Content-Disposition": f'inline; filename="{file.filename}"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'",
        }
    return Response(file.body, content_type=file.content_type, headers=headers)


@bp.get("/reports/annual.css")
def annual_css() -> Response:
    """The report's own styles, as a file the pages' CSP allows."""
    return Response(render_template("reports/_annual.css"), mimetype="text/css")


# -- the public page ----------------------------------------------------------------------------------


@citizen_bp.get("/annual-reports")
def annual_reports_index() -> Any:
    """Every agency with its latest published annual report, each linked to its own page (no login): the
    public navigation's 年度报告."""
    session = db.session()
    latest: dict[int, int] = {}
    count: dict[int, int] = {}
    for p in annual.publications(session):
        latest[p.agency_id] = max(latest.get(p.agency_id, 0), p.year)
        count[p.agency_id] = count.get(p.agency_id, 0) + 1
    rows = [
        {"agency": a, "latest": latest.get(a.id), "count": count.get(a.id, 0)}
        for a in session.execute(select(Agency).order_by(Agency.name)).scalars()
    ]
    return render_template("citizen/annual_reports_index.html", rows=rows)


@citizen_bp.get("/agencies/<code>/annual-reports")
def published_reports(code: str) -> Any:
    """An agency's published annual reports, for anyone (no login)."""
    session = db.session()
    agency = session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None:
        return error_page(404)
    items = [
        {
            "year": p.year,
            "form": p.form,
            "signed": china_time(p.signed_off_at),
            "files": {
                fmt: url_for("api_v1.PublishedFile", agency=code, year=p.year, form=p.form, fmt=fmt)
                for fmt in FILES
            },
            "correction": p.correction if p.version > 1 else None,
            "earlier": [
                {
                    "version": e.version,
                    "signed": china_time(e.signed_off_at),
                    "files": {
                        fmt: url_for(
                            "api_v1.PublishedVersionFile",
                            agency=code,
                            year=e.year,
                            form=e.form,
                            version=e.version,
                            fmt=fmt,
                        )
                        for fmt in FILES
                    },
                }
                for e in annual.earlier_versions(session, p)
            ],
        }
        for p in annual.publications(session, agency=agency)
    ]
    return render_template("citizen/annual_reports.html", agency=agency, items=items)
