"""A request registered after the day it was received (docs/rules.md §Late registration): the working days
already used, the due date counted from the received-on day, and whether the officer must say why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from webapp.domain.calendar import WorkCalendar
from webapp.domain.deadlines import REASON_WITHIN_DAYS, compute, rules_for

MAX_LATE_REASON = 1000
__all__ = ["MAX_LATE_REASON", "REASON_WITHIN_DAYS", "LateRegistration", "late_registration"]


@dataclass(frozen=True)
class LateRegistration:
    received_on: dt.date
    registered_on: dt.date
    days_used: int  # working days in (received_on, registered_on]
    due_on: dt.date
    days_left: int  # working days from registered_on to due_on; negative when already past
    provisional: bool
    needs_reason: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "received_on": self.received_on.isoformat(),
            "registered_on": self.registered_on.isoformat(),
            "working_days_used": self.days_used,
            "due_on": self.due_on.isoformat(),
            "working_days_left": self.days_left,
            "due_provisional": self.provisional,
            "needs_reason": self.needs_reason,
        }


def late_registration(cal: WorkCalendar, received_on: dt.date, today: dt.date) -> LateRegistration | None:
    """What registering today a request received on `received_on` means, or None when it is not late
    (received today, or a date the intake refuses anyway: in the future)."""
    if received_on >= today:
        return None
    clock = compute(rules_for(received_on), received_on, [], cal)
    due = clock.due_on
    if due is None:  # pragma: no cover -- a fresh clock always has a due date
        return None
    left = cal.count_wd(today, due) if due >= today else -cal.count_wd(due, today)
    return LateRegistration(
        received_on=received_on,
        registered_on=today,
        days_used=cal.count_wd(received_on, today),
        due_on=due,
        days_left=left,
        provisional=clock.provisional,
        needs_reason=left <= REASON_WITHIN_DAYS,
    )
