"""A request's history and its clock: the event each action writes, the notice it queues, and the due
date recomputed from the events (deadlines.compute)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from webapp.domain.calendar import WorkCalendar
from webapp.domain.deadlines import RULES, ClockEvent, PauseKind, compute
from webapp.domain.sms import queue_sms
from webapp.domain.states import NOTICES, TRANSITIONS, Status
from webapp.domain.tokens import acting_token_id
from webapp.models import Event, OutboxMessage, Request, User

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
    "record_posting": "posted",
    "record_pickup": "collected",
    "request_reasons": "reasons_requested",
    "receive_reasons": "reasons_received",
    "set_reply_period": "reply_period_set",
    "consult_agency": "agency_consultation_started",
    "notify_third_party": "third_party_notified",
    "correct_applicant": "applicant_corrected",
}
INTERNAL_EVENTS = frozenset(
    {"assigned", "commented", "extension_proposed", "extension_declined", "redacted", "applicant_corrected"}
)
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
        "redacted",
        "emailed",
        "applicant_corrected",
        "access_code_reissued",
    }
)
# What a consultation's answer is called in its history note (the officer's summary of the answer follows).
CONSULTATION_ANSWERS = {
    ("agency", "consented"): "被征求意见机关同意公开",
    ("agency", "objected"): "被征求意见机关不同意公开",
    ("agency", "deemed_consent"): "被征求意见机关逾期未提出意见，视为同意公开（《条例》第三十四条）",
    ("third_party", "consented"): "第三方同意公开",
    ("third_party", "objected"): "第三方不同意公开",
    (
        "third_party",
        "lapsed",
    ): "第三方逾期未提出意见，由本机关依照《条例》的规定决定是否公开（《条例》第三十二条）",
}
# Events the applicant never sees (docs/rules.md §What the applicant sees): the internal ones, and the
# Art. 32 letter to a third party (its name and the agency's reasons are not the applicant's).
STAFF_ONLY_EVENTS = INTERNAL_EVENTS | {"third_party_notified"}


def applicant_sees(e: Event) -> bool:
    """Whether the applicant's history (the tracking page, the API with the access code) shows `e`: not a
    staff-only event, and not a file staff added — the original of information to release, an internal
    paper, the scan of a registered letter — whatever its purpose and whenever it was recorded: what the
    applicant gets of staff's files is the reply's released files alone."""
    if not e.public or e.type in STAFF_ONLY_EVENTS:
        return False
    return not (e.type == "attachment_added" and e.actor_id is not None)


def applicant_note(e: Event) -> str:
    """The note of an event the applicant sees: a consultation's answer without the officer's summary of
    what the consulted party wrote."""
    if e.type == "consultation_ended":
        return CONSULTATION_ANSWERS.get((str(e.data.get("consulted")), str(e.data.get("opinion"))), "")
    return e.note


def applicant_events(req: Request) -> list[tuple[Event, str]]:
    """The request's history as the applicant sees it: each event shown, with its note."""
    return [(e, applicant_note(e)) for e in req.events if applicant_sees(e)]


# The events that open and settle an extension proposal: the latest of them tells whether one is pending.
EXTENSION_EVENTS = ("extension_proposed", "extension_declined", "extended")


PAUSE_EVENTS: dict[str, PauseKind] = {
    "consultation_started": "consultation",
    "agency_consultation_started": "agency",
    "fee_requested": "fee",
    "reasons_requested": "reasons",
}


def clock_events(events: list[Event]) -> list[ClockEvent]:
    """The events that move the due date, in the order they happened."""
    out: list[ClockEvent] = []
    for e in events:
        if e.type == "correction_requested":
            out.append(ClockEvent("correction_requested", e.on, int(str(e.data["period_days"]))))
        elif e.type == "correction_received":
            out.append(ClockEvent("correction_received", e.on))
        elif e.type in PAUSE_EVENTS:
            out.append(ClockEvent("pause", e.on, pause=PAUSE_EVENTS[e.type]))
        elif e.type in ("consultation_ended", "fee_received", "reasons_received"):
            out.append(ClockEvent("resume", e.on))
        elif e.type == "reply_period_set":
            out.append(ClockEvent("set_due", e.on, int(str(e.data["reply_days"]))))
        elif e.type == "extended":
            out.append(ClockEvent("extend", e.on, int(str(e.data["days"]))))
    return out


def clock_of(req: Request, cal: WorkCalendar) -> Any:
    return compute(RULES[req.rules], req.received_on, clock_events(req.events), cal)


def store_clock(req: Request, cal: WorkCalendar) -> None:
    clock = clock_of(req, cal)
    if req.finished:
        req.remaining_days, req.wait_ends_on = None, None
        return
    req.due_on, req.due_provisional = clock.due_on, clock.provisional
    req.remaining_days, req.wait_ends_on = clock.remaining_days, clock.wait_ends_on


def on_the_spot(req: Request, on: dt.date) -> bool:
    """A reply on `on` is an on-the-spot reply (当场答复, 2019 rules Art. 33 ¶1, 2008 Art. 24 ¶1) when it is
    sent the day the request was received with no step of the procedure between: nothing but undated
    events (an assignment, a note, an attachment) after the submission. The report counts the same
    (webapp.domain.reports.performance)."""
    return on == req.received_on and all(
        e.type in UNDATED_EVENTS for e in req.events if e.type not in ("submitted", "replied")
    )


def last_dated_event(req: Request) -> dt.date:
    return max((e.on for e in req.events if e.type not in UNDATED_EVENTS), default=req.received_on)


def append_event(
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
    public: bool = True,
) -> Event:
    ev = Event(
        seq=len(req.events) + 1,
        type=type_,
        on=on,
        at=now,
        actor_id=actor.id if actor else None,
        actor_name=(actor.name or actor.email) if actor else None,
        token_id=acting_token_id(session, actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
        public=public and type_ not in INTERNAL_EVENTS,
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
        queue_sms(session, req, ev, notice, now=now)
    return ev


EXTENDABLE = TRANSITIONS["extend"][0]


def pending_extension(req: Request) -> Event | None:
    """The extension proposal awaiting the head's decision: the latest proposal, neither declined nor
    followed by an extension, on a request that may still be extended."""
    if req.extended_days or Status(req.status) not in EXTENDABLE:
        return None
    last = next((e for e in reversed(req.events) if e.type in EXTENSION_EVENTS), None)
    return last if last is not None and last.type == "extension_proposed" else None
