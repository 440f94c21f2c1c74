"""Property tests for the working-day calendar (docs/rules.md §Deadlines): add_wd / count_wd / is_workday /
overrides."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain.calendar import DayOverride, WorkCalendar, package_years

CAL = WorkCalendar()  # built once: construction precomputes ~36,000 days
PACKAGE_YEARS = package_years()
D = dt.date
ONE_DAY = dt.timedelta(days=1)

days = st.dates(min_value=D(2005, 1, 1), max_value=D(2030, 12, 31))
counts = st.integers(min_value=0, max_value=300)
positive = st.integers(min_value=1, max_value=300)
SETTINGS = settings(max_examples=300, deadline=None)


# 元旦, 劳动节, 国庆节 as 国务院令第795号 fixes them, written out here independently of the module.
FIXED_DATES = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def naive_is_workday(day: dt.date) -> bool:
    """The package's answer for the years it covers; beyond them, weekdays that are no fixed-date
    holiday."""
    if day.year in PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATES


def naive_count(start: dt.date, end: dt.date) -> int:
    n, day = 0, start + ONE_DAY
    while day <= end:
        n += naive_is_workday(day)
        day += ONE_DAY
    return n


@SETTINGS
@given(days, days, counts)
def test_add_wd_monotonic_in_day(d1: dt.date, d2: dt.date, n: int) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    assert CAL.add_wd(d1, n) <= CAL.add_wd(d2, n)


@SETTINGS
@given(days, positive, positive)
def test_add_wd_strictly_increasing_in_n(d: dt.date, n1: int, n2: int) -> None:
    if n1 == n2:
        n2 += 1
    n1, n2 = min(n1, n2), max(n1, n2)
    assert CAL.add_wd(d, n1) < CAL.add_wd(d, n2)
    assert CAL.add_wd(d, n1) < CAL.add_wd(d, n1 + 1)


@SETTINGS
@given(days, positive)
def test_add_wd_is_a_later_working_day(d: dt.date, n: int) -> None:
    result = CAL.add_wd(d, n)
    assert result > d
    assert CAL.is_workday(result)
    assert naive_is_workday(result)


@SETTINGS
@given(days)
def test_add_wd_zero_and_one(d: dt.date) -> None:
    assert CAL.add_wd(d, 0) == d
    nxt = d + ONE_DAY
    while not naive_is_workday(nxt):
        nxt += ONE_DAY
    assert CAL.add_wd(d, 1) == nxt


@SETTINGS
@given(days, counts)
def test_count_inverts_add(d: dt.date, n: int) -> None:
    assert CAL.count_wd(d, CAL.add_wd(d, n)) == n


@SETTINGS
@given(days, st.integers(min_value=0, max_value=400))
def test_count_matches_naive_count(start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    assert CAL.count_wd(start, end) == naive_count(start, end)
    assert CAL.count_wd(end, start) == 0


@SETTINGS
@given(days)
def test_is_workday_matches_package(d: dt.date) -> None:
    assert CAL.is_workday(d) == naive_is_workday(d)


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_wd(D(2024, 1, 1), -1)


def test_outside_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        CAL.is_workday(D(2003, 12, 31))


# --- overrides ----------------------------------------------------------------------------------------

SATURDAY = D(2030, 3, 2)  # beyond the package: weekends only
MONDAY = D(2030, 3, 4)
OVERRIDDEN = WorkCalendar(
    [DayOverride(SATURDAY, True, "测试调休上班"), DayOverride(MONDAY, False, "测试假日")],
)


def test_overrides_change_is_workday() -> None:
    assert SATURDAY.weekday() == 5
    assert MONDAY.weekday() == 0
    assert not CAL.is_workday(SATURDAY)
    assert CAL.is_workday(MONDAY)
    assert OVERRIDDEN.is_workday(SATURDAY)
    assert not OVERRIDDEN.is_workday(MONDAY)
    assert OVERRIDDEN.makeup_workdays_between(SATURDAY - ONE_DAY, MONDAY) == [(SATURDAY, "测试调休上班")]
    assert OVERRIDDEN.holidays_between(SATURDAY, MONDAY) == [(MONDAY, "测试假日")]


def test_overrides_change_add_wd() -> None:
    friday = D(2030, 3, 1)
    # Plain: Mon Mar 4 = 1, Tue Mar 5 = 2. Overridden: Sat Mar 2 = 1, (Mon a holiday), Tue Mar 5 = 2.
    assert CAL.add_wd(friday, 1) == MONDAY
    assert OVERRIDDEN.add_wd(friday, 1) == SATURDAY
    assert CAL.add_wd(friday, 2) == D(2030, 3, 5)
    assert OVERRIDDEN.add_wd(friday, 2) == D(2030, 3, 5)
    assert OVERRIDDEN.add_wd(SATURDAY, 1) == D(2030, 3, 5)
    assert OVERRIDDEN.count_wd(friday, D(2030, 3, 8)) == CAL.count_wd(friday, D(2030, 3, 8)) == 5


def test_override_replaces_the_package() -> None:
    spring = D(2024, 2, 12)  # Mon, 春节 holiday in the package
    makeup = D(2024, 2, 4)  # Sun, 调休上班 in the package
    cal = WorkCalendar([DayOverride(spring, True, "本地上班"), DayOverride(makeup, False, "本地休息")])
    assert cal.is_workday(spring)
    assert not cal.is_workday(makeup)
    assert CAL.add_wd(D(2024, 2, 9), 1) == D(2024, 2, 18)  # Feb 10–17 off, Sun Feb 18 makeup
    assert cal.add_wd(D(2024, 2, 9), 1) == spring


@SETTINGS
@given(st.dates(min_value=D(2029, 1, 1), max_value=D(2031, 6, 30)), st.integers(min_value=0, max_value=400))
def test_overrides_shift_counts_by_one_day_each(start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    extra = int(start < SATURDAY <= end) - int(start < MONDAY <= end)
    assert OVERRIDDEN.count_wd(start, end) == CAL.count_wd(start, end) + extra


# --- concrete days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2024, 2, 10), False),  # Sat, 春节
        (D(2024, 2, 12), False),  # Mon, 春节
        (D(2024, 2, 9), True),  # Fri, 除夕: only encouraged as leave, officially a working day
        (D(2024, 2, 4), True),  # Sun, 春节 调休上班
        (D(2024, 2, 18), True),  # Sun, 春节 调休上班
        (D(2019, 9, 29), True),  # Sun, 国庆 调休上班
        (D(2019, 10, 12), True),  # Sat, 国庆 调休上班
        (D(2019, 10, 7), False),  # Mon, 国庆
        (D(2023, 10, 7), True),  # Sat, 国庆 调休上班
        (D(2026, 2, 28), True),  # Sat, 春节 调休上班
        (D(2027, 1, 1), False),  # Fri, beyond the package: 元旦, a date the law fixes
        (D(2027, 1, 4), True),  # Mon, beyond the package: a plain weekday until the notice says more
        (D(2027, 1, 2), False),  # Sat
        (D(2027, 2, 8), True),  # Mon, 除夕 2027: lunar holidays wait for the notice
        (D(2027, 5, 3), True),  # Mon, the notice may join it to 劳动节; until then a working day
        (D(2028, 10, 2), False),  # Mon, 国庆节
    ],
)
def test_concrete_days(day: dt.date, expected: bool) -> None:
    assert CAL.is_workday(day) is expected


def test_package_years() -> None:
    assert set(range(2004, 2027)) <= PACKAGE_YEARS
    assert CAL.covered_years >= PACKAGE_YEARS


def test_is_provisional() -> None:
    assert not CAL.is_provisional(D(2026, 1, 1), D(2026, 12, 31))
    assert CAL.is_provisional(D(2026, 12, 31), D(2027, 1, 1))
    assert not CAL.is_provisional(D(2026, 12, 30), D(2026, 12, 31))
    assert not WorkCalendar(complete_years={2027}).is_provisional(D(2026, 12, 31), D(2027, 1, 1))
