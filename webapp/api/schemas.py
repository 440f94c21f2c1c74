"""The API's request and response schemas: they validate what comes in and generate the OpenAPI document."""

from __future__ import annotations

import re

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from webapp.domain.queue import SORTS
from webapp.domain.release import MAX_PART, PURPOSES
from webapp.domain.requests import ACTION_SPECS, MAX_TEXT
from webapp.domain.requests.actions.spec import BOOLEAN, IDS, INTEGER, NUMBER, PARTS, STAFF_EMAIL, TEXT, Field
from webapp.domain.states import (
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY,
    ID_KINDS,
    NOTICES,
    STAFF_ACTIONS,
    Status,
)
from webapp.models.document import DOCUMENT_KINDS

STATUSES = [s.value for s in Status]


# NUL, which PostgreSQL text cannot hold, and unpaired surrogates (JSON's "\ud800"), which UTF-8 cannot encode
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable(value: str) -> None:
    if UNSTORABLE.search(value):
        raise ma.ValidationError("Contains a character that is not allowed.")


def text(limit: int, *, required: bool = False, **kwargs: object) -> fields.String:
    """A string of at most `limit` characters that the database can store; a required one may not be empty."""
    length = validate.Length(min=1 if required else 0, max=limit)
    return fields.String(validate=[length, storable], required=required, **kwargs)  # type: ignore[arg-type]


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


# -- input ----------------------------------------------------------------------------------------


class ApplicantIn(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(list(APPLICANT_TYPES)))
    name = text(200, required=True)
    id_kind = fields.String(validate=validate.OneOf(list(ID_KINDS)), allow_none=True)
    id_number = text(40, allow_none=True)
    phone = text(40, allow_none=True)
    email = text(254, allow_none=True)
    address = text(500, allow_none=True)


class RequestIn(StrictSchema):
    agency = text(32, required=True)
    applicant = fields.Nested(ApplicantIn, required=True)
    description = text(MAX_TEXT, required=True)
    document_number = text(200, allow_none=True)
    purpose = text(MAX_TEXT, allow_none=True)
    delivery = fields.String(required=True, validate=validate.OneOf(list(DELIVERY)))
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    received_on = fields.Date()
    late_reason = text(1000, allow_none=True)


def _action_field(declared: list[Field]) -> fields.Field:
    """One property of ActionIn for a field name the actions declare (webapp/domain/requests/actions/):
    the kind they agree on, the longest limit, every choice, and which actions take it."""
    kinds = {f.kind for f in declared}
    doc = "; ".join(f"{f.action}: {f.doc}" if f.doc else f.action for f in declared)
    metadata = {"description": doc}
    assert len(kinds) == 1, f"actions disagree on the kind of {declared[0].name}"  # noqa: S101
    kind = kinds.pop()
    if kind in (TEXT, STAFF_EMAIL):
        return text(max(f.limit or MAX_TEXT for f in declared), metadata=metadata)
    if kind == INTEGER:
        return fields.Integer(strict=True, metadata=metadata)
    if kind == NUMBER:
        return fields.Float(allow_nan=False, metadata=metadata)
    if kind == IDS:
        limit = max(f.limit or 0 for f in declared)
        return fields.List(
            fields.Integer(strict=True), validate=validate.Length(max=limit), metadata=metadata
        )
    if kind == BOOLEAN:
        return fields.Boolean(metadata=metadata)
    choices = sorted(set().union(*(f.choices for f in declared)))
    if kind == PARTS:
        part: dict[str, fields.Field] = {
            "part": text(MAX_PART, required=True, metadata={"description": "what is withheld"}),
            "basis": fields.String(
                required=True, validate=validate.OneOf(choices), metadata={"description": "why"}
            ),
        }
        entry = StrictSchema.from_dict(part, name="WithheldPartIn")
        limit = max(f.limit or 0 for f in declared)
        return fields.List(fields.Nested(entry), validate=validate.Length(max=limit), metadata=metadata)
    return fields.String(validate=validate.OneOf(choices), metadata=metadata)


def _action_schema() -> type[ma.Schema]:
    """The body of POST /requests/<n>/actions, derived from the actions' own descriptions: the action's
    name, the common fields, and every field some staff action declares."""
    declared: dict[str, list[Field]] = {}
    for spec in ACTION_SPECS.values():
        if spec.staff:
            for f in spec.fields:
                declared.setdefault(f.name, []).append(f)
    common: dict[str, fields.Field] = {
        "action": fields.String(required=True, validate=validate.OneOf(sorted(STAFF_ACTIONS))),
        "on": fields.Date(metadata={"description": "the day the act took effect (default today)"}),
        "version": fields.Integer(
            metadata={"description": "refuse with 409 conflict if the request changed since"}
        ),
        "document_text": text(
            20000,
            metadata={
                "description": "actions that send a document to the applicant ("
                + ", ".join(sorted(n for n, s in ACTION_SPECS.items() if s.staff and s.sends_document))
                + "): the document's text as edited by the officer, sent and frozen instead of the "
                "generated one (omit to send the generated text)"
            },
        ),
    }
    own = {name: _action_field(declared[name]) for name in sorted(declared)}
    return StrictSchema.from_dict(common | own, name="ActionIn")


ActionIn = _action_schema()


class CorrectionIn(StrictSchema):
    text = text(MAX_TEXT, required=True)


class WithdrawIn(StrictSchema):
    reason = text(MAX_TEXT, allow_none=True)


class UploadIn(ma.Schema):
    file = Upload(required=True)


class UploadFormIn(StrictSchema):
    purpose = fields.String(
        load_default="application",
        validate=validate.OneOf(PURPOSES),
        metadata={"description": "`release` (staff only): information to release with the reply"},
    )


class RedactionIn(StrictSchema):
    attachment = fields.Integer(required=True, strict=True, metadata={"description": "a PDF of the request"})
    texts = fields.List(
        text(1000, required=True),
        validate=validate.Length(max=200),
        metadata={"description": "passages to remove, as they read in the PDF"},
    )
    pii = fields.Boolean(
        load_default=False,
        metadata={"description": "also every ID number, phone number and e-mail address found in it"},
    )


class RedactionOut(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "the new attachment (purpose release)"})
    removed = fields.Integer(required=True, metadata={"description": "passages removed"})


class QueueArgs(StrictSchema):
    agency = text(32)
    status = fields.String(validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean()
    due_soon = fields.Boolean(metadata={"description": "due within the due-soon working days, not overdue"})
    due_before = fields.Date(metadata={"description": "due strictly before this day"})
    assignee = text(254, metadata={"description": "an officer's email, `me`, or `none` (nobody assigned)"})
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    applicant_type = fields.String(validate=validate.OneOf(list(APPLICANT_TYPES)))
    received_from = fields.Date(metadata={"description": "received on or after this day"})
    received_to = fields.Date(metadata={"description": "received on or before this day"})
    q = text(100, metadata={"description": "a tracking number, words of the applicant's name or the request"})
    sort = fields.String(
        load_default="due_on",
        validate=validate.OneOf(list(SORTS)),
        metadata={"description": "ties broken by due_on, then received_on, then tracking number"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = text(200)


# -- output ---------------------------------------------------------------------------------------


class ErrorBody(ma.Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")


class ErrorOut(ma.Schema):
    error = fields.Nested(ErrorBody, required=True)


class SubmittedOut(ma.Schema):
    tracking_number = fields.String(required=True)
    access_code = fields.String(required=True)
    status = fields.String(required=True)
    received_on = fields.Date(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    due_provisional = fields.Boolean(required=True)
    rules = fields.String(required=True, validate=validate.OneOf(["2008", "2019"]))
    due_explanation = fields.List(fields.Nested("StepOut"), required=True)


class EventOut(ma.Schema):
    at = fields.DateTime(required=True)
    on = fields.Date(required=True)
    type = fields.String(required=True)
    note = fields.String(required=True)
    actor = fields.String(allow_none=True, metadata={"description": "staff view only"})
    internal = fields.Boolean(metadata={"description": "staff view only"})
    data = fields.Dict(metadata={"description": "staff view only"})
    token = fields.Nested(
        "EventTokenOut",
        allow_none=True,
        metadata={"description": "staff view only: the bearer token the actor used, null on the pages"},
    )


class EventTokenOut(ma.Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    issued_by = fields.String(
        required=True, allow_none=True, metadata={"description": "the issuer's e-mail; null: command line"}
    )
    via = fields.String(required=True, metadata={"description": "经 X 签发的令牌"})


class DayNameOut(ma.Schema):
    date = fields.String(required=True, metadata={"format": "date"})
    name = fields.String(required=True)


class StepOut(ma.Schema):
    kind = fields.String(required=True)
    start = fields.String(required=True, data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    working_days = fields.Integer(required=True)
    holidays_skipped = fields.List(fields.Nested(DayNameOut), required=True)
    makeup_workdays = fields.List(fields.Nested(DayNameOut), required=True)
    text = fields.String(required=True)


class ApplicantOut(ma.Schema):
    type = fields.String(required=True)
    name = fields.String(required=True)
    id_kind = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class AttachmentOut(ma.Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    url = fields.String(required=True)
    purpose = fields.String(metadata={"description": "staff view: application or release"})
    pages = fields.Integer(allow_none=True, metadata={"description": "staff view: pages, where counted"})
    released_on = fields.Date(allow_none=True, metadata={"description": "staff view: released by the reply"})


class ReleasedOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "the file, to the same access code"})
    pages = fields.Integer(allow_none=True)
    size = fields.Integer(required=True)


class DeliveryOut(ma.Schema):
    delivered = fields.Boolean(required=True)
    on = fields.Date(required=True, allow_none=True)
    how = fields.String(
        required=True, allow_none=True, metadata={"description": "online, email, post, pickup"}
    )
    detail = fields.String(required=True, metadata={"description": "carrier and number; who collected it"})


class DocumentOut(ma.Schema):
    id = fields.String(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf([k for k in DOCUMENT_KINDS if k in NOTICES.values()]),
        metadata={
            "description": "the applicant's notices (the letter to a consulted third party is not listed)"
        },
    )
    title = fields.String(required=True)
    number = fields.String(required=True, metadata={"description": "the agency's document number"})
    on = fields.Date(required=True, metadata={"description": "the document's date (its event's day)"})
    created_at = fields.DateTime(required=True)
    pdf = fields.String(required=True, metadata={"description": "URL of the PDF as it was sent"})


class DocumentsOut(ma.Schema):
    items = fields.List(fields.Nested(DocumentOut), required=True)


class ReferredAgencyOut(ma.Schema):
    name = fields.String(required=True)
    address = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)


class RequestSummaryOut(ma.Schema):
    tracking_number = fields.String(required=True)
    agency = fields.String(required=True)
    agency_name = fields.String(required=True)
    channel = fields.String(required=True)
    applicant_type = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    received_on = fields.Date(required=True)
    rules = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    due_provisional = fields.Boolean(required=True)
    overdue = fields.Boolean(required=True)
    remaining_days = fields.Integer(allow_none=True, metadata={"description": "while the clock is stopped"})
    wait_ends_on = fields.Date(allow_none=True, metadata={"description": "when a pause ends by itself"})
    extended_days = fields.Integer(required=True)
    outcome = fields.String(required=True, allow_none=True)
    finished_on = fields.Date(required=True, allow_none=True)
    referred_agency = fields.Nested(
        ReferredAgencyOut,
        allow_none=True,
        metadata={"description": "reply: the agency that holds the information and its contact (Art. 36(5))"},
    )
    version = fields.Integer(required=True)
    due_explanation = fields.List(fields.Nested(StepOut), required=True)
    description = fields.String(metadata={"description": "staff view only"})
    applicant = fields.Nested(ApplicantOut, metadata={"description": "staff view only"})
    assignee = fields.String(allow_none=True, metadata={"description": "staff view only"})
    allowed_actions = fields.List(fields.String(), metadata={"description": "staff view only"})


class FeeOut(ma.Schema):
    """The information processing fee (docs/api.md §Fees): the latest fee notice and its payment."""

    basis = fields.String(required=True, validate=validate.OneOf(["per_request", "per_page"]))
    count_in_month = fields.Integer(
        metadata={
            "description": "per_request: this request's (first) place among the applicant's requests "
            "of the month"
        }
    )
    split_into = fields.Integer(
        metadata={
            "description": "per_request: the items the request was split into (一事一申请), 1 unless split"
        }
    )
    pages = fields.Integer(metadata={"description": "per_page: the pages provided"})
    computed_yuan = fields.Float(
        required=True, metadata={"description": "the fee as the standard computes it"}
    )
    amount_yuan = fields.Float(
        required=True, metadata={"description": "the fee asked (at most computed_yuan)"}
    )
    reduction_reason = fields.String(metadata={"description": "why less than computed_yuan is asked"})
    requested_on = fields.Date(required=True, metadata={"description": "the fee notice's day"})
    paid_on = fields.Date(required=True, allow_none=True, metadata={"description": "the payment's day"})
    paid_yuan = fields.Float(metadata={"description": "the amount paid"})
    receipt_number = fields.String(metadata={"description": "the fiscal receipt's (财政票据) number"})


class RequestOut(RequestSummaryOut):
    fee = fields.Nested(
        FeeOut, allow_none=True, metadata={"description": "staff view only; null: no fee asked"}
    )
    events = fields.List(fields.Nested(EventOut), required=True)
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)
    released = fields.List(
        fields.Nested(ReleasedOut), required=True, metadata={"description": "the files the reply released"}
    )
    published_where = fields.String(
        allow_none=True, metadata={"description": "where information already published is to be had"}
    )
    delivery = fields.Nested(
        DeliveryOut, required=True, metadata={"description": "whether the answer arrived"}
    )


class QueueOut(ma.Schema):
    items = fields.List(fields.Nested(RequestSummaryOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
