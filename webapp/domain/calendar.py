"""The working-day calendar (docs/rules.md §Deadlines).

A working day is Monday–Friday, minus statutory holidays, plus the weekend days officially made
working days (调休上班). The `chinese_calendar` package gives the State Council's notices for the years
it covers; administrators add overrides (next year's notice before the package has it, local changes)
and may declare a year complete. Outside the covered years the weekends are known, and the holidays the
law fixes to a calendar date (元旦, 劳动节, 国庆节: `FIXED_HOLIDAYS`); the lunar holidays, the 补休 days and
the makeup working days wait for the year's notice, so any deadline counted through such a year is
provisional.

Everything is precomputed once per calendar revision into a sorted array of working-day ordinals and
a cumulative count per day, so `add_wd` and `count_wd` are an index lookup each.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from webapp.models.calendar import CalendarOverride, CalendarRevision, CalendarYear

FIRST_DAY = dt.date(2004, 1, 1)
LAST_DAY = dt.date(2101, 12, 31)


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


# The holidays on fixed calendar dates, 全国年节及纪念日放假办法 (国务院令第795号, in force from 2025) Art. 2:
# 元旦 1月1日, 劳动节 5月1日、2日, 国庆节 10月1日至3日. Known before the year's notice, they are days off
# of a year the calendar does not cover (docs/rules.md §Working days).
FIXED_HOLIDAYS = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
)
FIXED_HOLIDAYS_FROM = 2025


@dataclass(frozen=True)
class DayOverride:
    day: dt.date
    is_workday: bool
    name: str = ""


def package_years() -> frozenset[int]:
    """The years whose holiday notices the installed chinese_calendar holds."""
    return frozenset(d.year for d in chinese_calendar.holidays)


class WorkCalendar:
    """An immutable working-day calendar: the package's years, overrides, and elsewhere the weekends and
    the fixed-date holidays (`use_package=False`: overrides and weekends only)."""

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        complete_years: Iterable[int] = (),
        *,
        use_package: bool = True,
    ) -> None:
        holidays: dict[dt.date, str] = {}
        workdays: dict[dt.date, str] = {}
        covered = set(complete_years)
        if use_package:
            covered |= package_years()
            holidays.update({d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.holidays.items()})
            workdays.update({d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.workdays.items()})
            # under the overrides, also of a year an administrator completed (its notice stores only
            # what differs from this, and an override may still make such a day a working day)
            packaged = package_years()
            for year in range(max(FIXED_HOLIDAYS_FROM, FIRST_DAY.year), LAST_DAY.year + 1):
                if year not in packaged:
                    holidays.update({dt.date(year, m, d): name for m, d, name in FIXED_HOLIDAYS})
        for o in overrides:
            holidays.pop(o.day, None)
            workdays.pop(o.day, None)
            if o.is_workday:
                workdays[o.day] = o.name
            else:
                holidays[o.day] = o.name
        self.covered_years = frozenset(covered)
        self._holidays: Mapping[dt.date, str] = holidays
        self._workdays: Mapping[dt.date, str] = workdays
        self._weekday_holidays = sorted(d for d in holidays if d.weekday() < 5)
        self._weekend_workdays = sorted(d for d in workdays if d.weekday() >= 5)

        base = FIRST_DAY.toordinal()
        self._base = base
        n_days = LAST_DAY.toordinal() - base + 1
        cumulative = [0] * n_days  # working days in [FIRST_DAY, day]
        ordinals: list[int] = []
        count = 0
        for i in range(n_days):
            day = dt.date.fromordinal(base + i)
            if self._compute_is_workday(day):
                count += 1
                ordinals.append(base + i)
            cumulative[i] = count
        self._cumulative = cumulative
        self._workday_ordinals = ordinals

    def _compute_is_workday(self, day: dt.date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    def _index(self, day: dt.date) -> int:
        i = day.toordinal() - self._base
        if not 0 <= i < len(self._cumulative):
            raise ValueError(f"{day} is outside the calendar ({FIRST_DAY}–{LAST_DAY})")
        return i

    def is_workday(self, day: dt.date) -> bool:
        i = self._index(day)
        return self._cumulative[i] != (self._cumulative[i - 1] if i else 0)

    def add_wd(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after `day` (n = 0 gives `day` itself)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return day
        k = self._cumulative[self._index(day)] + n - 1
        if k >= len(self._workday_ordinals):
            raise ValueError(f"{n} working days after {day} is outside the calendar")
        return dt.date.fromordinal(self._workday_ordinals[k])

    def count_wd(self, start: dt.date, end: dt.date) -> int:
        """Working days in the interval (start, end]; 0 when end <= start."""
        if end <= start:
            return 0
        return self._cumulative[self._index(end)] - self._cumulative[self._index(start)]

    def is_provisional(self, start: dt.date, end: dt.date) -> bool:
        """Whether any day of (start, end] lies in a year the calendar does not cover."""
        first = min(start + dt.timedelta(days=1), end)
        return any(y not in self.covered_years for y in range(first.year, end.year + 1))

    def holidays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Weekdays in (start, end] that are holidays, with the holiday's name."""
        return [(d, self._holidays[d]) for d in self._weekday_holidays if start < d <= end]

    def makeup_workdays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Weekend days in (start, end] made working days (调休上班)."""
        return [(d, self._workdays[d]) for d in self._weekend_workdays if start < d <= end]


@lru_cache(maxsize=8)
def build_calendar(overrides: frozenset[DayOverride], complete_years: frozenset[int]) -> WorkCalendar:
    """The calendar for one set of overrides, built once per process and revision."""
    return WorkCalendar(overrides, complete_years)


CHINA = ZoneInfo("Asia/Shanghai")


def china_today(now: dt.datetime) -> dt.date:
    """The date in China Standard Time at the instant `now` (which must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(CHINA).date()


_CALENDAR = "current_calendar"  # session.info key: (the transaction it was read in, the calendar)
_BY_STAMP: dict[str, WorkCalendar] = {}  # this process's calendars by the database's revision stamp


def current_calendar(session: Session, *, stamp: str | None = None) -> WorkCalendar:
    """The calendar as the database's overrides make it now.

    One small read per transaction: the revision stamp the database changes with every change of the
    overrides or confirmed years (webapp.models.calendar.CalendarRevision); the calendar itself is read
    and built only when this process has not seen that stamp. Within a transaction it is asked for once:
    a flush that writes an override or a confirmed year forgets it (`_forget_calendar`). `stamp`: the
    stamp when the caller has read it already, in this transaction (an intake, with the agency)."""
    real = session() if isinstance(session, scoped_session) else session
    cached = real.info.get(_CALENDAR)
    if cached is not None and cached[0] is not None and cached[0] is real.get_transaction():
        return cached[1]
    if stamp is None:
        stamp = real.connection().execute(select(CalendarRevision.__table__.c.stamp)).scalar()
    cal = _BY_STAMP.get(stamp) if stamp else None
    if cal is None:
        overrides = frozenset(
            DayOverride(o.day, o.is_workday, o.name)
            for o in session.execute(select(CalendarOverride)).scalars()
        )
        years = frozenset(session.execute(select(CalendarYear.year)).scalars())
        cal = build_calendar(overrides, years)
        if stamp:
            if len(_BY_STAMP) >= 8:
                _BY_STAMP.clear()
            _BY_STAMP[stamp] = cal
    real.info[_CALENDAR] = (real.get_transaction(), cal)
    return cal


@event.listens_for(Session, "before_flush")
def _forget_calendar(session: Session, flush_context: Any, instances: Any) -> None:
    if _CALENDAR in session.info and any(
        isinstance(o, CalendarOverride | CalendarYear)
        for o in itertools.chain(session.new, session.dirty, session.deleted)
    ):
        del session.info[_CALENDAR]


def year_overrides(session: Session, year: int) -> list[Any]:
    """The administrator's overrides in a year (CalendarOverride rows), by day."""
    return list(
        session.execute(
            select(CalendarOverride)
            .where(CalendarOverride.day >= dt.date(year, 1, 1), CalendarOverride.day <= dt.date(year, 12, 31))
            .order_by(CalendarOverride.day)
        ).scalars()
    )


def year_confirmation(session: Session, year: int) -> Any:
    """The CalendarYear row when an administrator has declared the year's notice entered, else None."""
    return session.get(CalendarYear, year)
