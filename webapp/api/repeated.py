"""/api/v1/agencies/<code>/repeated-requests (docs/api.md §Information many ask for): the information several
applicants asked an agency for in a year (Art. 44 of the 2019 Regulations), the product's proposals, groups
made, requests linked, the decision on publishing proactively and an applicant's suggestion.

Routes join the API blueprint of webapp.api.routes; webapp.api imports this module before it registers
the blueprint.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import RAISE, fields, validate
from sqlalchemy import select

from webapp.api.auth import credentials_first, now, staff_user
from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain import repeated
from webapp.domain.calendar import china_today
from webapp.domain.errors import NotFound
from webapp.domain.identity import mask_id_number
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, InformationGroup, Request, User
from webapp.models.base import MAX_ID
from webapp.models.info_groups import DECISIONS

YEARS = validate.Range(min=2008, max=9999)
NUMBERS = fields.List(text(40), required=True, validate=validate.Length(min=1, max=200))

# -- schemas ------------------------------------------------------------------------------------------


class RepeatedYearArgs(StrictSchema):
    year = fields.Integer(validate=YEARS, metadata={"description": "the year received; this year by default"})


class InfoGroupIn(StrictSchema):
    title = text(repeated.MAX_TITLE, required=True, metadata={"description": "the information asked for"})
    year = fields.Integer(required=True, strict=True, validate=YEARS)
    requests = NUMBERS


class InfoGroupLinkIn(StrictSchema):
    tracking_number = text(40, required=True)


class PublishDecisionIn(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(list(DECISIONS)))
    published_where = text(
        repeated.MAX_PLACE, allow_none=True, metadata={"description": "where published (publish)"}
    )
    published_on = fields.Date(allow_none=True, metadata={"description": "the day published (publish)"})
    reason = text(repeated.MAX_TEXT, allow_none=True, metadata={"description": "why not (not_publish)"})


class InfoGroupSuggestionIn(StrictSchema):
    note = text(repeated.MAX_TEXT, required=True, metadata={"description": "the applicant's suggestion"})
    tracking_number = text(40, allow_none=True, metadata={"description": "the suggesting request"})


class InfoGroupMemberOut(ma.Schema):
    tracking_number = fields.String(required=True)
    received_on = fields.Date(required=True)
    applicant_name = fields.String(required=True)
    applicant_id_number = fields.String(required=True, allow_none=True, metadata={"description": "masked"})
    status = fields.String(required=True)


class InfoGroupEventOut(ma.Schema):
    type = fields.String(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True, allow_none=True)
    note = fields.String(required=True)


class InfoGroupOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    applicants = fields.Integer(required=True, metadata={"description": "distinct identity numbers"})
    unidentified = fields.Integer(required=True, metadata={"description": "requests without a number"})
    listed = fields.Boolean(required=True, metadata={"description": "two or more applicants"})
    requests = fields.List(fields.Nested(InfoGroupMemberOut), required=True)
    decision = fields.String(required=True, allow_none=True)
    decision_label = fields.String(required=True, allow_none=True)
    published_where = fields.String(required=True, allow_none=True)
    published_on = fields.Date(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    decided_by = fields.String(required=True, allow_none=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    history = fields.List(fields.Nested(InfoGroupEventOut), required=True)


class RepeatedOut(ma.Schema):
    agency = fields.String(required=True)
    year = fields.Integer(required=True)
    groups = fields.List(fields.Nested(InfoGroupOut), required=True, metadata={"description": "listed first"})
    proposals = fields.List(
        fields.List(fields.String()), required=True, metadata={"description": "tracking numbers alike"}
    )


def _who(user: User | None) -> str | None:
    return (user.name or user.email) if user else None


def group_json(v: repeated.GroupView) -> dict[str, Any]:
    g = v.group
    return {
        "id": g.id,
        "title": g.title,
        "year": g.year,
        "applicants": v.applicants,
        "unidentified": v.unidentified,
        "listed": v.listed,
        "requests": [
            {
                "tracking_number": r.tracking_number,
                "received_on": r.received_on,
                "applicant_name": r.applicant_name,
                "applicant_id_number": mask_id_number(r.applicant_id_number),
                "status": r.status,
            }
            for r in v.requests
        ],
        "decision": g.decision,
        "decision_label": DECISIONS.get(g.decision or ""),
        "published_where": g.published_where,
        "published_on": g.published_on,
        "reason": g.reason,
        "decided_by": _who(g.decided_by),
        "decided_at": g.decided_at,
        "history": [{"type": e.type, "at": e.at, "actor": _who(e.actor), "note": e.note} for e in g.events],
    }


def _agency(code: str) -> Agency:
    user = staff_user()
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None or not repeated.may_view(user, agency):
        raise NotFound(_l("机关不存在"))
    return agency


def _request(agency: Agency, number: str) -> Request:
    req = db.session.execute(select(Request).where(Request.tracking_number == number)).scalar_one_or_none()
    if req is None or req.agency_id != agency.id:
        raise NotFound(_l("申请不存在或访问码不正确"))
    return req


def _group(agency: Agency, group_id: int) -> InformationGroup:
    return repeated.group_of(db.session(), agency, group_id)


GROUP_URL = f"/agencies/<code>/repeated-requests/<int(max={MAX_ID}):group_id>"


@bp.route("/agencies/<code>/repeated-requests")
class RepeatedRequests(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(RepeatedYearArgs, location="query", unknown=RAISE)
    @bp.response(200, RepeatedOut)
    @document_errors(401, 404, 422)
    def get(self, args: dict[str, Any], code: str) -> Any:
        """The agency's groups of the year (two or more applicants first, `listed`) with their decisions
        and history, and the product's proposals (staff of the agency)."""
        agency = _agency(code)
        year = args.get("year") or china_today(now()).year
        session = db.session()
        body = {
            "agency": agency.code,
            "year": year,
            "groups": [group_json(v) for v in repeated.groups(session, agency, year)],
            "proposals": [[r.tracking_number for r in p] for p in repeated.proposals(session, agency, year)],
        }
        session.commit()
        return body

    @credentials_first(staff=True)
    @bp.arguments(InfoGroupIn)
    @bp.response(201, InfoGroupOut)
    @document_errors(400, 401, 403, 404, 422)
    def post(self, body: dict[str, Any], code: str) -> Any:
        """A new group: the information's name and its requests of the year (an officer or head of the
        agency); a request in another group moves."""
        agency = _agency(code)
        session = db.session()
        group = repeated.create_group(
            session,
            agency,
            title=body["title"],
            year=body["year"],
            requests=[_request(agency, n) for n in body["requests"]],
            actor=staff_user(),
            now=now(),
        )
        session.commit()
        return group_json(repeated.view(group))


@bp.route(f"{GROUP_URL}/requests")
class RepeatedRequestMembers(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(InfoGroupLinkIn)
    @bp.response(200, InfoGroupOut)
    @document_errors(400, 401, 403, 404, 422)
    def post(self, body: dict[str, Any], code: str, group_id: int) -> Any:
        """A request joins the group (an officer or head of the agency)."""
        agency = _agency(code)
        group = _group(agency, group_id)
        repeated.link_request(
            db.session(), group, _request(agency, body["tracking_number"]), actor=staff_user(), now=now()
        )
        db.session.commit()
        return group_json(repeated.view(group))


@bp.route(f"{GROUP_URL}/decision")
class RepeatedRequestDecision(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(PublishDecisionIn)
    @bp.response(200, InfoGroupOut)
    @document_errors(400, 401, 403, 404, 409, 422)
    def post(self, body: dict[str, Any], code: str, group_id: int) -> Any:
        """The decision: `publish` (纳入主动公开, with `published_where` and `published_on`) or
        `not_publish` (不纳入, with `reason`); 409 for a group of fewer than two applicants and no
        suggestion."""
        agency = _agency(code)
        group = _group(agency, group_id)
        repeated.decide(
            db.session(),
            group,
            decision=body["decision"],
            published_where=body.get("published_where"),
            published_on=body.get("published_on"),
            reason=body.get("reason"),
            actor=staff_user(),
            now=now(),
        )
        db.session.commit()
        return group_json(repeated.view(group))


@bp.route(f"{GROUP_URL}/suggestion")
class RepeatedRequestSuggestion(MethodView):
    @credentials_first(staff=True)
    @bp.arguments(InfoGroupSuggestionIn)
    @bp.response(200, InfoGroupOut)
    @document_errors(400, 401, 403, 404, 422)
    def post(self, body: dict[str, Any], code: str, group_id: int) -> Any:
        """An applicant's suggestion that the information be published proactively (Art. 44, second
        sentence), recorded on the group."""
        agency = _agency(code)
        group = _group(agency, group_id)
        number = body.get("tracking_number")
        repeated.record_suggestion(
            db.session(),
            group,
            note=body["note"],
            request=_request(agency, number) if number else None,
            actor=staff_user(),
            now=now(),
        )
        db.session.commit()
        return group_json(repeated.view(group))
