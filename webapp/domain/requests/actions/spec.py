"""What each action is: its name, the states and roles it is allowed from, and its typed fields.

One description per action, beside its handler (handlers.py): `act()` refuses any field it does not
name, the API's schema (api/schemas.ActionIn) is derived from it, and the staff's forms
(web/action_forms.ACTION_FORMS) are checked against it field by field (tests/domain/test_action_specs.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from webapp.domain.calendar import WorkCalendar
from webapp.domain.deadlines import RuleSet
from webapp.domain.requests.history import EVENT_TYPES
from webapp.domain.states import HEAD_ACTIONS, NOTICES, STAFF_ACTIONS, TRANSITIONS, Status
from webapp.models import Request, User

TEXT, INTEGER, NUMBER, CHOICE, STAFF_EMAIL = "text", "integer", "number", "choice", "staff_email"
IDS = "ids"  # a list of the request's attachment ids (`limit`: the most)
PARTS = "parts"  # a list of {"part": text, "basis": one of `choices`} (`limit`: the most)
BOOLEAN = "boolean"


@dataclass(frozen=True)
class Field:
    """One field an action takes: its kind, whether it is required, and its bounds or choices."""

    name: str
    kind: str  # TEXT, INTEGER, NUMBER, CHOICE, BOOLEAN, IDS, PARTS or STAFF_EMAIL (a staff e-mail)
    required: bool = False
    limit: int | None = None  # TEXT, STAFF_EMAIL: the most characters; IDS, PARTS: the most entries
    low: float | None = None  # INTEGER, NUMBER: the bounds (the domain may narrow them by the rules)
    high: float | None = None
    choices: frozenset[str] = frozenset()  # CHOICE; PARTS: each entry's basis
    doc: str = ""  # what it is, in the API's description (English, for outside developers)
    action: str = ""  # the action declaring it, set by `action()`


@dataclass
class Context:
    """What a handler reads (the request, the date, the rules) and fills (the event's note and data, the
    request's updates, the field errors); `act()` applies it only when nothing is wrong."""

    session: Session
    req: Request
    actor: User | None
    on: dt.date
    status: Status
    rules: RuleSet
    cal: WorkCalendar
    fields: dict[str, Any]
    errors: dict[str, Any] = field(default_factory=dict)
    data: dict[str, object] = field(default_factory=dict)
    updates: dict[str, object] = field(default_factory=dict)
    note: str = ""
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))  # the act's moment

    def take(self, name: str) -> Any:
        return self.fields.pop(name, None)


Handler = Callable[[Context], None]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    fields: tuple[Field, ...]
    handler: Handler

    @property
    def allowed_from(self) -> frozenset[Status]:
        return TRANSITIONS[self.name][0]

    @property
    def target(self) -> Status | None:
        return TRANSITIONS[self.name][1]

    @property
    def head_only(self) -> bool:
        return self.name in HEAD_ACTIONS

    @property
    def staff(self) -> bool:
        return self.name in STAFF_ACTIONS

    @property
    def event_type(self) -> str:
        return EVENT_TYPES[self.name]

    @property
    def sends_document(self) -> bool:
        """The action's event sends the applicant a notice: `document_text` may replace its text."""
        return self.event_type in NOTICES

    @property
    def field_names(self) -> frozenset[str]:
        """The fields the action takes besides `on`, `version` and `document_text`."""
        return frozenset(f.name for f in self.fields)


SPECS: dict[str, ActionSpec] = {}  # filled by handlers.py, one entry per action of states.TRANSITIONS


def action(name: str, *fields: Field) -> Callable[[Handler], Handler]:
    """Declare the handler of action `name` and its fields."""

    def register(handler: Handler) -> Handler:
        SPECS[name] = ActionSpec(name, tuple(replace(f, action=name) for f in fields), handler)
        return handler

    return register
