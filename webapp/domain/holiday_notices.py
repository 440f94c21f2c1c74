"""The State Council's yearly holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知) read from its
text as published (docs/rules.md §The calendar in one paste).

Each numbered item ("二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
2月14日（周六）、2月28日（周六）上班。") gives days off — a range "A至B", a single day, the days it joins
("与周末连休": the adjacent Saturday and Sunday), days "补休" — and makeup working days ("上班"). Weekdays
written in brackets are checked against the dates, "共N天" against the range, and a day cannot be both off
and a working day. Nothing outside the numbered items is read (the preamble, the closing paragraphs, the
signature's date). `compare()` sets the notice beside a stored calendar, day by day.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from webapp.domain.calendar import WorkCalendar
from webapp.domain.dates import reader_date
from webapp.domain.errors import ValidationError
from webapp.i18n import _l

MAX_TEXT = 20_000
NUMERALS = "一二三四五六七八九十"
WEEKDAYS = "一二三四五六日"  # Monday … Sunday; 天 is Sunday too

_ITEM = re.compile(rf"(?:^|(?<=[。\s]))[{NUMERALS}]{{1,3}}、([^:。\d\s][^:。\d]{{0,19}}?):")
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_SPAN = re.compile(_DATE + r"(?:\([^)]*\))?(?:至" + _DATE + r")?")
_WEEKDAY_NOTE = re.compile(_DATE + r"\(([^)]*)\)")
_BRACKETS = re.compile(r"\([^)]*\)")
_COUNT = re.compile(r"共(\d{1,2})天")
_YEAR = re.compile(r"关于(\d{4})年部分节假日|现将(\d{4})年")


@dataclass(frozen=True)
class HolidayNotice:
    """The days a notice announces: each day off and each makeup working day, with its festival."""

    year: int
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]

    def is_workday(self, day: dt.date) -> bool:
        """The day as the notice makes it: its working days, its days off, else Monday–Friday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def days(self) -> list[dt.date]:
        """Every day of the year, and the days of another year the notice names (its first range may begin
        in December)."""
        first, last = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        named = {d for d in (*self.holidays, *self.workdays) if not first <= d <= last}
        span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        return sorted(named | set(span))


@dataclass(frozen=True)
class DayChange:
    """A day the notice makes other than the stored calendar does."""

    day: dt.date
    stored_workday: bool
    notice_workday: bool
    name: str


def _refuse(message: object) -> ValidationError:
    return ValidationError(_l("节假日安排通知无法识别"), {"text": message})


def normalise(text: str) -> str:
    """Full-width digits, brackets and colons as ASCII (NFKC), no spaces, one sentence mark."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("（", "(").replace("）", ")").replace("：", ":").replace("；", ";")
    return re.sub(r"[ \t\u3000\xa0]+", "", text)


def notice_year(text: str, year: int | None) -> int:
    found = _YEAR.search(text)
    named = int(found.group(1) or found.group(2)) if found else None
    if named is None and year is None:
        raise ValidationError(_l("通知中没有写明年度"), {"year": _l("通知未写明年度，请填写年度")})
    if named is not None and year is not None and named != year:
        raise ValidationError(_l("年度与通知不符"), {"year": _l("通知写的是%(named)s年", named=named)})
    chosen = named if named is not None else year
    assert chosen is not None  # noqa: S101 -- one of the two is set (checked above)
    if not 2005 <= chosen <= 2100:
        raise ValidationError(_l("年度超出日历范围"), {"year": _l("年度应在2005至2100之间")})
    return chosen


class _Dates:
    """Dates as the notice writes them: a year or month left out is the one before it (the notice's year
    at first), and a range ending in an earlier month ends in the next year."""

    def __init__(self, year: int) -> None:
        self.notice_year = year
        self.year, self.month = year, 0

    def day(self, year: str | None, month: str | None, day: str) -> dt.date:
        if year:
            self.year = int(year)
        if month:
            self.month = int(month)
        if not self.month:
            raise _refuse(_l("“%(day)s日”前没有月份", day=day))
        try:
            found = dt.date(self.year, self.month, int(day))
        except ValueError as exc:
            raise _refuse(_l("日期不存在：%(y)s年%(m)s月%(d)s日", y=self.year, m=self.month, d=day)) from exc
        return self.within(found)

    def within(self, day: dt.date) -> dt.date:
        """A notice names days of its year, and of the years either side (a range over New Year)."""
        if abs(day.year - self.notice_year) > 1:
            raise _refuse(_l("%(day)s不在%(year)s年前后", day=reader_date(day), year=self.notice_year))
        return day

    def span(self, m: re.Match[str]) -> list[dt.date]:
        start = self.day(m.group(1), m.group(2), m.group(3))
        if m.group(6) is None:
            return [start]
        end = self.day(m.group(4), m.group(5), m.group(6))
        if end < start and not m.group(4):
            if (end.month, end.day) == (2, 29):  # no 29 February the year after
                raise _refuse(_l("放假区间有误：%(a)s至%(b)s", a=reader_date(start), b=reader_date(end)))
            end = self.within(end.replace(year=end.year + 1))
            self.year = end.year
        if not 0 <= (end - start).days < 31:
            raise _refuse(_l("放假区间有误：%(a)s至%(b)s", a=reader_date(start), b=reader_date(end)))
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _check_weekdays(body: str, year: int) -> None:
    """Each "(星期六)" / "(周六)" written after a date names that date's weekday."""
    dates = _Dates(year)
    for m in _WEEKDAY_NOTE.finditer(body):
        noted = re.search(r"(?:星期|周)([一二三四五六日天])", m.group(4))
        try:
            day = dates.day(m.group(1), m.group(2), m.group(3))
        except ValidationError:
            continue  # "至23日(…)": the span reading below names the problem
        if noted:
            weekday = 6 if noted.group(1) == "天" else WEEKDAYS.index(noted.group(1))
            if day.weekday() != weekday:
                raise _refuse(_l("%(day)s不是%(weekday)s", day=reader_date(day), weekday=noted.group(0)))


def _read_item(name: str, body: str, year: int, notice: HolidayNotice) -> None:
    dates = _Dates(year)
    for sentence in filter(None, re.split(r"[。\n]", body)):
        plain = _BRACKETS.sub("", sentence)
        off: list[dt.date] = []
        pending: list[dt.date] = []
        joined = "连休" in plain and "周末" in plain
        for clause in re.split(r"[,;、]", plain):
            found = [d for m in _SPAN.finditer(clause) for d in dates.span(m)]
            pending += found
            if "上班" in clause:
                for d in pending:
                    notice.workdays[d] = name
                pending = []
            elif "放假" in clause or "补休" in clause:
                off += pending
                counted = _COUNT.search(plain)
                if counted and found and "至" in clause and len(found) != int(counted.group(1)):
                    raise _refuse(
                        _l(
                            "%(name)s：%(a)s至%(b)s不是%(n)s天",
                            name=name,
                            a=reader_date(found[0]),
                            b=reader_date(found[-1]),
                            n=counted.group(1),
                        )
                    )
                pending = []
        if joined:
            for d in list(off):
                step = 1 if d.weekday() == 4 else -1 if d.weekday() == 0 else 0
                if step:
                    off += [d + dt.timedelta(days=step), d + dt.timedelta(days=2 * step)]
        for d in off:
            notice.holidays[d] = name


def parse_notice(text: str, *, year: int | None = None) -> HolidayNotice:
    """Every day off and every makeup working day of the notice; ValidationError naming `text` or `year`
    when it cannot be read."""
    if len(text) > MAX_TEXT:
        raise _refuse(_l("通知过长（最多%(n)s字）", n=MAX_TEXT))
    plain = normalise(text)
    chosen = notice_year(plain, year)
    items = list(_ITEM.finditer(plain))
    if not items:
        raise _refuse(_l("没有找到“一、元旦：……”这样的逐项安排"))
    notice = HolidayNotice(chosen, {}, {})
    for i, item in enumerate(items):
        body = plain[item.end() : items[i + 1].start() if i + 1 < len(items) else len(plain)]
        body = re.split(r"节假日期间|鼓励单位和个人|国务院办公厅", body)[0]
        _check_weekdays(body, chosen)
        _read_item(item.group(1).strip("、"), body, chosen, notice)
    both = sorted(set(notice.holidays) & set(notice.workdays))
    if both:
        raise _refuse(_l("%(day)s既放假又上班", day=reader_date(both[0])))
    if not notice.holidays:
        raise _refuse(_l("没有找到放假的日期"))
    return notice


def compare(notice: HolidayNotice, cal: WorkCalendar) -> list[DayChange]:
    """The days the notice makes a working day or a day off otherwise than `cal` does."""
    out = []
    for day in notice.days():
        stored, wanted = cal.is_workday(day), notice.is_workday(day)
        if stored != wanted:
            out.append(
                DayChange(day, stored, wanted, notice.holidays.get(day) or notice.workdays.get(day, ""))
            )
    return out


@dataclass(frozen=True)
class GridDay:
    """One day of the year's calendar as the notice page draws it."""

    day: dt.date
    kind: str  # "workday", "weekend", "holiday" (a day off the notice names), "makeup" (上班)
    name: str
    stored_workday: bool

    @property
    def differs(self) -> bool:
        return self.stored_workday != (self.kind in ("workday", "makeup"))


def year_grid(notice: HolidayNotice, cal: WorkCalendar) -> list[list[list[GridDay | None]]]:
    """The notice's year month by month, each month in weeks from Monday (None before the 1st and after
    the last day), every day with what the notice and the stored calendar make of it."""
    months = []
    for month in range(1, 13):
        first = dt.date(notice.year, month, 1)
        weeks: list[list[GridDay | None]] = [[None] * first.weekday()]
        day = first
        while day.month == month:
            if day in notice.workdays:
                cell = GridDay(day, "makeup", notice.workdays[day], cal.is_workday(day))
            elif day in notice.holidays:
                cell = GridDay(day, "holiday", notice.holidays[day], cal.is_workday(day))
            else:
                cell = GridDay(day, "workday" if day.weekday() < 5 else "weekend", "", cal.is_workday(day))
            if len(weeks[-1]) == 7:
                weeks.append([])
            weeks[-1].append(cell)
            day += dt.timedelta(days=1)
        weeks[-1] += [None] * (7 - len(weeks[-1]))
        months.append(weeks)
    return months
