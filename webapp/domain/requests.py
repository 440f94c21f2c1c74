"""The request's life (docs/rules.md §Intake, §Lifecycle): the only code that changes a status.

Every function here validates first, then changes the request, appends its history event, stores the
recomputed clock and queues side effects in the outbox, all in the caller's transaction. It flushes and
never commits: the route or task that called it commits once, or rolls everything back.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, bindparam, exists, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from webapp import authz
from webapp.domain import documents
from webapp.domain.calendar import WorkCalendar, china_today, current_calendar
from webapp.domain.contact import check_email, check_phone
from webapp.domain.deadlines import EARLIEST_RECEIVED_ON, RULES, ClockEvent, compute, rules_for
from webapp.domain.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from webapp.domain.identity import id_number_error, normalise_id_number
from webapp.domain.states import (
    ACTION_LABELS,
    APPLICANT_TYPES,
    CHANNELS,
    CLOSURE_OUTCOMES,
    DELIVERY,
    ID_KINDS,
    NOTICES,
    REPLY_OUTCOMES,
    STATUS_LABELS,
    TRANSITIONS,
    UNFINISHED,
    Status,
    allowed_actions,
)
from webapp.domain.tokens import acting_token_id
from webapp.i18n import _l
from webapp.models import (
    Agency,
    Attachment,
    CalendarOverride,
    CalendarYear,
    Event,
    OutboxMessage,
    Request,
    User,
)
from webapp.models.base import Base
from webapp.models.document import DocumentSettings

MAX_TEXT = 5000
MAX_CORRECTION_PERIOD = 30
ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
# 16 characters of 32: 32^16 = 2^80 ≈ 1.2 × 10^24 codes. With RATELIMIT_TRACKING's default of 100 wrong
# tries a day per IP (webapp/security.py), one IP tries 36,500 codes a year: a chance of about 3 × 10^-20
# of hitting a given request's code; a million IPs for a year, below 10^-13. Long enough: not lengthened.
ACCESS_CODE_LENGTH = 16  # 80 bits
_TO_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ACCESS_CODE_ALPHABET)

# The event each action writes, and the notice (docs/rules.md §Lifecycle) the applicant is sent for it.
EVENT_TYPES = {
    "submit": "submitted",
    "accept": "accepted",
    "request_correction": "correction_requested",
    "receive_correction": "correction_received",
    "start_consultation": "consultation_started",
    "end_consultation": "consultation_ended",
    "request_fee": "fee_requested",
    "receive_fee": "fee_received",
    "extend": "extended",
    "propose_extension": "extension_proposed",
    "decline_extension": "extension_declined",
    "reply": "replied",
    "assign": "assigned",
    "comment": "commented",
    "close": "closed",
    "withdraw": "withdrawn",
}
INTERNAL_EVENTS = frozenset({"assigned", "commented", "extension_proposed", "extension_declined"})
# Events that do not move the request's own dates: an action's `on` may precede them.
UNDATED_EVENTS = frozenset(
    {
        "assigned",
        "commented",
        "due_recomputed",
        "attachment_added",
        "extension_proposed",
        "extension_declined",
        "appeal_recorded",
        "appeal_decided",
    }
)
# The events that open and settle an extension proposal: the latest of them tells whether one is pending.
EXTENSION_EVENTS = ("extension_proposed", "extension_declined", "extended")


@dataclass(frozen=True)
class Applicant:
    type: str
    name: str
    id_kind: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


# -- access codes and tracking numbers ------------------------------------------------------------


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_access_code() -> str:
    # 10 random bytes are exactly 16 base-32 digits, spelled in our alphabet (one letter for one letter)
    raw = base64.b32encode(secrets.token_bytes(ACCESS_CODE_LENGTH * 5 // 8)).decode().translate(_TO_ALPHABET)
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalise_access_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def access_code_matches(req: Request, code: str) -> bool:
    candidate = hash_secret(normalise_access_code(code))
    return hmac.compare_digest(candidate, req.access_code_hash)


# -- validation helpers ---------------------------------------------------------------------------


def _text(
    errors: dict[str, Any], field: str, value: Any, *, required: bool, limit: int = MAX_TEXT
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = _l("必填")
        return None
    if not isinstance(value, str):
        errors[field] = _l("应为文本")
        return None
    if len(value) > limit:
        errors[field] = _l("不能超过%(limit)s个字符", limit=limit)
        return None
    return value.strip()


def _check_date(errors: dict[str, Any], field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        errors[field] = _l("日期不能晚于今天")
    elif day < EARLIEST_RECEIVED_ON:
        errors[field] = _l("日期不能早于2008年5月1日（《条例》施行之日）")


def _validate_applicant(errors: dict[str, Any], a: Applicant) -> Applicant:
    if a.type not in APPLICANT_TYPES:
        errors["applicant.type"] = _l("未知的申请人类型")
    name = _text(errors, "applicant.name", a.name, required=True, limit=200)
    id_kind, id_number = a.id_kind, normalise_id_number(a.id_number or "") or None
    if id_number and not id_kind:
        id_kind = "resident_id" if a.type == "natural_person" else "credit_code"
    if id_kind is not None and id_kind not in ID_KINDS:
        errors["applicant.id_kind"] = _l("未知的证件类型")
    elif id_kind and id_number:
        problem = id_number_error(id_kind, id_number)
        if problem:
            errors["applicant.id_number"] = problem
    email = _text(errors, "applicant.email", a.email, required=False, limit=254)
    if email:
        email, bad_email = check_email(email)
        if bad_email:
            errors["applicant.email"] = bad_email
    phone = _text(errors, "applicant.phone", a.phone, required=False, limit=40)
    if phone:
        phone, bad_phone = check_phone(phone)
        if bad_phone:
            errors["applicant.phone"] = bad_phone
    address = _text(errors, "applicant.address", a.address, required=False, limit=500)
    if not (email or phone or address):
        errors["applicant"] = _l("请至少提供一种联系方式（电话、电子邮箱或通信地址）")
    return Applicant(a.type, name or "", id_kind if id_number else None, id_number, phone, email, address)


# -- the clock ------------------------------------------------------------------------------------


def clock_events(events: list[Event]) -> list[ClockEvent]:
    """The events that move the due date, in the order they happened."""
    out: list[ClockEvent] = []
    for e in events:
        if e.type == "correction_requested":
            out.append(ClockEvent("correction_requested", e.on, int(str(e.data["period_days"]))))
        elif e.type == "correction_received":
            out.append(ClockEvent("correction_received", e.on))
        elif e.type in ("consultation_started", "fee_requested"):
            out.append(
                ClockEvent("pause", e.on, pause="consultation" if e.type == "consultation_started" else "fee")
            )
        elif e.type in ("consultation_ended", "fee_received"):
            out.append(ClockEvent("resume", e.on))
        elif e.type == "extended":
            out.append(ClockEvent("extend", e.on, int(str(e.data["days"]))))
    return out


def clock_of(req: Request, cal: WorkCalendar) -> Any:
    return compute(RULES[req.rules], req.received_on, clock_events(req.events), cal)


def _store_clock(req: Request, cal: WorkCalendar) -> None:
    clock = clock_of(req, cal)
    if req.finished:
        req.remaining_days, req.wait_ends_on = None, None
        return
    req.due_on, req.due_provisional = clock.due_on, clock.provisional
    req.remaining_days, req.wait_ends_on = clock.remaining_days, clock.wait_ends_on


def _append_event(
    session: Session,
    req: Request,
    type_: str,
    *,
    on: dt.date,
    now: dt.datetime,
    actor: User | None,
    from_status: str | None,
    to_status: str | None,
    note: str = "",
    data: dict[str, object] | None = None,
) -> Event:
    ev = Event(
        seq=len(req.events) + 1,
        type=type_,
        on=on,
        at=now,
        actor_id=actor.id if actor else None,
        token_id=acting_token_id(session, actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
        public=type_ not in INTERNAL_EVENTS,
        data=data or {},
    )
    req.events.append(ev)
    notice = NOTICES.get(type_)
    if notice:
        session.add(
            OutboxMessage(
                kind="notice",
                request=req,
                delivery_key=f"notice:{req.tracking_number}:{ev.seq}",
                payload={"notice": notice, "event_seq": ev.seq},
                created_at=now,
                next_attempt_at=now,
            )
        )
    return ev


# -- intake ---------------------------------------------------------------------------------------


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
        s.email, s.contact_person, s.overrides
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
            SELECT r.id, {notice} FROM r, json_populate_record(NULL::outbox, CAST(:notice AS JSON))
        ),
        d AS (
            INSERT INTO documents (request_id, event_id, {doc})
            SELECT e.request_id, e.id, {doc} FROM e, json_populate_record(NULL::documents, CAST(:doc AS JSON))
        )
        SELECT id FROM r
        """  # noqa: S608 -- the column names are the models' own
    )


def _json(values: dict[str, Any]) -> str:
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
    session: Session, row: dict[str, Any], event: dict[str, Any], notice: dict[str, Any], doc: dict[str, Any]
) -> int:
    """Insert the request, its event, its notice and its receipt; returns the request's id."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params = {"request": _json(row), "event": _json(event), "notice": _json(notice), "doc": _json(doc)}
        return int(conn.execute(_INSERT_ALL_PG, params).scalar_one())
    request_id = int(conn.execute(_INSERT_REQUEST, row).scalar_one())
    event_id = conn.execute(_INSERT_EVENT, {**event, "request_id": request_id}).scalar_one()
    conn.execute(_INSERT_NOTICE, {**notice, "request_id": request_id})
    conn.execute(_INSERT_DOCUMENT, {**doc, "request_id": request_id, "event_id": event_id})
    return request_id


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
) -> Submitted:
    """Record a new request for the agency of code `agency`: the request, its `submitted` event, the
    receipt (受理回执) and its notice in the outbox, in the caller's transaction. Validates first and
    writes nothing on a field error; an officer registers for their own agencies only.

    `by_platform`: registered by the workers themselves (the email channel), with no officer."""
    session.flush()  # what this transaction has pending (an admin's settings, say) counts: Core reads next
    today = china_today(now)
    errors: dict[str, Any] = {}
    if channel not in CHANNELS:
        errors["channel"] = _l("未知的申请渠道")
    if registered_by is None and channel != "online" and not by_platform:
        errors["channel"] = _l("公众提交的申请渠道只能是网上申请")
    if received_on is None:
        if channel != "online":
            errors["received_on"] = _l("非网上渠道须填写收到申请之日")
        received_on = today
    else:
        _check_date(errors, "received_on", received_on, today)
    if delivery not in DELIVERY:
        errors["delivery"] = _l("未知的获取信息方式")
    applicant = _validate_applicant(errors, applicant)
    desc = _text(errors, "description", description, required=True)
    doc_no = _text(errors, "document_number", document_number, required=False, limit=200)
    purpose_text = _text(errors, "purpose", purpose, required=False)
    if errors:
        raise ValidationError(_l("申请内容有误，请检查标出的字段"), errors)

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
        "token_id": acting_token_id(session, registered_by),
        "from_status": None,
        "to_status": Status.RECEIVED.value,
        "note": f"通过{CHANNELS[channel]}渠道收到申请",
        "public": True,
        "data": {"channel": channel},
    }
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
    request_id = _write(session, row, event, notice, receipt)
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


# -- actions --------------------------------------------------------------------------------------


def may_act(actor: User | None, req: Request, action: str) -> None:
    """Staff act only on their own agencies' requests; only a head approves an extension."""
    if actor is None:
        return  # the applicant (checked by access code) or the platform's own sweeps
    if not authz.may_see_request(actor, req):
        raise Forbidden(_l("无权办理该申请"))
    if action == "extend" and not authz.has_role(actor, authz.HEAD):
        raise Forbidden(
            _l("延期答复须经政府信息公开工作机构负责人批准"), {"action": _l("仅负责人可批准延期")}
        )


def _last_dated_event(req: Request) -> dt.date:
    return max((e.on for e in req.events if e.type not in UNDATED_EVENTS), default=req.received_on)


def act(
    session: Session,
    req: Request,
    action: str,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    version: int | None = None,
    **fields: Any,
) -> Request:
    """Carry out one action of docs/rules.md §Lifecycle on a request, or raise and change nothing."""
    if action not in TRANSITIONS:
        raise ValidationError(
            _l("未知的办理操作"), {"action": _l("应为以下之一：%(values)s", values="、".join(TRANSITIONS))}
        )
    may_act(actor, req, action)
    if version is not None and version != req.version:
        raise Conflict(
            _l("该申请已被他人修改，请刷新后重试"),
            {"version": _l("当前版本为%(version)s", version=req.version)},
        )
    allowed_from, target = TRANSITIONS[action]
    status = Status(req.status)
    if status not in allowed_from:
        raise IllegalTransition(
            _l(
                "申请当前状态为“%(status)s”，不能%(action)s",
                status=STATUS_LABELS[status],
                action=ACTION_LABELS[action],
            ),
            {"action": _l("当前状态不允许此操作")},
        )

    document_text = documents.clean_text(fields.pop("document_text", None))
    today = china_today(now)
    on = on or today
    errors: dict[str, Any] = {}
    if on > today:
        errors["on"] = _l("日期不能晚于今天")
    elif on < _last_dated_event(req):
        errors["on"] = _l(
            "日期不能早于该申请上一办理环节（%(date)s）", date=_last_dated_event(req).isoformat()
        )
    if errors:
        raise ValidationError(_l("办理日期有误"), errors)

    cal = current_calendar(session)
    rules = RULES[req.rules]
    data: dict[str, object] = {}
    updates: dict[str, object] = {}  # applied only once everything is valid
    note = ""
    new_status: Status = target or status
    event_type = EVENT_TYPES[action]

    if action == "request_correction":
        note = _text(errors, "items", fields.pop("items", None), required=True) or ""
        period = fields.pop("period_days", None)
        if (
            not isinstance(period, int)
            or isinstance(period, bool)
            or not 1 <= period <= MAX_CORRECTION_PERIOD
        ):
            errors["period_days"] = _l("补正期限应为1至%(days)s个工作日", days=MAX_CORRECTION_PERIOD)
        if req.correction_requested:
            raise IllegalTransition(_l("补正只能告知一次"), {"action": _l("该申请已告知过补正")})
        if rules.correction_window_days is not None:
            latest = cal.add_wd(req.received_on, rules.correction_window_days)
            if on > latest:
                raise IllegalTransition(
                    _l(
                        "应在收到申请之日起%(days)s个工作日内（%(date)s前）一次性告知补正",
                        days=rules.correction_window_days,
                        date=latest.isoformat(),
                    ),
                    {"on": _l("最迟%(date)s", date=latest.isoformat())},
                )
        data["period_days"] = period
        updates["correction_requested"] = True
    elif action == "receive_correction":
        note = _text(errors, "text", fields.pop("text", None), required=False) or ""
    elif action == "start_consultation":
        party = _text(errors, "party", fields.pop("party", None), required=True, limit=200)
        data["party"] = party or ""
        note = "征求第三方意见，期间不计入答复期限"
    elif action == "request_fee":
        if rules.fee_limit_days is None:
            raise IllegalTransition(_l("2008年《条例》下的申请不适用信息处理费"), {"action": _l("不适用")})
        amount = fields.pop("amount_yuan", None)
        if not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 < amount <= 1_000_000:
            errors["amount_yuan"] = _l("收费金额应为大于0的数字（元）")
        else:
            data["amount_yuan"] = round(float(amount), 2)
            note = f"信息处理费{data['amount_yuan']:.2f}元"
    elif action in ("extend", "propose_extension"):
        days = fields.pop("days", None)
        reason = _text(errors, "reason", fields.pop("reason", None), required=True)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= rules.max_extension_days:
            errors["days"] = _l("延期应为1至%(days)s个工作日", days=rules.max_extension_days)
        if req.extended_days:
            raise IllegalTransition(_l("延期答复只能批准一次"), {"action": _l("该申请已延期")})
        if req.due_on is not None and on > req.due_on:
            raise IllegalTransition(
                _l("已超过答复期限，不能再延期"),
                {"on": _l("答复期限为%(date)s", date=req.due_on.isoformat())},
            )
        if action == "propose_extension" and pending_extension(req) is not None:
            raise IllegalTransition(
                _l("已有待负责人审批的延期申请"), {"action": _l("请等待负责人审批或不同意后再提请")}
            )
        data["days"] = days
        if action == "extend":
            updates["extended_days"] = days
        note = reason or ""
    elif action == "decline_extension":
        if actor is not None and actor.role != "head":
            raise Forbidden(
                _l("延期答复须经政府信息公开工作机构负责人批准"), {"action": _l("仅负责人可审批延期")}
            )
        if pending_extension(req) is None:
            raise IllegalTransition(_l("没有待审批的延期申请"), {"action": _l("没有待审批的延期申请")})
        note = _text(errors, "note", fields.pop("note", None), required=False) or ""
    elif action in ("reply", "close", "withdraw"):
        if action == "reply":
            outcome = fields.pop("outcome", None)
            if outcome not in REPLY_OUTCOMES:
                errors["outcome"] = (
                    _l("未知的答复结果")
                    if outcome not in CLOSURE_OUTCOMES
                    else _l("不出具答复书的办结请用close")
                )
            if status == Status.RECEIVED and on != req.received_on:
                raise IllegalTransition(
                    _l("未受理的申请只能当场答复，请先受理"), {"on": _l("当场答复须在收到申请当日")}
                )
            note = _text(errors, "note", fields.pop("note", None), required=False) or ""
            referred = _text(
                errors, "referred_agency", fields.pop("referred_agency", None), required=False, limit=200
            )
            data["on_the_spot"] = on == req.received_on
            updates["referred_agency"] = referred
        elif action == "close":
            outcome = fields.pop("outcome", None)
            if outcome not in CLOSURE_OUTCOMES:
                errors["outcome"] = _l("应为以下之一：%(values)s", values="、".join(sorted(CLOSURE_OUTCOMES)))
            note = _text(errors, "note", fields.pop("note", None), required=False) or ""
        else:
            outcome = "closed_other"
            note = _text(errors, "reason", fields.pop("reason", None), required=False) or "申请人撤回申请"
        updates.update(outcome=outcome, finished_on=on)
        data["outcome"] = str(outcome)
    elif action == "assign":
        email = fields.pop("assignee", None)
        assignee = (
            session.execute(select(User).where(User.email == email)).scalar_one_or_none()
            if isinstance(email, str)
            else None
        )
        if (
            assignee is None
            or assignee.role not in ("officer", "head")
            or not assignee.belongs_to(req.agency_id)
        ):
            errors["assignee"] = _l("应为本机关经办人或负责人的电子邮箱")
        else:
            updates["assignee"] = assignee
            data["assignee"] = assignee.email
    elif action == "comment":
        note = _text(errors, "note", fields.pop("note", None), required=True) or ""
    if fields:
        errors.update({name: _l("不支持的字段") for name in fields})
    if document_text is not None and event_type not in NOTICES:
        errors["document_text"] = _l("该操作不出具文书")
    if errors:
        raise ValidationError(_l("办理信息有误，请检查标出的字段"), errors)

    for name, value in updates.items():
        setattr(req, name, value)
    req.status = new_status
    req.updated_at = now
    flag_modified(req, "updated_at")  # every action bumps the version, even one that changes no column
    ev = _append_event(
        session,
        req,
        event_type,
        on=on,
        now=now,
        actor=actor,
        from_status=status,
        to_status=new_status,
        note=note,
        data=data,
    )
    _store_clock(req, cal)
    documents.issue(session, req, ev, now=now, actor=actor, text=document_text)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(_l("该申请已被他人修改，请刷新后重试")) from exc
    except IntegrityError as exc:
        # Another transaction wrote this request's next history entry first.
        if "uq_request_events_request_seq" not in str(exc.orig):
            raise
        raise Conflict(_l("该申请已被他人修改，请刷新后重试")) from exc
    return req


def applicant_correct(session: Session, req: Request, text: str, *, now: dt.datetime) -> Request:
    """The applicant's correction (补正), received today."""
    return act(session, req, "receive_correction", None, now=now, text=text)


def applicant_withdraw(session: Session, req: Request, reason: str | None, *, now: dt.datetime) -> Request:
    """The applicant withdraws the request: finished as `closed_other` (撤回申请)."""
    return act(session, req, "withdraw", None, now=now, reason=reason)


# -- extensions: the officer proposes, the head approves (extend) or declines ---------------------------

EXTENDABLE = TRANSITIONS["extend"][0]


def pending_extension(req: Request) -> Event | None:
    """The extension proposal awaiting the head's decision: the latest proposal, neither declined nor
    followed by an extension, on a request that may still be extended."""
    if req.extended_days or Status(req.status) not in EXTENDABLE:
        return None
    last = next((e for e in reversed(req.events) if e.type in EXTENSION_EVENTS), None)
    return last if last is not None and last.type == "extension_proposed" else None


def approve_extension(
    session: Session,
    req: Request,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    version: int | None = None,
) -> Request:
    """The head approves the pending proposal: `extend` with the proposal's days and reason."""
    proposal = pending_extension(req)
    if proposal is None:
        raise IllegalTransition(_l("没有待审批的延期申请"), {"action": _l("没有待审批的延期申请")})
    return act(
        session,
        req,
        "extend",
        actor,
        now=now,
        on=on,
        version=version,
        days=int(str(proposal.data["days"])),
        reason=proposal.note,
    )


def pending_extension_requests(session: Session, agency_ids: list[int]) -> list[tuple[Request, Event]]:
    """Requests of these agencies with a pending extension proposal, soonest due first, with the proposal.

    Driven by the agencies' open, unextended requests (ix_requests_agency_due); each request's events are
    reached through uq_request_events_request_seq."""
    later = aliased(Event)
    settled = exists().where(
        later.request_id == Event.request_id,
        later.seq > Event.seq,
        later.type.in_(EXTENSION_EVENTS),
    )
    rows = session.execute(
        select(Request, Event)
        .join(Event, Event.request_id == Request.id)
        .where(
            Request.agency_id.in_(agency_ids),
            Request.status.in_([str(s) for s in EXTENDABLE]),
            Request.extended_days == 0,
            Event.type == "extension_proposed",
            ~settled,
        )
        .order_by(Request.due_on.is_(None), Request.due_on, Request.id)
    )
    return [(req, ev) for req, ev in rows]


def available_actions(req: Request, role: str | None, *, today: dt.date, cal: WorkCalendar) -> list[str]:
    """The actions worth offering on this request now: those its status and the role allow
    (states.allowed_actions), less those its own history or dates already rule out."""
    rules = RULES[req.rules]
    pending = pending_extension(req) is not None
    past_due = req.due_on is not None and today > req.due_on
    out = []
    for action in allowed_actions(req.status, role):
        if action == "request_correction" and (
            req.correction_requested
            or (
                rules.correction_window_days is not None
                and today > cal.add_wd(req.received_on, rules.correction_window_days)
            )
        ):
            continue
        if action in ("extend", "propose_extension") and (req.extended_days or past_due):
            continue
        if action == "propose_extension" and (pending or role == "head"):
            continue
        if action == "decline_extension" and not pending:
            continue
        if action == "request_fee" and rules.fee_limit_days is None:
            continue
        out.append(action)
    return out


# -- calendar changes -----------------------------------------------------------------------------


def recompute_open_due_dates(session: Session, *, now: dt.datetime, reason: str) -> int:
    """After a calendar change: store each open request's new clock, with a history event if it moved."""
    cal = current_calendar(session)
    moved = 0
    open_requests = session.execute(select(Request).where(Request.status.in_([str(s) for s in UNFINISHED])))
    for req in open_requests.scalars():
        before = (req.due_on, req.due_provisional, req.wait_ends_on)
        _store_clock(req, cal)
        after = (req.due_on, req.due_provisional, req.wait_ends_on)
        if after != before:
            moved += 1
            req.updated_at = now
            old = before[0].isoformat() if before[0] else "—"
            new = after[0].isoformat() if after[0] else "—"
            _append_event(
                session,
                req,
                "due_recomputed",
                on=china_today(now),
                now=now,
                actor=None,
                from_status=req.status,
                to_status=req.status,
                note=f"{reason}：答复期限由{old}调整为{new}",
                data={"old_due_on": old, "new_due_on": new, "provisional": req.due_provisional},
            )
    session.flush()
    return moved


def set_calendar_day(
    session: Session,
    day: dt.date,
    *,
    is_workday: bool | None,
    name: str,
    actor: User | None,
    now: dt.datetime,
) -> int:
    """Declare a day a working day or holiday (None removes the override); returns requests moved."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("只有管理员可以修改工作日历"))
    override = session.get(CalendarOverride, day)
    if is_workday is None:
        if override is not None:
            session.delete(override)
    elif override is None:
        session.add(
            CalendarOverride(
                day=day,
                is_workday=is_workday,
                name=name,
                updated_at=now,
                updated_by_id=actor.id if actor else None,
            )
        )
    else:
        override.is_workday, override.name, override.updated_at = is_workday, name, now
    session.flush()
    kind = "删除" if is_workday is None else ("调休上班" if is_workday else "放假")
    return recompute_open_due_dates(session, now=now, reason=f"工作日历调整（{day.isoformat()}{kind}）")


def confirm_calendar_year(
    session: Session, year: int, *, note: str, actor: User | None, now: dt.datetime
) -> int:
    """Declare a year's holiday notice entered in full: its due dates stop being provisional."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("只有管理员可以修改工作日历"))
    if session.get(CalendarYear, year) is None:
        session.add(
            CalendarYear(year=year, note=note, confirmed_at=now, confirmed_by_id=actor.id if actor else None)
        )
        session.flush()
    return recompute_open_due_dates(session, now=now, reason=f"{year}年节假日安排已录入")


def record_attachment(
    session: Session,
    req: Request,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    storage_key: str,
    uploaded_by: User | None,
    now: dt.datetime,
) -> Attachment:
    """A stored file joins the request, with a history entry; applicants add files only while it is open."""
    if uploaded_by is None and req.finished:
        raise IllegalTransition(_l("申请已办结，不能再上传材料"), {"file": _l("申请已办结")})
    if uploaded_by is not None:
        may_act(uploaded_by, req, "comment")
    attachment = Attachment(
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        storage_key=storage_key,
        uploaded_at=now,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    req.attachments.append(attachment)
    req.updated_at = now
    flag_modified(req, "updated_at")
    _append_event(
        session,
        req,
        "attachment_added",
        on=china_today(now),
        now=now,
        actor=uploaded_by,
        from_status=req.status,
        to_status=req.status,
        note=f"上传材料：{filename}",
        data={"filename": filename, "sha256": sha256, "size": size},
    )
    session.flush()
    return attachment
