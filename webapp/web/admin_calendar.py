"""The administrator's calendar pages (on the admin blueprint of webapp/web/admin.py): the working-day
calendar of a year with its overrides, a day entered, a year confirmed, and the State Council's holiday
notice pasted whole (docs/rules.md §The calendar in one paste): read, drawn on the year's calendar beside
what is stored, and confirmed in one step. Agency administrators look; only the platform's changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain.calendar import FIRST_DAY, LAST_DAY, year_confirmation, year_overrides
from webapp.domain.dates import cn_date
from webapp.domain.errors import DomainError
from webapp.domain.holiday_notices import compare, parse_notice, year_grid
from webapp.domain.requests import apply_holiday_notice, confirm_calendar_year, set_calendar_day
from webapp.extensions import db
from webapp.i18n import _l, wants_english
from webapp.web.admin import bp
from webapp.web.admin_forms import CalendarDayForm, ConfirmYearForm, HolidayNoticeForm
from webapp.web.auth import staff
from webapp.web.common import calendar, now, today
from webapp.web.forms import show_domain_errors


def chosen_year() -> int:
    raw = request.args.get("year") or request.form.get("year") or ""
    year = int(raw) if raw.isdigit() else today().year
    return min(max(year, FIRST_DAY.year + 1), LAST_DAY.year - 1)


def calendar_page(
    year: int,
    *,
    day_form: CalendarDayForm | None = None,
    confirm: ConfirmYearForm | None = None,
    code: int = 200,
) -> Any:
    cal = calendar()
    start, end = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    return (
        render_template(
            "admin/calendar.html",
            year=year,
            covered=year in cal.covered_years,
            confirmation=year_confirmation(db.session(), year),
            holidays=cal.holidays_between(start, end),
            makeup=cal.makeup_workdays_between(start, end),
            overrides=year_overrides(db.session(), year),
            day_form=day_form or CalendarDayForm(formdata=None, prefix="day"),
            confirm=confirm or ConfirmYearForm(formdata=None, prefix="confirm"),
            editable=authz.may_edit_calendar(staff()),
        ),
        code,
    )


@bp.get("/calendar")
def calendar_view() -> Any:
    return calendar_page(chosen_year())


@bp.post("/calendar/days")
def calendar_day() -> Any:
    authz.require_platform_admin(staff())
    year = chosen_year()
    form = CalendarDayForm(prefix="day")
    if form.validate_on_submit() and form.day.data is not None:
        day = form.day.data
        if not FIRST_DAY < day < LAST_DAY:
            form.add_error("day", _l("日期超出日历范围"))
        else:
            moved = set_calendar_day(
                db.session(),
                day,
                is_workday=form.kind.data == "workday",
                name=form.name.data or "",
                actor=staff(),
                now=now(),
            )
            db.session.commit()
            flash(
                _l(
                    "已设置%(day)s；%(n)s件未办结申请的答复期限随之调整。",
                    day=cn_date(day, english=wants_english()),
                    n=moved,
                ),
                "success",
            )
            return redirect(url_for(".calendar_view", year=day.year))
    return calendar_page(year, day_form=form, code=422)


@bp.post("/calendar/days/<day>/clear")
def calendar_clear(day: str) -> Response:
    authz.require_platform_admin(staff())
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise NotFound() from exc
    moved = set_calendar_day(db.session(), date, is_workday=None, name="", actor=staff(), now=now())
    db.session.commit()
    flash(
        _l(
            "已删除%(day)s的调整；%(n)s件未办结申请的答复期限随之调整。",
            day=cn_date(date, english=wants_english()),
            n=moved,
        ),
        "success",
    )
    return redirect(url_for(".calendar_view", year=date.year))


@bp.post("/calendar/confirm")
def calendar_confirm() -> Any:
    authz.require_platform_admin(staff())
    year = chosen_year()
    form = ConfirmYearForm(prefix="confirm")
    if form.validate_on_submit():
        moved = confirm_calendar_year(db.session(), year, note=form.note.data or "", actor=staff(), now=now())
        db.session.commit()
        flash(
            _l(
                "已确认%(year)s年节假日安排录入完毕；%(n)s件未办结申请的答复期限随之调整。",
                year=year,
                n=moved,
            ),
            "success",
        )
        return redirect(url_for(".calendar_view", year=year))
    return calendar_page(year, confirm=form, code=422)


# -- the State Council's notice in one paste ------------------------------------------------------------


def notice_page(form: HolidayNoticeForm, *, code: int = 200) -> Any:
    """The paste form; after a reading, the notice's year drawn day by day beside the stored calendar."""
    reading = None
    if form.text.data and not form.errors:
        try:
            notice = parse_notice(form.text.data, year=form.year.data)
        except DomainError as exc:
            show_domain_errors(form, exc)
            code = 422
        else:
            cal = calendar()
            reading = {
                "notice": notice,
                "changes": compare(notice, cal),
                "months": year_grid(notice, cal),
                "confirmation": year_confirmation(db.session(), notice.year),
            }
    return render_template("admin/calendar_notice.html", form=form, reading=reading), code


@bp.get("/calendar/notice")
def calendar_notice() -> Any:
    authz.require_platform_admin(staff())
    return notice_page(HolidayNoticeForm(formdata=None))


@bp.post("/calendar/notice")
def calendar_notice_read() -> Any:
    """Read the pasted notice (nothing stored), or with `apply` store it as its year's calendar."""
    authz.require_platform_admin(staff())
    form = HolidayNoticeForm()
    if not form.validate_on_submit():
        return notice_page(form, code=422)
    if not form.apply.data:
        return notice_page(form)
    try:
        notice = parse_notice(form.text.data or "", year=form.year.data)
        changes, moved = apply_holiday_notice(
            db.session(),
            notice,
            note=f"国务院办公厅关于{notice.year}年部分节假日安排的通知",
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return notice_page(form, code=422)
    db.session.commit()
    flash(
        _l(
            "已按通知录入%(year)s年节假日安排并确认：%(days)s天随之调整，%(n)s件未办结申请的答复期限随之调整。",
            year=notice.year,
            days=len(changes),
            n=moved,
        ),
        "success",
    )
    return redirect(url_for(".calendar_view", year=notice.year))
