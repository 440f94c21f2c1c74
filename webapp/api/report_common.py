"""What the report endpoints share (docs/api.md §Reports): annex two's output schemas, which the whole
annual report's request section reuses, and a rendered file as an answer."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields, validate

from webapp.domain import reports
from webapp.models.report import APPEAL_KINDS
from webapp.render import Export


class Row2013Out(ma.Schema):
    label = fields.String(required=True)
    unit = fields.String(required=True)
    value = fields.Integer(required=True)
    key = fields.String(required=True)


class Row2021Out(ma.Schema):
    label = fields.String(required=True)
    values = fields.List(fields.Integer(), required=True, allow_none=True)
    key = fields.String(required=True, allow_none=True, metadata={"description": "null for a heading"})


class AppealGroupOut(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(APPEAL_KINDS)))
    heading = fields.String(required=True)
    label = fields.String(required=True)
    values = fields.List(fields.Integer(), required=True)


class SectionFourOut(ma.Schema):
    title = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    groups = fields.List(fields.Nested(AppealGroupOut), required=True)


class PerformanceFiguresOut(ma.Schema):
    code = fields.String()
    label = fields.String()
    replies = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    on_the_spot = fields.Integer(required=True)
    mean_days = fields.Float(required=True, allow_none=True)
    median_days = fields.Float(required=True, allow_none=True)


class PerformanceOut(ma.Schema):
    overall = fields.Nested(PerformanceFiguresOut, required=True)
    by_channel = fields.List(fields.Nested(PerformanceFiguresOut), required=True)
    by_outcome = fields.List(fields.Nested(PerformanceFiguresOut), required=True)


class ChartItemOut(ma.Schema):
    label = fields.String(required=True)
    value = fields.Integer(required=True)


class SnapshotOut(ma.Schema):
    id = fields.Integer(required=True)
    agency = fields.String(required=True)
    year = fields.Integer(required=True)
    form = fields.String(required=True)
    revision = fields.Integer(required=True)
    checksum = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True, allow_none=True)
    signed_off_by = fields.String(required=True, allow_none=True)
    signed_off_at = fields.DateTime(required=True, allow_none=True)


class DifferenceOut(ma.Schema):
    label = fields.String(required=True)
    column = fields.String(required=True)
    snapshot = fields.Integer(required=True, allow_none=True)
    current = fields.Integer(required=True, allow_none=True)


class SnapshotStatusOut(ma.Schema):
    agency = fields.String(required=True)
    agency_name = fields.String(required=True)
    snapshot = fields.Nested(SnapshotOut, required=True, allow_none=True)
    current_checksum = fields.String()
    data_changed = fields.Boolean()
    differences = fields.List(fields.Nested(DifferenceOut))


class EnquiryChannelOut(ma.Schema):
    answered = fields.Integer(required=True)
    referred = fields.Integer(required=True)


class EnquiriesOut(ma.Schema):
    """The year's enquiries (the enquiry log): by channel, those giving service information, answered or
    referred, per month."""

    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Nested(EnquiryChannelOut), required=True)
    referred = fields.Integer(required=True)
    monthly = fields.List(fields.Integer(), required=True)


class AnnexTwoOut(ma.Schema):
    """Form 2013: `rows` of {label, unit, value}. Form 2021: `columns` and `rows` of {label, values}
    (null for a heading), and `review_litigation` (section 四). Both: the figures beyond the form."""

    form = fields.String(required=True, validate=validate.OneOf(list(reports.FORMS)))
    year = fields.Integer(required=True)
    agencies = fields.List(fields.String(), required=True)
    agency_names = fields.List(fields.String(), required=True)
    title = fields.String(required=True)
    rows = fields.Method("dump_rows", required=True)
    columns = fields.List(fields.String(), metadata={"description": "form 2021"})
    corner_note = fields.String(metadata={"description": "form 2021"})
    review_litigation = fields.Nested(SectionFourOut, metadata={"description": "form 2021: section 四"})
    performance = fields.Nested(PerformanceOut, required=True)
    outcome_chart = fields.List(fields.Nested(ChartItemOut), required=True)
    monthly_intake = fields.List(fields.Integer(), required=True)
    snapshots = fields.List(fields.Nested(SnapshotStatusOut), required=True)
    enquiries = fields.Nested(EnquiriesOut, metadata={"description": "JSON and HTML: the year's enquiries"})

    def dump_rows(self, report: dict[str, Any]) -> Any:
        schema = Row2013Out if report["form"] == "2013" else Row2021Out
        return schema(many=True).dump(report["rows"])


def file_response(file: Export, *, html: bool) -> Response:
    response = Response(file.body, content_type=file.content_type)
    disposition = "inline" if html else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if html:
        # Nothing is fetched from anywhere: the styles and the SVG charts are inline.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'"
        )
    return response
