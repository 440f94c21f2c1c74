"""/api/v1/citizen: citizens' optional accounts without passwords (docs/api.md §Citizens' accounts).

A code to an e-mail address or a mobile number (202 whether or not the contact is known), the code for a
citizen's bearer token, and with that token the account's requests and claims by number and access code.
Beside them, for an applicant without an account: a lost access code made anew and sent to the contact on
file (POST /access-codes, 202 whatever the number).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from marshmallow import fields, validate

from webapp.api.auth import now
from webapp.api.routes import bp, document_errors, request_detail
from webapp.api.schemas import StrictSchema, text
from webapp.api.serialise import summary
from webapp.domain import citizens, lost_codes
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.errors import RateLimited, Unauthorized
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Citizen


class ContactIn(StrictSchema):
    email = text(254)
    phone = text(40)


class LostCodeIn(StrictSchema):
    tracking_number = text(40, required=True)
    email = text(254)
    phone = text(40)


class SignInIn(ContactIn):
    code = fields.String(required=True, validate=validate.Length(min=1, max=12))


class ClaimIn(StrictSchema):
    tracking_number = text(40, required=True)
    access_code = text(40, required=True)


class TokenOut(ma.Schema):
    token = fields.String(required=True)


class CitizenRequestsOut(ma.Schema):
    items = fields.List(fields.Dict(), required=True)


def citizen_user() -> Citizen:
    """The citizen of the bearer token; 401 without one, or with a staff token or a stale one."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    found = (
        citizens.citizen_of_token(db.session(), token.strip(), now=now())
        if scheme.lower() == "bearer"
        else None
    )
    if found is None:
        raise Unauthorized(_l("请先登录"), {"Authorization": _l("需要公众账户的令牌")})
    return found


def _contact(body: dict[str, Any]) -> citizens.Contact:
    return citizens.contact_of(email=body.get("email"), phone=body.get("phone"))


@bp.route("/citizen/codes")
class CitizenCodes(MethodView):
    @bp.arguments(ContactIn())
    @bp.response(202)
    @document_errors(400, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Send a 6-digit sign-in code to an e-mail address or a mobile number (the same answer whether or
        not the contact is known; one code a minute and five an hour per contact)."""
        contact = _contact(body)
        sent = citizens.send_code(db.session(), contact, secret=current_app.config["SECRET_KEY"], now=now())
        db.session.commit()
        if not sent:
            message = _l("获取验证码过于频繁，请一分钟后再试（每小时最多5次）")
            raise RateLimited(message, {contact.kind: message})
        return {}


@bp.route("/citizen/sessions")
class CitizenSessions(MethodView):
    @bp.arguments(SignInIn())
    @bp.response(201, TokenOut)
    @document_errors(400, 401, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Sign in with the code: a citizen's bearer token (401 for a wrong or expired code)."""
        session = db.session()
        try:
            _, token = citizens.sign_in(
                session, _contact(body), body["code"], secret=current_app.config["SECRET_KEY"], now=now()
            )
        except Unauthorized:
            session.commit()  # the wrong try counts
            raise
        session.commit()
        return {"token": token}


@bp.route("/citizen/requests")
class CitizenRequests(MethodView):
    @bp.response(200, CitizenRequestsOut)
    @document_errors(401)
    def get(self) -> Any:
        """The account's requests: made with its verified contact, or claimed; newest first."""
        session = db.session()
        citizen = citizen_user()
        cal, today = current_calendar(session), china_today(now())
        return {
            "items": [
                summary(r, cal, viewer=None, today=today) for r in citizens.requests_of(session, citizen)
            ]
        }


@bp.route("/citizen/requests/claim")
class CitizenClaims(MethodView):
    @bp.arguments(ClaimIn())
    @bp.response(200)
    @document_errors(400, 401, 404, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a request to the account by its number and access code (404 on a wrong pair)."""
        session = db.session()
        citizen = citizen_user()
        req = citizens.claim(session, citizen, body["tracking_number"], body["access_code"], now=now())
        session.commit()
        return request_detail(req, None)


@bp.route("/access-codes")
class AccessCodes(MethodView):
    @bp.arguments(LostCodeIn())
    @bp.response(202)
    @document_errors(400, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """A lost access code: a NEW one is made (the old one stops working) and sent to the request's
        e-mail address and/or mobile number on file — only the one given, when `email` or `phone` is. The
        same 202 `{}` whether or not the number exists or has a contact; the code is never in the answer."""
        contact = lost_codes.typed_contact(email=body.get("email"), phone=body.get("phone"))
        lost_codes.reissue_access_code(db.session(), body["tracking_number"], contact, now=now())
        db.session.commit()
        return {}
