"""A new request: validated, numbered and written with its `submitted` event, its notice and its receipt
(受理回执) in the caller's transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, bindparam, select, text
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain import documents
from webapp.domain.access_codes import hash_secret, new_access_code, normalise_access_code
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.dates import cn_date
from webapp.domain.deadlines import compute, rules_for
from webapp.domain.errors import Forbidden, ValidationError
from webapp.domain.requests.fields import Applicant, check_date, validate_applicant
from webapp.domain.requests.fields import text as text_field
from webapp.domain.requests.late import (
    MAX_LATE_REASON,
    REASON_WITHIN_DAYS,
    LateRegistration,
    late_registration,
)
from webapp.domain.sms import SMS_KIND, mobile_digits
from webapp.domain.states import CHANNELS, DELIVERY, NOTICES, Status
from webapp.domain.tokens import acting_token_id
from webapp.i18n import _l
from webapp.models import Agency, Event, Request, User
from webapp.models.base import Base
from webapp.models.document import DocumentSettings


@dataclass(frozen=True)
class Submitted:
    """A request just recorded by `intake()`: what its submitter is answered."""

    id: int
    tracking_number: str
    access_code: str  # shown once; stored only hashed
    status: str
    received_on: dt.date
    rules: str
    due_on: dt.date | None
    due_provisional: bool
    due_explanation: list[dict[str, object]]


# An intake is the platform's busiest write (bench/intake.py). Its statements are Core, built once, and on
# PostgreSQL it is two of them: one reads the agency, its document settings and the calendar's revision
# stamp while advancing the two counters (tracking number, document number); one writes the request, its
# `submitted` event, the outbox notice and the receipt (data-modifying CTEs). The ORM's unit of work and
# the seven separate statements it replaces cost several times as much (bench/RESULTS.md, intake).
# Elsewhere (SQLite) the same reads and writes run one statement each.
_T = Base.metadata.tables
_SETTINGS_COLUMNS = tuple(
    c.name for c in _T["document_settings"].c if c.name not in ("agency_id", "updated_at")
)

_RESERVE_PG = text(
    """
    WITH a AS (SELECT id, code, name FROM agencies WHERE code = :code),
    t AS (
        INSERT INTO tracking_counters (agency_id, year, last) SELECT id, :year, 1 FROM a
        ON CONFLICT (agency_id, year) DO UPDATE SET last = tracking_counters.last + 1 RETURNING last
    ),
    d AS (
        INSERT INTO document_counters (agency_id, year, last) SELECT id, :year, 1 FROM a
        ON CONFLICT (agency_id, year) DO UPDATE SET last = document_counters.last + 1 RETURNING last
    )
    SELECT a.id, a.code, a.name, t.last AS tracking_serial, d.last AS document_serial,
        (SELECT stamp FROM calendar_revision) AS calendar_stamp, s.agency_id AS settings_of,
        s.letterhead, s.short_name, s.number_scheme, s.seal_text, s.address, s.postal_code, s.phone,
        s.email, s.contact_person, s.review_body, s.court, s.fee_payment, s.overrides
    FROM a CROSS JOIN t CROSS JOIN d LEFT JOIN document_settings s ON s.agency_id = a.id
    """
).columns(overrides=JSON)
_AGENCY_WITH_SETTINGS = (
    select(
        _T["agencies"].c.id,
        _T["agencies"].c.code,
        _T["agencies"].c.name,
        _T["document_settings"].c.agency_id.label("settings_of"),
        *(_T["document_settings"].c[c] for c in _SETTINGS_COLUMNS),
    )
    .select_from(_T["agencies"])
    .outerjoin(_T["document_settings"], _T["document_settings"].c.agency_id == _T["agencies"].c.id)
    .where(_T["agencies"].c.code == bindparam("code"))
)


def _insert_all_pg() -> Any:
    """One statement writing the four rows, each passed as one JSON object (json_populate_record takes
    each column's value by name, typed by the table): four parameters instead of sixty."""

    def columns(table: str, *skip: str) -> str:
        return ", ".join(f'"{c.name}"' for c in _T[table].c if c.name not in ("id", *skip))

    req, ev = columns("requests"), columns("request_events", "request_id")
    notice, doc = columns("outbox", "request_id"), columns("documents", "request_id", "event_id")
    return text(
        f"""
        WITH r AS (
            INSERT INTO requests ({req})
            SELECT {req} FROM json_populate_record(NULL::requests, CAST(:request AS JSON))
            RETURNING id
        ),
        e AS (
            INSERT INTO request_events (request_id, {ev})
            SELECT r.id, {ev} FROM r, json_populate_record(NULL::request_events, CAST(:event AS JSON))
            RETURNING id, request_id
        ),
        o AS (
            INSERT INTO outbox (request_id, {notice})
            SELECT r.id, {notice} FROM r, json_populate_recordset(NULL::outbox, CAST(:notices AS JSON))
        ),
        d AS (
            INSERT INTO documents (request_id, event_id, {doc})
            SELECT e.request_id, e.id, {doc} FROM e, json_populate_record(NULL::documents, CAST(:doc AS JSON))
        )
        SELECT id FROM r
        """  # noqa: S608 -- the column names are the models' own
    )


def _json(values: dict[str, Any] | list[dict[str, Any]]) -> str:
    return json.dumps(values, ensure_ascii=False, default=lambda v: v.isoformat())


_INSERT_ALL_PG = _insert_all_pg()
_INSERT_REQUEST = _T["requests"].insert().returning(_T["requests"].c.id)
_INSERT_EVENT = _T["request_events"].insert().returning(_T["request_events"].c.id)
_INSERT_NOTICE = _T["outbox"].insert()
_INSERT_DOCUMENT = _T["documents"].insert()


@dataclass(frozen=True)
class _Reserved:
    agency: Agency  # transient: id, code and name only
    settings: DocumentSettings  # transient: the stored settings or the defaults
    tracking_serial: int
    document_serial: int
    calendar_stamp: str | None  # None: current_calendar() reads it


def _reserve(session: Session, code: str, year: int) -> _Reserved | None:
    """The agency of `code` with its document settings, and the year's next tracking and document
    serials; None for an unknown code. Each serial comes from a per-agency, per-year counter row advanced
    by `INSERT … ON CONFLICT DO UPDATE … RETURNING`, which stays locked to the end of the transaction:
    concurrent intakes queue on it and never share a number (tracking numbers AGENCY-YEAR-NNNNNN)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        row = conn.execute(_RESERVE_PG, {"code": code, "year": year}).mappings().first()
        if row is None:
            return None
        serials = (row["tracking_serial"], row["document_serial"], row["calendar_stamp"])
    else:
        row = conn.execute(_AGENCY_WITH_SETTINGS, {"code": code}).mappings().first()
        if row is None:
            return None
        params = {"agency_id": row["id"], "year": year, "last": 1}
        serials = (
            conn.execute(documents.counter_upsert(session, _T["tracking_counters"]), params).scalar_one(),
            conn.execute(documents.counter_upsert(session, _T["document_counters"]), params).scalar_one(),
            None,
        )
    agency = Agency(id=row["id"], code=row["code"], name=row["name"])
    if row["settings_of"] is None:
        settings = documents.default_settings(agency)
    else:
        settings = DocumentSettings(agency_id=agency.id, **{c: row[c] for c in _SETTINGS_COLUMNS})
    return _Reserved(agency, settings, *serials)


def _write(
    session: Session,
    row: dict[str, Any],
    event: dict[str, Any],
    notices: list[dict[str, Any]],
    doc: dict[str, Any],
) -> int:
    """Insert the request, its event, its notices (e-mail, and SMS to a mobile number) and its receipt;
    returns the request's id."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params = {"request": _json(row), "event": _json(event), "notices": _json(notices), "doc": _json(doc)}
        return int(conn.execute(_INSERT_ALL_PG, params).scalar_one())
    request_id = int(conn.execute(_INSERT_REQUEST, row).scalar_one())
    event_id = conn.execute(_INSERT_EVENT, {**event, "request_id": request_id}).scalar_one()
    conn.execute(_INSERT_NOTICE, [{**notice, "request_id": request_id} for notice in notices])
    conn.execute(_INSERT_DOCUMENT, {**doc, "request_id": request_id, "event_id": event_id})
    return request_id


def intake_errors(
    *,
    applicant: Applicant,
    description: str,
    delivery: str,
    today: dt.date,
    channel: str = "online",
    received_on: dt.date | None = None,
    registered: bool = False,
    document_number: str | None = None,
    purpose: str | None = None,
    by_platform: bool = False,
    late: LateRegistration | None = None,
    late_reason: str | None = None,
    require_late_reason: bool = True,
) -> dict[str, Any]:
    """Every field error of a request about to be recorded, all at once, writing nothing: what `intake()`
    refuses, and what a page shows beside its inputs together with its form's own errors."""
    errors: dict[str, Any] = {}
    if channel not in CHANNELS:
        errors["channel"] = _l("未知的申请渠道")
    if not registered and channel != "online" and not by_platform:
        errors["channel"] = _l("公众提交的申请渠道只能是网上申请")
    if received_on is None:
        if channel != "online":
            errors["received_on"] = _l("非网上渠道须填写收到申请之日")
    else:
        check_date(errors, "received_on", received_on, today)
    if delivery not in DELIVERY:
        errors["delivery"] = _l("未知的获取信息方式")
    validate_applicant(errors, applicant, delivery, identity_required=not by_platform)
    text_field(errors, "description", description, required=True)
    text_field(errors, "document_number", document_number, required=False, limit=200)
    text_field(errors, "purpose", purpose, required=False)
    reason = text_field(errors, "late_reason", late_reason, required=False, limit=MAX_LATE_REASON)
    if late is not None and late.needs_reason and require_late_reason and not reason:
        errors.setdefault(
            "late_reason",
            _l("答复期限已过或只剩%(days)s个工作日以内，请说明延迟登记的原因", days=REASON_WITHIN_DAYS),
        )
    return errors


def intake(
    session: Session,
    *,
    agency: str,
    applicant: Applicant,
    description: str,
    delivery: str,
    now: dt.datetime,
    channel: str = "online",
    received_on: dt.date | None = None,
    registered_by: User | None = None,
    document_number: str | None = None,
    purpose: str | None = None,
    by_platform: bool = False,
    late_reason: str | None = None,
    require_late_reason: bool = True,
) -> Submitted:
    """Record a new request for the agency of code `agency`: the request, its `submitted` event, the
    receipt (受理回执) and its notice in the outbox, in the caller's transaction. Validates first and
    writes nothing on a field error; an officer registers for their own agencies only.

    `by_platform`: registered by the workers themselves (the email channel), with no officer.
    `late_reason`: why a request received before today is registered only now (docs/rules.md §Late
    registration), recorded in its history. A staff registration of a request whose due date is past or
    within REASON_WITHIN_DAYS working days is refused without one (`late_reason` named), whichever door it
    comes through — the registration page and POST /api/v1/requests alike; `require_late_reason=False`
    only seeds requests of the past (the demo data, the tests' factories)."""
    session.flush()  # what this transaction has pending (an admin's settings, say) counts: Core reads next
    today = china_today(now)
    late = None
    if registered_by is not None and isinstance(received_on, dt.date) and received_on < today:
        with contextlib.suppress(ValueError):  # a date outside the calendar is refused below
            late = late_registration(current_calendar(session), received_on, today)
    errors = intake_errors(
        applicant=applicant,
        description=description,
        delivery=delivery,
        today=today,
        channel=channel,
        received_on=received_on,
        registered=registered_by is not None,
        document_number=document_number,
        purpose=purpose,
        by_platform=by_platform,
        late=late,
        late_reason=late_reason,
        require_late_reason=require_late_reason,
    )
    if errors:
        raise ValidationError(_l("申请内容有误，请检查标出的字段"), errors)
    received_on = received_on or today
    applicant = validate_applicant({}, applicant, delivery, identity_required=not by_platform)
    desc = text_field({}, "description", description, required=True)
    doc_no = text_field({}, "document_number", document_number, required=False, limit=200)
    purpose_text = text_field({}, "purpose", purpose, required=False)
    reason = text_field({}, "late_reason", late_reason, required=False, limit=MAX_LATE_REASON)

    reserved = _reserve(session, agency, received_on.year)
    if reserved is None:
        raise ValidationError(_l("输入有误，请检查标出的字段"), {"agency": _l("未知机关")})
    if registered_by is not None and not authz.may_register_for(registered_by, reserved.agency):
        raise Forbidden(_l("只能为本机关登记申请"), {"agency": _l("不是您所属的机关")})
    rules = rules_for(received_on)
    cal = current_calendar(session, stamp=reserved.calendar_stamp)
    clock = compute(rules, received_on, [], cal)
    code = new_access_code()
    row: dict[str, Any] = {
        "tracking_number": f"{reserved.agency.code}-{received_on.year}-{reserved.tracking_serial:06d}",
        "access_code_hash": hash_secret(normalise_access_code(code)),
        "agency_id": reserved.agency.id,
        "channel": channel,
        "received_on": received_on,
        "registered_by_id": registered_by.id if registered_by else None,
        "assignee_id": None,
        "applicant_type": applicant.type,
        "applicant_name": applicant.name,
        "applicant_id_kind": applicant.id_kind,
        "applicant_id_number": applicant.id_number,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
        "description": desc,
        "document_number": doc_no,
        "purpose": purpose_text,
        "delivery": delivery,
        "rules": rules.code,
        "status": Status.RECEIVED.value,
        "due_on": clock.due_on,
        "due_provisional": clock.provisional,
        "remaining_days": clock.remaining_days,
        "wait_ends_on": clock.wait_ends_on,
        "extended_days": 0,
        "correction_requested": False,
        "outcome": None,
        "finished_on": None,
        "referred_agency": None,
        "referred_agency_address": None,
        "referred_agency_phone": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    event: dict[str, Any] = {
        "seq": 1,
        "type": "submitted",
        "on": received_on,
        "at": now,
        "actor_id": row["registered_by_id"],
        "actor_name": (registered_by.name or registered_by.email) if registered_by else None,
        "token_id": acting_token_id(session, registered_by),
        "from_status": None,
        "to_status": Status.RECEIVED.value,
        "note": f"通过{CHANNELS[channel]}渠道收到申请",
        "public": True,
        "data": {"channel": channel},
    }
    if late is not None:
        event["note"] += f"；{cn_date(today)}登记，登记时已过{late.days_used}个工作日"
        event["data"].update(registered_on=today.isoformat(), working_days_used=late.days_used)
    if reason:
        event["note"] += f"；延迟登记原因：{reason}"
        event["data"]["late_reason"] = reason
    notice = {
        "kind": "notice",
        "delivery_key": f"notice:{row['tracking_number']}:1",
        "payload": {"notice": NOTICES["submitted"], "event_seq": 1},
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }
    # The receipt is drafted from the request as it will be stored (transient objects, never added).
    drafted = Request(**row)
    drafted.agency = reserved.agency
    receipt = documents.compose(
        session,
        drafted,
        Event(**event),
        now=now,
        actor=registered_by,
        settings=reserved.settings,
        serial=reserved.document_serial,
    )
    assert receipt is not None  # noqa: S101 -- every submission sends a receipt (states.NOTICES)
    notices = [notice]
    if mobile_digits(row["applicant_phone"] or ""):  # its SMS form (webapp/domain/sms.py)
        key = f"sms:{row['tracking_number']}:1"
        notices.append(notice | {"kind": SMS_KIND, "delivery_key": key})
    request_id = _write(session, row, event, notices, receipt)
    return Submitted(
        id=request_id,
        tracking_number=row["tracking_number"],
        access_code=code,
        status=row["status"],
        received_on=received_on,
        rules=rules.code,
        due_on=clock.due_on,
        due_provisional=clock.provisional,
        due_explanation=[step.as_dict() for step in clock.steps],
    )


def submit(session: Session, *, agency: Agency, **kwargs: Any) -> tuple[Request, str]:
    """`intake()` for `agency`, and the request it recorded as an ORM object, with its access code (shown
    once)."""
    done = intake(session, agency=agency.code, **kwargs)
    req = session.get(Request, done.id)
    assert req is not None  # noqa: S101 -- written just now in this transaction
    return req, done.access_code
