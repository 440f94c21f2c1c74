"""/api/v1/calendar (docs/api.md §Holiday notices): the State Council's holiday notice read from its text,
compared with the stored calendar, and with `apply=true` stored as its year's calendar and confirmed.

Routes join the API blueprint of webapp.api.routes; webapp.api imports this module before it registers
the blueprint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from webapp import authz
from webapp.api.auth import now, staff_user
from webapp.api.routes import bp, document_errors
from webapp.api.schemas import StrictSchema, text
from webapp.domain.calendar import current_calendar
from webapp.domain.holiday_notices import MAX_TEXT, compare, parse_notice
from webapp.domain.requests import apply_holiday_notice
from webapp.extensions import db


class NoticeIn(StrictSchema):
    text = text(MAX_TEXT, required=True, metadata={"description": "the notice's text as published"})
    year = fields.Integer(
        validate=validate.Range(min=2005, max=2100),
        metadata={"description": "the year, when the text does not name it"},
    )


class NoticeArgs(StrictSchema):
    apply = fields.Boolean(
        load_default=False,
        metadata={"description": "store the days as the year's calendar and confirm the year"},
    )


class ChangeOut(ma.Schema):
    day = fields.Date(required=True)
    stored = fields.String(required=True, metadata={"description": "`workday` or `day_off`, as stored"})
    notice = fields.String(required=True, metadata={"description": "`workday` or `day_off`, as announced"})
    name = fields.String(required=True, metadata={"description": "the festival the notice names, or empty"})


class NoticeOut(ma.Schema):
    year = fields.Integer(required=True)
    holidays = fields.List(fields.Date(), required=True, metadata={"description": "every day off announced"})
    workdays = fields.List(fields.Date(), required=True, metadata={"description": "every makeup working day"})
    changes = fields.List(
        fields.Nested(ChangeOut),
        required=True,
        metadata={
            "description": "the days the notice makes otherwise than the stored calendar (before apply)"
        },
    )


def platform_admin_first(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The caller checked before its input (docs/api.md §Authentication: 401, then 403, then 422)."""

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        authz.require_platform_admin(staff_user())
        return fn(*args, **kwargs)

    return checked


def kind(workday: bool) -> str:
    return "workday" if workday else "day_off"


@bp.route("/calendar/notices")
class HolidayNotices(MethodView):
    @platform_admin_first
    @bp.arguments(NoticeArgs, location="query")
    @bp.arguments(NoticeIn)
    @bp.response(200, NoticeOut)
    @document_errors(400, 401, 403, 422)
    def post(self, args: dict[str, Any], body: dict[str, Any]) -> Any:
        """Read a holiday notice; with `apply=true` store it as its year's calendar (platform admin)."""
        user = authz.require_platform_admin(staff_user())
        session = db.session()
        notice = parse_notice(body["text"], year=body.get("year"))
        if args["apply"]:
            note = f"国务院办公厅关于{notice.year}年部分节假日安排的通知"
            changes, _moved = apply_holiday_notice(session, notice, note=note, actor=user, now=now())
            session.commit()
        else:
            changes = compare(notice, current_calendar(session))
        return {
            "year": notice.year,
            "holidays": sorted(notice.holidays),
            "workdays": sorted(notice.workdays),
            "changes": [
                {
                    "day": c.day,
                    "stored": kind(c.stored_workday),
                    "notice": kind(c.notice_workday),
                    "name": c.name,
                }
                for c in changes
            ],
        }
