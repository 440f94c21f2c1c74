"""/api/v1 for the annual report's own figures (docs/api.md §Enquiries, §Annual figures): the enquiry log
(`POST /api/v1/enquiries`, the year's counts) and the figures an agency enters per year
(`PUT /api/v1/reports/annual/figures`: the Art. 20 table and annex one).

Routes join the API blueprint of webapp.api.routes; webapp.api imports this module before it registers
the blueprint.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import RAISE, fields, validate

from webapp.api.auth import credentials_first, now, staff_user
from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain import reports
from webapp.domain.reports.enquiries import MAX_TOPIC
from webapp.domain.reports.figures import MAX_COUNT
from webapp.extensions import db
from webapp.models import Agency, Enquiry
from webapp.models.annual import ENQUIRY_CHANNELS, ENQUIRY_OUTCOMES

YEARS = validate.Range(min=reports.EARLIEST_YEAR, max=9999)
COUNT = validate.Range(min=0, max=MAX_COUNT)

# -- schemas ------------------------------------------------------------------------------------------


class EnquiryIn(StrictSchema):
    agency = text(32, required=True)
    channel = fields.String(
        required=True,
        validate=validate.OneOf(list(ENQUIRY_CHANNELS)),
        metadata={"description": "online 网上咨询, in_person 现场接待, phone 咨询电话"},
    )
    on = fields.Date(required=True, metadata={"description": "the day the enquiry was answered"})
    topic = text(MAX_TOPIC, allow_none=True)
    service_info = fields.Boolean(
        allow_none=True, metadata={"description": "the answer gave service information (提供服务类信息)"}
    )
    outcome = fields.String(
        validate=validate.OneOf(list(ENQUIRY_OUTCOMES)),
        metadata={"description": "answered (the default) or referred to the body that can answer"},
    )


class EnquiryOut(ma.Schema):
    id = fields.Integer(required=True)
    agency = fields.String(required=True)
    channel = fields.String(required=True)
    on = fields.Date(required=True)
    topic = fields.String(required=True)
    service_info = fields.Boolean(required=True)
    outcome = fields.String(required=True)


class EnquiryArgs(StrictSchema):
    agency = text(32, required=True)
    year = fields.Integer(required=True, validate=YEARS)


class EnquiryCountsOut(ma.Schema):
    online = fields.Integer(required=True)
    in_person = fields.Integer(required=True)
    phone = fields.Integer(required=True)
    service_info = fields.Integer(required=True)


class EnquiryYearOut(ma.Schema):
    agency = fields.String(required=True)
    year = fields.Integer(required=True)
    counts = fields.Nested(EnquiryCountsOut, required=True)


def _count(**kwargs: Any) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=COUNT, **kwargs)


class DocumentsIn(StrictSchema):
    issued = _count(metadata={"description": "本年制发件数"})
    repealed = _count(metadata={"description": "本年废止件数"})
    in_force = _count(metadata={"description": "现行有效件数"})


class DecisionsIn(StrictSchema):
    decisions = _count(metadata={"description": "本年处理决定数量"})


class FeesIn(StrictSchema):
    amount_10k_yuan = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(min=0),
        metadata={"description": "本年收费金额, 万元, at most four decimals"},
    )


class ProactiveIn(StrictSchema):
    """The Art. 20 table of the 2021 form's section 二, whole."""

    regulations = fields.Nested(DocumentsIn, required=True, metadata={"description": "规章"})
    normative_documents = fields.Nested(
        DocumentsIn, required=True, metadata={"description": "行政规范性文件"}
    )
    licensing = fields.Nested(DecisionsIn, required=True, metadata={"description": "行政许可"})
    penalties = fields.Nested(DecisionsIn, required=True, metadata={"description": "行政处罚"})
    enforcement = fields.Nested(DecisionsIn, required=True, metadata={"description": "行政强制"})
    fees = fields.Nested(FeesIn, required=True, metadata={"description": "行政事业性收费"})


class AnnexOneIn(StrictSchema):
    """附表一 of the 2013 form: total = news + other."""

    total = _count(metadata={"description": "主动公开信息数"})
    news = _count(metadata={"description": "其中:政务动态信息"})
    other = _count(metadata={"description": "其它类信息"})


class FiguresIn(StrictSchema):
    proactive = fields.Nested(ProactiveIn, metadata={"description": "left as it was when not sent"})
    annex_one = fields.Nested(AnnexOneIn, metadata={"description": "left as it was when not sent"})


class FiguresArgs(StrictSchema):
    agency = text(32, required=True)
    year = fields.Integer(required=True, validate=YEARS)


class EnteredOut(ma.Schema):
    proactive = fields.Boolean(required=True)
    annex_one = fields.Boolean(required=True)


class StoredFiguresOut(ma.Schema):
    agency = fields.String(required=True)
    year = fields.Integer(required=True)
    proactive = fields.Dict(required=True, metadata={"description": "as sent; zeros when never entered"})
    annex_one = fields.Dict(required=True)
    entered = fields.Nested(EnteredOut, required=True)
    updated_at = fields.DateTime(required=True, allow_none=True)
    updated_by = fields.String(required=True, allow_none=True)


class FiguresOut(StoredFiguresOut):
    previous_year = fields.Nested(StoredFiguresOut, required=True, metadata={"description": "year - 1"})


def enquiry_json(enquiry: Enquiry, agency: Agency) -> dict[str, Any]:
    return {
        "id": enquiry.id,
        "agency": agency.code,
        "channel": enquiry.channel,
        "on": enquiry.asked_on,
        "topic": enquiry.topic,
        "service_info": enquiry.service_info,
        "outcome": enquiry.outcome,
    }


def _agency(code: str) -> Agency:
    return reports.resolve_scope(db.session(), [code]).agencies[0]


# -- the enquiry log ----------------------------------------------------------------------------------


@bp.route("/enquiries")
class Enquiries(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(EnquiryIn)
    @bp.response(201, EnquiryOut)
    @document_errors(400, 401, 403, 422)
    def post(self, body: dict[str, Any]) -> Any:
        """Log one enquiry (咨询) answered or referred by the agency (its staff): annex three counts it."""
        user = staff_user()
        agency = _agency(body["agency"])
        enquiry = reports.record_enquiry(
            db.session(),
            agency,
            channel=body["channel"],
            on=body["on"],
            topic=body.get("topic"),
            service_info=bool(body.get("service_info")),
            outcome=body.get("outcome") or "answered",
            actor=user,
            now=now(),
        )
        db.session.commit()
        return enquiry_json(enquiry, agency)

    @credentials_first(staff=True)
    @bp.arguments(EnquiryArgs, location="query", unknown=RAISE)
    @bp.response(200, EnquiryYearOut)
    @document_errors(401, 403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """The year's enquiries of the agency by channel, and those giving service information (its
        staff)."""
        user = staff_user()
        session = db.session()
        agency = _agency(args["agency"])
        reports.may_log_enquiry(user, agency)
        counts = reports.enquiry_counts(session, [agency.id], args["year"])
        session.commit()
        return {"agency": agency.code, "year": args["year"], "counts": counts}


# -- the figures entered per year ---------------------------------------------------------------------


def _stored(agency: Agency, year: int) -> dict[str, Any]:
    return reports.figures_json(agency, year, reports.stored_figures(db.session(), agency.id, year))


def _with_previous(agency: Agency, year: int) -> dict[str, Any]:
    return {**_stored(agency, year), "previous_year": _stored(agency, year - 1)}


@bp.route("/reports/annual/figures")
class AnnualFigures(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(FiguresArgs, location="query", unknown=RAISE)
    @bp.response(200, FiguresOut)
    @document_errors(401, 403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """One agency's figures for a year as entered, with the year before's (head or admin)."""
        user = staff_user()
        agency = _agency(args["agency"])
        reports.may_enter_figures(user, agency)
        answer = _with_previous(agency, args["year"])
        db.session.commit()
        return answer

    @credentials_first(staff=True)
    @bp.arguments(FiguresIn)  # the body first: a malformed one is a 400 whatever the query
    @bp.arguments(FiguresArgs, location="query", unknown=RAISE, as_kwargs=True)
    @bp.response(200, FiguresOut)
    @document_errors(400, 401, 403, 422)
    def put(self, body: dict[str, Any], agency: str, year: int) -> Any:
        """Enter an agency's figures for a year (head or admin): the Art. 20 table (`proactive`) of the
        2021 form's section 二 and the 2013 form's annex one (`annex_one`); a group not sent is kept."""
        user = staff_user()
        found = _agency(agency)
        reports.set_annual_figures(
            db.session(),
            found,
            year,
            proactive=body.get("proactive"),
            annex_one=body.get("annex_one"),
            actor=user,
            now=now(),
        )
        answer = _with_previous(found, year)
        db.session.commit()
        return answer
