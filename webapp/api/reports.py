"""/api/v1 reports (docs/api.md §Reports): annex two in every format, its year-end snapshots and their
sign-off, and the review and litigation records over a request that feed the 2021 form's section 四.

Routes join the API blueprint of webapp.api.routes; webapp.api imports this module before it registers
the blueprint.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import RAISE, fields, validate
from sqlalchemy import select

from webapp import authz
from webapp.api import annual  # noqa: F401  (the whole annual report's routes join bp)
from webapp.api.auth import credentials_first, load_request, now, staff_user
from webapp.api.report_common import AnnexTwoOut, SnapshotOut, file_response
from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain import reports
from webapp.domain.calendar import china_today
from webapp.domain.errors import NotFound
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Appeal, ReportSnapshot
from webapp.models.base import MAX_ID
from webapp.models.report import APPEAL_KINDS, APPEAL_RESULTS
from webapp.render import FORMATS, FULL_REPORT_FORMATS, export

YEARS = validate.Range(min=reports.EARLIEST_YEAR, max=9999)

# -- schemas ------------------------------------------------------------------------------------------


class AnnexTwoArgs(StrictSchema):
    agency = text(
        1000,
        required=True,
        metadata={"description": "agency code, or several separated by commas: their figures add up"},
    )
    year = fields.Integer(required=True, validate=YEARS)
    form = fields.String(load_default="2021", validate=validate.OneOf(list(reports.FORMS)))
    format = fields.String(load_default="json", validate=validate.OneOf(list(FORMATS)))


class SnapshotIn(StrictSchema):
    agency = text(32, required=True)
    year = fields.Integer(required=True, strict=True, validate=YEARS)
    form = fields.String(required=True, validate=validate.OneOf(list(reports.FORMS)))


class SnapshotArgs(StrictSchema):
    agency = text(1000, required=True, metadata={"description": "agency code(s), comma-separated"})
    year = fields.Integer(validate=YEARS)


class SnapshotListOut(ma.Schema):
    items = fields.List(fields.Nested(SnapshotOut), required=True)


class SignOffIn(StrictSchema):
    pass


class AppealIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(list(APPEAL_KINDS)))
    result = fields.String(required=True, validate=validate.OneOf(list(APPEAL_RESULTS)))
    filed_on = fields.Date(required=True, metadata={"description": "the day the review or suit was filed"})
    decided_on = fields.Date(allow_none=True, metadata={"description": "required unless result is pending"})
    case_number = text(100, allow_none=True)
    authority = text(
        200, allow_none=True, metadata={"description": "the body deciding the review (复议机关) or the court"}
    )
    note = text(reports.MAX_TEXT, allow_none=True)


class DecisionIn(StrictSchema):
    result = fields.String(
        required=True, validate=validate.OneOf([r for r in APPEAL_RESULTS if r != "pending"])
    )
    decided_on = fields.Date(required=True)
    note = text(reports.MAX_TEXT, allow_none=True)


class AppealOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    result = fields.String(required=True)
    result_label = fields.String(required=True)
    filed_on = fields.Date(required=True)
    decided_on = fields.Date(required=True, allow_none=True)
    case_number = fields.String(required=True, allow_none=True)
    authority = fields.String(required=True, allow_none=True)
    note = fields.String(required=True)


class AppealListOut(ma.Schema):
    items = fields.List(fields.Nested(AppealOut), required=True)


def appeal_json(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "kind_label": APPEAL_KINDS[a.kind],
        "result": a.result,
        "result_label": APPEAL_RESULTS[a.result],
        "filed_on": a.filed_on,
        "decided_on": a.decided_on,
        "case_number": a.case_number,
        "authority": a.authority,
        "note": a.note,
    }


FILE_CONTENT = {
    "application/json": {"schema": AnnexTwoOut},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}},
}

# -- annex two ----------------------------------------------------------------------------------------


@bp.route("/reports/annex-two")
class AnnexTwo(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(AnnexTwoArgs, location="query", unknown=RAISE)
    @bp.response(200, AnnexTwoOut)
    @bp.doc(
        responses={"200": {"description": "the table as JSON, a file, or the page", "content": FILE_CONTENT}}
    )
    @document_errors(401, 403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Annex two for one agency or several added up (head or admin of every agency asked for):
        JSON, or as a file: csv, xlsx, pdf; or the report page: html."""
        user = staff_user()
        session = db.session()
        moment = now()
        scope = reports.resolve_scope(session, reports.parse_codes(args["agency"]))
        reports.may_read_reports(user, scope)
        reports.check_year(args["year"], china_today(moment))
        fmt = args["format"]
        table = reports.full_report if fmt in FULL_REPORT_FORMATS else reports.annex_two
        report = table(session, scope, args["year"], args["form"])
        session.commit()  # the token's last use
        if fmt == "json":
            return report
        return file_response(export(report, fmt, names=scope.names, now=moment), html=fmt == "html")


# -- snapshots ----------------------------------------------------------------------------------------


@bp.route("/reports/annex-two/snapshots")
class Snapshots(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(SnapshotArgs, location="query", unknown=RAISE)
    @bp.response(200, SnapshotListOut)
    @document_errors(401, 403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """The frozen tables of the agencies (head or admin), newest first."""
        user = staff_user()
        session = db.session()
        scope = reports.resolve_scope(session, reports.parse_codes(args["agency"]))
        reports.may_read_reports(user, scope)
        query = select(ReportSnapshot).where(ReportSnapshot.agency_id.in_(scope.ids))
        if args.get("year") is not None:
            query = query.where(ReportSnapshot.year == args["year"])
        rows = session.execute(
            query.order_by(
                ReportSnapshot.year.desc(),
                ReportSnapshot.form,
                ReportSnapshot.revision.desc(),
                ReportSnapshot.id,
            )
        ).scalars()
        items = [reports.snapshot_json(s) for s in rows]
        session.commit()
        return {"items": items}

    @credentials_first(staff=True)
    @bp.arguments(SnapshotIn)
    @bp.response(201, SnapshotOut)
    @document_errors(400, 401, 403, 409, 422)
    def post(self, body: dict[str, Any]) -> Any:
        """Freeze an agency's table for a finished year as its next revision (head or admin), e.g.
        after a late correction; the workers freeze revision 1 of every agency early each January."""
        user = staff_user()
        session = db.session()
        scope = reports.resolve_scope(session, [body["agency"]])
        snapshot = reports.create_snapshot(
            session, scope.agencies[0], body["year"], body["form"], actor=user, now=now()
        )
        session.commit()
        return reports.snapshot_json(snapshot)


@bp.route(f"/reports/annex-two/snapshots/<int(max={MAX_ID}):snapshot_id>/sign-off")
class SignOff(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(SignOffIn)
    @bp.response(200, SnapshotOut)
    @document_errors(400, 401, 403, 404, 409, 422)
    def post(self, body: dict[str, Any], snapshot_id: int) -> Any:
        """The agency's head signs a frozen table off (once)."""
        user = staff_user()
        session = db.session()
        snapshot = reports.get_snapshot(session, snapshot_id)
        if not (authz.in_agency(user, snapshot.agency_id) or authz.is_platform_admin(user)):
            raise NotFound(_l("快照不存在"))
        reports.sign_off(session, snapshot, actor=user, now=now())
        session.commit()
        return reports.snapshot_json(snapshot)


# -- review and litigation records --------------------------------------------------------------------


def _staff_request(tracking_number: str) -> Any:
    staff_user()
    req, user = load_request(tracking_number)
    return req, user


@bp.route("/requests/<tracking_number>/appeals")
class Appeals(MethodView):
    @bp.response(200, AppealListOut)
    @document_errors(401, 404)
    def get(self, tracking_number: str) -> Any:
        """The administrative reviews and lawsuits over a request (staff of its agency)."""
        req, _ = _staff_request(tracking_number)
        rows = db.session.execute(
            select(Appeal).where(Appeal.request_id == req.id).order_by(Appeal.filed_on, Appeal.id)
        ).scalars()
        items = [appeal_json(a) for a in rows]
        db.session.commit()
        return {"items": items}

    @credentials_first(staff=True)
    @bp.arguments(AppealIn)
    @bp.response(201, AppealOut)
    @document_errors(400, 401, 403, 404, 422)
    def post(self, body: dict[str, Any], tracking_number: str) -> Any:
        """Record an administrative review (行政复议) or lawsuit (行政诉讼) over a request, with its
        result or as pending (尚未审结); written to the request's history."""
        req, user = _staff_request(tracking_number)
        appeal = reports.record_appeal(
            db.session(),
            req,
            kind=body["kind"],
            result=body["result"],
            filed_on=body["filed_on"],
            decided_on=body.get("decided_on"),
            case_number=body.get("case_number"),
            authority=body.get("authority"),
            note=body.get("note"),
            actor=user,
            now=now(),
        )
        db.session.commit()
        return appeal_json(appeal)


@bp.route(f"/requests/<tracking_number>/appeals/<int(max={MAX_ID}):appeal_id>/decision")
class AppealDecision(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(DecisionIn)
    @bp.response(200, AppealOut)
    @document_errors(400, 401, 403, 404, 409, 422)
    def post(self, body: dict[str, Any], tracking_number: str, appeal_id: int) -> Any:
        """A pending review or lawsuit is decided: its result and the day."""
        req, user = _staff_request(tracking_number)
        appeal = db.session.get(Appeal, appeal_id)
        if appeal is None or appeal.request_id != req.id:
            raise NotFound(_l("复议、诉讼记录不存在"))
        reports.decide_appeal(
            db.session(),
            appeal,
            result=body["result"],
            decided_on=body["decided_on"],
            note=body.get("note"),
            actor=user,
            now=now(),
        )
        db.session.commit()
        return appeal_json(appeal)
