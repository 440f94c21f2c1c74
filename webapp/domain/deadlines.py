"""Due-date maths (docs/rules.md §Deadlines): the 2008 and 2019 rule sets, pauses, correction restarts,
extensions.

The due date is derived from the request's clock events, never edited: `compute()` replays them over a
`WorkCalendar` and returns the due date with an explanation of every counted interval, so it can be
recomputed whenever the calendar changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from flask_babel import gettext as _

from webapp.domain.calendar import WorkCalendar
from webapp.domain.dates import cn_date
from webapp.domain.states import ACTION_LABELS
from webapp.i18n import _l, wants_english

RULES_2019_FROM = dt.date(2019, 5, 15)
EARLIEST_RECEIVED_ON = dt.date(2008, 5, 1)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class RuleSet:
    code: str
    reply_days: int
    max_extension_days: int
    correction_window_days: int | None  # correction must be asked within this many working days of receipt
    consultation_limit_days: int | None  # an unanswered consultation ends by itself after this many
    fee_limit_days: int | None  # an unpaid fee notice lapses after this many
    article_reply: str
    article_correction: str


RULES = {
    "2008": RuleSet("2008", 15, 15, None, None, None, "第二十四条", "第二十一条"),
    "2019": RuleSet("2019", 20, 20, 7, 15, 20, "第三十三条", "第三十条"),
}


# The articles as the reader names them (the documents, always Chinese, use the RuleSet's own text).
ARTICLE_NAMES = {
    "第二十四条": _l("第二十四条"),
    "第二十一条": _l("第二十一条"),
    "第三十三条": _l("第三十三条"),
    "第三十条": _l("第三十条"),
}


def rules_for(received_on: dt.date) -> RuleSet:
    """The regulation in force on the day the request was received."""
    return RULES["2019" if received_on >= RULES_2019_FROM else "2008"]


ClockKind = Literal["correction_requested", "correction_received", "pause", "resume", "extend", "set_due"]
# consultation: a third party (Art. 32) or, `agency`, the agency that made the information with this one
# (Art. 34), each ending by itself after 15 working days (Art. 33 ¶3); fee; reasons: the applicant asked
# to state reasons (Art. 35), no end of its own
PauseKind = Literal["consultation", "agency", "fee", "reasons"]
PAUSE_ACTIONS = {
    "consultation": "start_consultation",
    "agency": "consult_agency",
    "fee": "request_fee",
    "reasons": "request_reasons",
}


@dataclass(frozen=True)
class ClockEvent:
    kind: ClockKind
    on: dt.date
    days: int = 0  # correction period or extension length
    pause: PauseKind | None = None


@dataclass(frozen=True)
class Step:
    """One line of the due date's explanation."""

    kind: str
    start: dt.date
    end: dt.date | None
    days: int
    holidays: tuple[tuple[dt.date, str], ...] = ()
    makeup_workdays: tuple[tuple[dt.date, str], ...] = ()
    text: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "from": self.start.isoformat(),
            "to": self.end.isoformat() if self.end else None,
            "working_days": self.days,
            "holidays_skipped": [{"date": d.isoformat(), "name": n} for d, n in self.holidays],
            "makeup_workdays": [{"date": d.isoformat(), "name": n} for d, n in self.makeup_workdays],
            "text": self.text,
        }


@dataclass
class Clock:
    """Where a request's count stands after its clock events."""

    rules: RuleSet
    due_on: dt.date | None  # None while the count is stopped with days still to run
    remaining_days: int | None  # days left to count when the clock is stopped
    paused: Literal["correction", "consultation", "fee", "reasons"] | None
    wait_ends_on: dt.date | None  # the day the workers act on a pause by themselves
    provisional: bool
    steps: list[Step] = field(default_factory=list)

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and today > self.due_on


def _fmt(d: dt.date) -> str:
    return cn_date(d, english=wants_english())


def _interval(cal: WorkCalendar, kind: str, start: dt.date, days: int, text: str) -> tuple[Step, dt.date]:
    end = cal.add_wd(start, days)
    holidays = tuple(cal.holidays_between(start, end))
    makeups = tuple(cal.makeup_workdays_between(start, end))
    detail = []
    if holidays:
        detail.append(_("跳过节假日%(n)s天", n=len(holidays)))
    if makeups:
        detail.append(_("计入调休上班日%(n)s天", n=len(makeups)))
    suffix = _("（%(detail)s）", detail=_("，").join(detail)) if detail else ""
    text = _(
        "%(what)s：自%(start)s次日起算%(days)s个工作日，至%(end)s%(detail)s",
        what=text,
        start=_fmt(start),
        days=days,
        end=_fmt(end),
        detail=suffix,
    )
    return Step(kind, start, end, days, holidays, makeups, text), end


def compute(rules: RuleSet, received_on: dt.date, events: list[ClockEvent], cal: WorkCalendar) -> Clock:
    """Replay the clock events in order and return the due date with its explanation."""
    first, due = _interval(
        cal,
        "start",
        received_on,
        rules.reply_days,
        _(
            "收到申请（%(year)s年《条例》%(article)s）",
            year=rules.code,
            article=str(ARTICLE_NAMES[rules.article_reply]),
        ),
    )
    clock = Clock(rules, due, None, None, None, cal.is_provisional(received_on, due), [first])
    for ev in events:
        if ev.kind == "correction_requested":
            lapse = cal.add_wd(ev.on, ev.days)
            clock.due_on, clock.remaining_days, clock.paused = None, None, "correction"
            clock.wait_ends_on = lapse + ONE_DAY
            clock.steps.append(
                Step(
                    "correction_requested",
                    ev.on,
                    lapse,
                    ev.days,
                    text=_(
                        "%(on)s告知补正，答复期限停止计算；补正期限%(days)s个工作日，至%(end)s",
                        on=_fmt(ev.on),
                        days=ev.days,
                        end=_fmt(lapse),
                    ),
                )
            )
        elif ev.kind == "correction_received":
            step, due = _interval(
                cal, "restart", ev.on, rules.reply_days, _("%(on)s收到补正，答复期限重新计算", on=_fmt(ev.on))
            )
            clock.due_on, clock.remaining_days, clock.paused, clock.wait_ends_on = due, None, None, None
            clock.provisional = cal.is_provisional(ev.on, due)
            clock.steps.append(step)
        elif ev.kind == "pause":
            pause = ev.pause or "consultation"
            what = str(ACTION_LABELS[PAUSE_ACTIONS[pause]])
            clock.paused = "consultation" if pause == "agency" else pause
            limit = {
                "consultation": rules.consultation_limit_days,
                "agency": rules.consultation_limit_days,
                "fee": rules.fee_limit_days,
            }.get(pause)
            clock.wait_ends_on = None
            if limit is not None:
                end = cal.add_wd(ev.on, limit)
                clock.wait_ends_on = end + ONE_DAY if pause == "fee" else end
            if clock.due_on is not None and ev.on > clock.due_on:
                clock.steps.append(
                    Step(
                        "pause",
                        ev.on,
                        None,
                        0,
                        text=_("%(on)s%(what)s；已超过答复期限，仍属逾期", on=_fmt(ev.on), what=what),
                    )
                )
            elif clock.due_on is not None:
                clock.remaining_days = cal.count_wd(ev.on, clock.due_on)
                clock.steps.append(
                    Step(
                        "pause",
                        ev.on,
                        None,
                        clock.remaining_days,
                        text=_(
                            "%(on)s%(what)s，期间不计入答复期限；剩余%(days)s个工作日",
                            on=_fmt(ev.on),
                            what=what,
                            days=clock.remaining_days,
                        ),
                    )
                )
                clock.due_on = None
        elif ev.kind == "resume":
            clock.paused, clock.wait_ends_on = None, None
            if clock.remaining_days is not None:
                step, due = _interval(
                    cal, "resume", ev.on, clock.remaining_days, _("%(on)s恢复计算剩余期限", on=_fmt(ev.on))
                )
                clock.due_on, clock.remaining_days = due, None
                clock.provisional = clock.provisional or cal.is_provisional(ev.on, due)
                clock.steps.append(step)
            else:
                clock.steps.append(
                    Step("resume", ev.on, clock.due_on, 0, text=_("%(on)s恢复办理，仍属逾期", on=_fmt(ev.on)))
                )
        elif ev.kind == "set_due":
            # Art. 35: the agency found the reasons reasonable but cannot reply in time, and set a later
            # reasonable date, counted from the day it decided
            step, due = _interval(
                cal,
                "set_due",
                ev.on,
                ev.days,
                _("%(on)s确定延迟答复的合理期限（2019年《条例》第三十五条）", on=_fmt(ev.on)),
            )
            clock.due_on, clock.remaining_days, clock.paused, clock.wait_ends_on = due, None, None, None
            clock.provisional = cal.is_provisional(ev.on, due)
            clock.steps.append(step)
        elif ev.kind == "extend":
            if clock.due_on is not None:
                step, due = _interval(cal, "extend", clock.due_on, ev.days, _("经负责人同意延期答复"))
                clock.provisional = clock.provisional or cal.is_provisional(clock.due_on, due)
                clock.due_on = due
                clock.steps.append(step)
            else:
                clock.remaining_days = (clock.remaining_days or 0) + ev.days
                clock.steps.append(
                    Step(
                        "extend",
                        ev.on,
                        None,
                        ev.days,
                        text=_(
                            "经负责人同意延期答复%(days)s个工作日，计入剩余期限（共%(total)s个工作日）",
                            days=ev.days,
                            total=clock.remaining_days,
                        ),
                    )
                )
    return clock


# A late registration (docs/rules.md §Late registration) whose due date is already past, or this many
# working days away or fewer, needs the officer's stated reason, and its receipt promises no date.
REASON_WITHIN_DAYS = 3

# What a receipt says instead of promising a date already past, or a date too near to be a promise
# (docs/rules.md §Late registration).
DUE_AT_REGISTRATION = {
    "past": "本申请登记时答复期限已届满，本机关将尽快答复。",
    "near": "本申请登记时答复期限即将届满，本机关将尽快答复。",
}


def registration_day(data: object, received_on: dt.date) -> dt.date:
    """The day a request was registered: the `registered_on` its first event records for a late
    registration, else the day it was received. A receipt is dated and issued on this day."""
    day = data.get("registered_on") if isinstance(data, dict) else None
    return dt.date.fromisoformat(day) if isinstance(day, str) else received_on


def due_at_registration(cal: WorkCalendar, registered_on: dt.date, due_on: dt.date | None) -> str | None:
    """ "past" when the due date had passed on the registration day, "near" when it was REASON_WITHIN_DAYS
    working days away or fewer (the same rule that asks the officer for a reason), else None."""
    if due_on is None:
        return None
    if due_on < registered_on:
        return "past"
    return "near" if cal.count_wd(registered_on, due_on) <= REASON_WITHIN_DAYS else None
