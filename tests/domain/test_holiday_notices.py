"""The State Council's holiday notices read from their text (webapp/domain/holiday_notices.py): the real
notices for 2019–2026 (tests/data/holiday_notices/, as published) agree day by day with the
`chinese_calendar` package, and a notice applied stores its year and moves open due dates once, naming
the administrator who applied it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from tests.factories import make_request
from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.errors import Forbidden, ValidationError
from webapp.domain.holiday_notices import compare, parse_notice, year_grid
from webapp.domain.requests import apply_holiday_notice, set_calendar_day
from webapp.models import CalendarOverride, CalendarYear

D = dt.date
NOTICES = Path(__file__).resolve().parents[1] / "data" / "holiday_notices"
YEARS = range(2019, 2027)

# Days where a later notice of the State Council changed a year's arrangement after the one kept here, as
# the package has it: 国务院办公厅关于调整2019年劳动节假期安排的通知 (2019-03-22: 5月1日至4日放假，4月28日、
# 5月5日上班) and 国务院办公厅关于延长2020年春节假期的通知 (2020-01-27: 延长至2月2日，2月1日不再上班).
AMENDED = {
    D(2019, 4, 28),
    D(2019, 5, 2),
    D(2019, 5, 3),
    D(2019, 5, 4),
    D(2019, 5, 5),
    D(2020, 1, 31),
    D(2020, 2, 1),
    D(2020, 2, 2),
}


def notice_text(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", YEARS)
def test_each_real_notice_agrees_with_chinese_calendar_day_by_day(year: int):
    notice = parse_notice(notice_text(year))
    assert notice.year == year
    assert notice.workdays and len(notice.holidays) >= 27
    for day in notice.days():
        if day in AMENDED:
            continue
        assert notice.is_workday(day) == chinese_calendar.is_workday(day), day
        assert (day in notice.workdays) == (day in chinese_calendar.workdays), day
        if day in notice.holidays:
            # every day off announced is a holiday of the package, except the weekend the 2024 notice's
            # 端午节 (Monday 6月10日, "与周末连休") joins, which the package leaves a plain weekend
            assert day in chinese_calendar.holidays or day in (D(2024, 6, 8), D(2024, 6, 9)), day
        elif day.year == year and day in chinese_calendar.holidays:
            # a day off of the package missing from this notice belongs to the next year's (元旦)
            following = parse_notice(notice_text(year + 1)) if year + 1 in YEARS else None
            assert following is not None and day in following.holidays, day


def test_the_amended_days_are_exactly_where_the_later_notices_differ():
    differ = set()
    for year in YEARS:
        notice = parse_notice(notice_text(year))
        differ |= {d for d in notice.days() if notice.is_workday(d) != chinese_calendar.is_workday(d)}
    assert differ == {
        D(2019, 4, 28),
        D(2019, 5, 2),
        D(2019, 5, 3),
        D(2019, 5, 5),
        D(2020, 1, 31),
        D(2020, 2, 1),
    }


def test_ranges_makeup_days_years_and_weekend_joins_as_written():
    n2026 = parse_notice(notice_text(2026))
    assert [d for d in n2026.holidays if d.month == 2] == [D(2026, 2, d) for d in range(15, 24)]
    assert sorted(n2026.workdays) == [
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)
    ]  # fmt: skip
    assert n2026.holidays[D(2026, 10, 7)] == "国庆节"
    n2019 = parse_notice(notice_text(2019))  # begins in the year before, with its 上班 Saturday
    assert D(2018, 12, 30) in n2019.holidays and D(2018, 12, 29) in n2019.workdays
    assert {D(2019, 4, 5), D(2019, 4, 6), D(2019, 4, 7)} <= set(n2019.holidays)  # 与周末连休 (Friday)
    n2024 = parse_notice(notice_text(2024))
    assert {D(2023, 12, 30), D(2023, 12, 31), D(2024, 1, 1)} <= set(n2024.holidays)  # Monday, joined back
    assert D(2024, 2, 9) not in n2024.holidays  # 鼓励…安排职工在除夕（2月9日）休息: not a holiday
    assert D(2025, 1, 1) in parse_notice(notice_text(2025)).holidays
    assert not {d for d in parse_notice(notice_text(2025)).holidays if d.month == 11}  # the preamble's dates


def test_bu_xiu_a_day_given_back_is_a_day_off_and_a_year_may_be_given():
    text = "一、元旦：1月1日放假，1月2日（星期四）补休。\n二、清明节：4月5日放假，4月7日（星期一）补休。"
    notice = parse_notice(text, year=2014)
    assert set(notice.holidays) == {D(2014, 1, 1), D(2014, 1, 2), D(2014, 4, 5), D(2014, 4, 7)}
    assert not notice.workdays


@pytest.mark.parametrize(
    ("text", "year", "field", "message"),
    [
        ("一、元旦：1月1日放假。", None, "year", "未写明年度"),
        (notice_text(2026), 2025, "year", "2026"),
        ("国务院办公厅关于2026年部分节假日安排的通知。放假安排另行通知。", None, "text", "逐项安排"),
        ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日（周五）放假。", None, "text", "周五"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日至4日放假，共3天。",
            None,
            "text",
            "3天",
        ),
        ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：2月30日放假。", None, "text", "不存在"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日放假。1月1日上班。",
            None,
            "text",
            "既放假又上班",
        ),
        ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月4日上班。", None, "text", "放假的日期"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1990年1月1日放假。",
            None,
            "text",
            "不在2026年前后",
        ),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：2027年12月31日至1月2日放假。",
            None,
            "text",
            "不在",
        ),
    ],
)
def test_a_notice_that_cannot_be_read_is_refused_naming_the_field(text, year, field, message):
    with pytest.raises(ValidationError) as err:
        parse_notice(text, year=year)
    assert list(err.value.fields) == [field] and message in str(err.value.fields[field])


def test_compare_and_the_grid_show_each_day_beside_the_stored_calendar():
    notice = parse_notice(notice_text(2026))
    assert compare(notice, WorkCalendar()) == []  # the package holds 2026
    bare = WorkCalendar(use_package=False)  # weekends only
    changes = {c.day: c for c in compare(notice, bare)}
    assert changes[D(2026, 1, 1)].notice_workday is False and changes[D(2026, 1, 1)].stored_workday is True
    assert changes[D(2026, 1, 4)].notice_workday is True and changes[D(2026, 1, 4)].name == "元旦"
    assert D(2026, 1, 3) not in changes  # a Saturday off either way
    months = year_grid(notice, bare)
    cells = [c for week in months[0] for c in week if c is not None]
    assert len(months) == 12 and len(cells) == 31 and all(len(week) == 7 for week in months[0])
    first = cells[0]
    assert first.day == D(2026, 1, 1) and first.kind == "holiday" and first.differs
    assert cells[3].kind == "makeup" and cells[3].differs and not cells[2].differs


def test_a_notice_applied_stores_its_year_and_moves_open_due_dates_once(
    session: Any, now: dt.datetime, world: Any
):
    req, _ = make_request(session, now, world["agency"], received_on=D(2024, 6, 3))
    due = req.due_on
    set_calendar_day(session, D(2024, 6, 28), is_workday=False, name="地方", actor=world["admin"], now=now)
    assert req.due_on == current_calendar(session).add_wd(due, 1)
    events = len(req.events)
    changes, moved = apply_holiday_notice(
        session, parse_notice(notice_text(2024)), note="国办发明电〔2023〕7号", actor=world["admin"], now=now
    )
    assert [(c.day, c.notice_workday) for c in changes] == [(D(2024, 6, 28), True)]
    assert moved == 1 and req.due_on == due
    assert len(req.events) == events + 1
    event = req.events[-1]
    assert event.type == "due_recomputed" and event.actor_id == world["admin"].id
    assert "2024年节假日安排已按国务院办公厅通知录入" in event.note
    assert session.get(CalendarOverride, D(2024, 6, 28)).is_workday is True
    assert session.get(CalendarYear, 2024).note == "国办发明电〔2023〕7号"
    # Applied again: nothing differs, nothing moves.
    changes, moved = apply_holiday_notice(
        session, parse_notice(notice_text(2024)), note="", actor=world["admin"], now=now
    )
    assert changes == [] and moved == 0 and len(req.events) == events + 1


def test_only_administrators_apply_a_notice(session: Any, now: dt.datetime, world: Any):
    with pytest.raises(Forbidden):
        apply_holiday_notice(session, parse_notice(notice_text(2026)), note="", actor=world["head"], now=now)
