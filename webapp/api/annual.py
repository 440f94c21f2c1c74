"""/api/v1 the whole annual report (docs/api.md §The annual report): the report of one agency, several
added up or a government rolled up, in every format; the office's text; the head's sign-off; and the
published reports, which anyone may read.

Routes join the API blueprint of webapp.api.routes (webapp.api.reports imports this module)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import RAISE, fields, validate
from sqlalchemy import select

from webapp.api.auth import credentials_first, now, staff_user
from webapp.api.report_common import AnnexTwoOut, SectionFourOut, file_response
from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain import reports
from webapp.domain.calendar import china_today
from webapp.domain.errors import NotFound
from webapp.domain.reports import annual
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, AnnualReportPublication
from webapp.render import ANNUAL_FORMATS, export

YEARS = validate.Range(min=reports.EARLIEST_YEAR, max=9999)
PUBLIC_FILES = ("html", "pdf", "docx")


class AnnualArgs(ma.Schema):
    agency = text(
        1000,
        required=True,
        metadata={
            "description": "agency code, or several separated by commas (their figures add up); a "
            "government's own report adds up the agencies below it"
        },
    )
    year = fields.Integer(required=True, validate=YEARS)
    form = fields.String(load_default="2021", validate=validate.OneOf(list(reports.FORMS)))


class AnnualGetArgs(AnnualArgs):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="json", validate=validate.OneOf(list(ANNUAL_FORMATS)))


class AnnualFormArgs(AnnualArgs):
    class Meta:
        unknown = RAISE


class FlagOut(ma.Schema):
    fact = fields.String(required=True)
    sentence = fields.String(required=True)
    quoted = fields.Float(required=True)
    expected = fields.Float(required=True)


class SectionOut(ma.Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    text = fields.String(metadata={"description": "the sections with text: the office's, or the draft"})
    edited = fields.Boolean(metadata={"description": "the office edited the text"})
    saved = fields.Boolean(metadata={"description": "the text is kept (edited, or a draft saved)"})
    flags = fields.List(
        fields.Nested(FlagOut), metadata={"description": "numbers the text quotes that the tables contradict"}
    )
    tables = fields.Method("dump_tables", required=True)

    def dump_tables(self, section: dict[str, Any]) -> Any:
        """Annex two's table exactly as GET /reports/annex-two answers it; section 四 as in it; the
        others as computed."""
        out = []
        for table in section["tables"]:
            if "rows" in table and "form" in table:
                out.append(AnnexTwoOut().dump(table))
            elif "groups" in table:
                out.append(SectionFourOut().dump(table))
            else:
                out.append(table)
        return out


class PublicationStatusOut(ma.Schema):
    signed_off_at = fields.DateTime(required=True)
    signed_off_by = fields.String(required=True)
    checksum = fields.String(required=True)
    data_changed = fields.Boolean(required=True)
    version = fields.Integer(required=True, metadata={"description": "1, and one more with each correction"})
    correction = fields.String(
        allow_none=True, metadata={"description": "why this version replaced the one before (更正说明)"}
    )
    correcting = fields.String(
        allow_none=True, metadata={"description": "the reason of a correction opened and not signed off yet"}
    )


class AnnualOut(ma.Schema):
    form = fields.String(required=True)
    year = fields.Integer(required=True)
    agencies = fields.List(fields.String(), required=True)
    agency_names = fields.List(fields.String(), required=True)
    rolled_up = fields.List(
        fields.String(), required=True, metadata={"description": "the agencies below whose tables add up"}
    )
    sections = fields.List(fields.Nested(SectionOut), required=True)
    flags = fields.Integer(required=True, metadata={"description": "flagged numbers in all sections"})
    publication = fields.Nested(PublicationStatusOut, allow_none=True)


class TextsIn(StrictSchema):
    sections = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True, validate=validate.Length(max=annual.publish.MAX_TEXT)),
        required=True,
        metadata={"description": "section key → the office's text; null: back to the product's draft"},
    )


class PublicArgs(ma.Schema):
    class Meta:
        unknown = RAISE

    agency = text(32)
    year = fields.Integer(validate=YEARS)


class PublishedVersionOut(ma.Schema):
    version = fields.Integer(required=True)
    signed_off_at = fields.DateTime(required=True)
    superseded_at = fields.DateTime(allow_none=True)
    correction = fields.String(allow_none=True)
    html = fields.String(required=True)
    pdf = fields.String(required=True)
    docx = fields.String(required=True)


class PublishedOut(ma.Schema):
    agency = fields.String(required=True)
    agency_name = fields.String(required=True)
    year = fields.Integer(required=True)
    form = fields.String(required=True)
    signed_off_at = fields.DateTime(required=True)
    html = fields.String(required=True)
    pdf = fields.String(required=True)
    docx = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "1, and one more with each correction"})
    correction = fields.String(
        allow_none=True, metadata={"description": "why this version replaced the one before (更正说明)"}
    )
    correcting = fields.String(
        allow_none=True, metadata={"description": "the reason of a correction opened and not signed off yet"}
    )
    earlier = fields.List(
        fields.Nested(PublishedVersionOut),
        required=True,
        metadata={"description": "the versions this one superseded, newest first, each still public"},
    )


class AnnualCorrectionIn(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=annual.publish.MAX_REASON),
        metadata={"description": "why the signed-off report is corrected (更正说明)"},
    )


class PublishedListOut(ma.Schema):
    items = fields.List(fields.Nested(PublishedOut), required=True)


FILE_CONTENT = {
    "application/json": {"schema": AnnualOut},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}
    },
    "text/html": {"schema": {"type": "string"}},
}


def _scope(args: dict[str, Any]) -> annual.ReportScope:
    user = staff_user()
    session = db.session()
    scope = annual.report_scope(session, reports.parse_codes(args["agency"]))
    reports.may_read_reports(user, scope.asked)
    reports.check_year(args["year"], china_today(now()))
    return scope


@bp.route("/reports/annual")
class AnnualReport(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(AnnualGetArgs, location="query", unknown=RAISE)
    @bp.response(200, AnnualOut)
    @bp.doc(
        responses={"200": {"description": "the report as JSON, a file, or a page", "content": FILE_CONTENT}}
    )
    @document_errors(401, 403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """The whole annual report (head or admin of every agency asked for): JSON, or pdf, docx, html."""
        scope = _scope(args)
        session = db.session()
        report = annual.annual_report(session, scope, args["year"], args["form"])
        report["publication"] = annual.publication_status(session, scope, args["year"], args["form"])
        session.commit()  # the token's last use
        fmt = args["format"]
        if fmt == "json":
            return report
        return file_response(export(report, fmt, names=scope.asked.names, now=now()), html=fmt == "html")


@bp.route("/reports/annual/texts")
class AnnualTexts(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(TextsIn)  # the body first: a body that is no JSON is a 400 whatever the query says
    @bp.arguments(AnnualFormArgs, location="query", unknown=RAISE)
    @bp.response(200, AnnualOut)
    @document_errors(400, 401, 403, 409, 422)
    def put(self, body: dict[str, Any], args: dict[str, Any]) -> Any:
        """The office's text of some sections (head or admin), kept per agency set, year and form; null
        puts a section back to the product's draft. Answers the report with its flags."""
        scope = _scope(args)
        session = db.session()
        annual.save_texts(
            session, scope, args["year"], args["form"], body["sections"], actor=staff_user(), now=now()
        )
        report = annual.annual_report(session, scope, args["year"], args["form"])
        session.commit()
        return report


@bp.route("/reports/annual/sign-off")
class AnnualSignOff(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(AnnualFormArgs, location="query", unknown=RAISE)
    @bp.response(201, PublishedOut)
    @document_errors(401, 403, 409, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """The agency's head signs its whole report off: figures, text and the data's checksum frozen
        together, and published (409 while a sentence quotes a number the tables contradict, or once
        signed off)."""
        scope = _scope(args)
        session = db.session()
        publication = annual.sign_off(
            session, scope, args["year"], args["form"], actor=staff_user(), now=now()
        )
        session.commit()
        return published_json(publication)


@bp.route("/reports/annual/correction")
class AnnualCorrection(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(AnnualCorrectionIn)  # the body first, as for the texts
    @bp.arguments(AnnualFormArgs, location="query", unknown=RAISE)
    @bp.response(200, PublishedOut)
    @document_errors(400, 401, 403, 409, 422)
    def post(self, body: dict[str, Any], args: dict[str, Any]) -> Any:
        """The agency's head withdraws its signed-off report for correction, with the reason (更正说明):
        the texts may be edited again, and the next sign-off publishes a new version that supersedes the
        current one, which stays public (409 before a sign-off, or while a correction is open)."""
        scope = _scope(args)
        session = db.session()
        publication = annual.open_correction(
            session, scope, args["year"], args["form"], body["reason"], actor=staff_user(), now=now()
        )
        answer = published_json(publication)
        session.commit()
        return answer


def _files(pub: AnnualReportPublication, *, current: bool) -> dict[str, str]:
    where: dict[str, Any] = {"agency": pub.agency.code, "year": pub.year, "form": pub.form}
    if current:
        return {
            fmt: url_for("api_v1.PublishedFile", fmt=fmt, _external=True, **where) for fmt in PUBLIC_FILES
        }
    return {
        fmt: url_for("api_v1.PublishedVersionFile", fmt=fmt, version=pub.version, _external=True, **where)
        for fmt in PUBLIC_FILES
    }


def published_json(pub: AnnualReportPublication) -> dict[str, Any]:
    earlier = annual.earlier_versions(db.session(), pub)
    return {
        "agency": pub.agency.code,
        "agency_name": pub.agency.name,
        "year": pub.year,
        "form": pub.form,
        "signed_off_at": pub.signed_off_at,
        **_files(pub, current=True),
        "version": pub.version,
        "correction": pub.correction,
        "correcting": (pub.correcting or {}).get("reason"),
        "earlier": [
            {
                "version": e.version,
                "signed_off_at": e.signed_off_at,
                "superseded_at": e.superseded_at,
                "correction": e.correction,
                **_files(e, current=False),
            }
            for e in earlier
        ],
    }


@bp.route("/public/annual-reports")
class PublishedReports(MethodView):
    @bp.arguments(PublicArgs, location="query", unknown=RAISE)
    @bp.response(200, PublishedListOut)
    @document_errors(422)
    def get(self, args: dict[str, Any]) -> Any:
        """The published annual reports (no credentials), newest year first."""
        session = db.session()
        agency = None
        if args.get("agency"):
            found = reports.resolve_scope(session, [args["agency"]])
            agency = found.agencies[0]
        items = [
            published_json(p) for p in annual.publications(session, agency=agency, year=args.get("year"))
        ]
        session.commit()
        return {"items": items}


@bp.route("/public/annual-reports/<agency>/<int(min=2008,max=9999):year>/<form>.<fmt>")
class PublishedFile(MethodView):
    @bp.response(200, {"type": "string", "format": "binary"})
    @document_errors(404)
    def get(self, agency: str, year: int, form: str, fmt: str) -> Any:
        """One published report as signed off (no credentials): html, pdf or docx."""
        session = db.session()
        pub = None
        if fmt in PUBLIC_FILES and form in reports.FORMS:
            found = reports.resolve_scope(session, [agency]) if _exists(agency) else None
            pub = annual.get_publication(session, found.agencies[0], year, form) if found else None
        if pub is None:
            raise NotFound(_l("年度报告不存在或尚未公开"))
        body = export(pub.report, fmt, names=[pub.agency.name], now=pub.signed_off_at)
        session.commit()
        return file_response(body, html=fmt == "html")


@bp.route(
    "/public/annual-reports/<agency>/<int(min=2008,max=9999):year>/<form>/versions/<int(max=999):version>.<fmt>"
)
class PublishedVersionFile(MethodView):
    @bp.response(200, {"type": "string", "format": "binary"})
    @document_errors(404)
    def get(self, agency: str, year: int, form: str, version: int, fmt: str) -> Any:
        """One version of a published report, the current one or one a correction superseded (no
        credentials): html, pdf or docx."""
        session = db.session()
        pub = None
        if fmt in PUBLIC_FILES and form in reports.FORMS:
            found = reports.resolve_scope(session, [agency]) if _exists(agency) else None
            pub = (
                annual.get_publication(session, found.agencies[0], year, form, version=version)
                if found
                else None
            )
        if pub is None:
            raise NotFound(_l("年度报告不存在或尚未公开"))
        body = export(pub.report, fmt, names=[pub.agency.name], now=pub.signed_off_at)
        session.commit()
        return file_response(body, html=fmt == "html")


def _exists(code: str) -> bool:
    return db.session.execute(select(Agency.id).where(Agency.code == code)).first() is not None
