"""A request's life (docs/rules.md §Intake, §Lifecycle): the only code that changes a status.

Every function here validates first, then changes the request, appends its history event, stores the
recomputed clock and queues side effects in the outbox, all in the caller's transaction. It flushes and
never commits: the route or task that called it commits once, or rolls everything back.

By concern: fields.py (checking texts, dates, the applicant), history.py (events and the clock),
intake.py (a new request), actions/ (one handler per action, each declared with its fields),
extensions.py (proposal and approval), calendar_changes.py (calendar administration). The access code is
webapp/domain/access_codes.py, attachments webapp/domain/attachments.py.
"""

from __future__ import annotations

from webapp.domain.requests.actions import (
    ACTION_SPECS,
    act,
    applicant_correct,
    applicant_withdraw,
    available_actions,
    may_act,
)
from webapp.domain.requests.actions.steps import MAX_REPLY_PERIOD
from webapp.domain.requests.calendar_changes import (
    apply_holiday_notice,
    confirm_calendar_year,
    recompute_open_due_dates,
    set_calendar_day,
)
from webapp.domain.requests.extensions import (
    approve_extension,
    pending_extension_requests,
)
from webapp.domain.requests.fields import MAX_CORRECTION_PERIOD, MAX_TEXT, Applicant
from webapp.domain.requests.history import (
    EVENT_TYPES,
    EXTENDABLE,
    UNDATED_EVENTS,
    append_event,
    applicant_events,
    applicant_sees,
    clock_events,
    clock_of,
    pending_extension,
)
from webapp.domain.requests.intake import Submitted, intake, intake_errors, submit

__all__ = [
    "ACTION_SPECS",
    "EVENT_TYPES",
    "EXTENDABLE",
    "MAX_CORRECTION_PERIOD",
    "MAX_REPLY_PERIOD",
    "MAX_TEXT",
    "UNDATED_EVENTS",
    "Applicant",
    "Submitted",
    "act",
    "append_event",
    "applicant_correct",
    "applicant_events",
    "applicant_sees",
    "applicant_withdraw",
    "apply_holiday_notice",
    "approve_extension",
    "available_actions",
    "clock_events",
    "clock_of",
    "confirm_calendar_year",
    "intake",
    "intake_errors",
    "may_act",
    "pending_extension",
    "pending_extension_requests",
    "recompute_open_due_dates",
    "set_calendar_day",
    "submit",
]
