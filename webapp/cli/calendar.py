"""`flask calendar …`: the working-day calendar's overrides and confirmed years."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from webapp.cli.common import now
from webapp.domain.calendar import current_calendar
from webapp.domain.requests import confirm_calendar_year, set_calendar_day
from webapp.extensions import db

calendar_group = AppGroup("calendar", help="The working-day calendar: overrides and confirmed years.")


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice(["workday", "holiday", "clear"]))
@click.argument("name", default="")
def set_day(day: dt.datetime, kind: str, name: str) -> None:
    """Make DAY a working day (调休上班) or a holiday, or clear the override; open due dates move."""
    is_workday = None if kind == "clear" else kind == "workday"
    moved = set_calendar_day(
        db.session(), day.date(), is_workday=is_workday, name=name, actor=None, now=now()
    )
    db.session.commit()
    click.echo(f"{day.date().isoformat()} {kind}; due dates moved on {moved} open requests")


@calendar_group.command("confirm-year")
@click.argument("year", type=int)
@click.option("--note", default="")
def confirm_year(year: int, note: str) -> None:
    """Declare YEAR's holiday notice entered in full: its due dates stop being provisional."""
    moved = confirm_calendar_year(db.session(), year, note=note, actor=None, now=now())
    db.session.commit()
    click.echo(f"{year} confirmed; due dates changed on {moved} open requests")


@calendar_group.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """List YEAR's weekday holidays and weekend working days, and whether the year is covered."""
    cal = current_calendar(db.session())
    start, end = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    covered = (
        "covered"
        if year in cal.covered_years
        else "NOT covered: due dates counted on weekends and the fixed-date holidays only"
    )
    click.echo(f"{year}: {covered}")
    for day, name in cal.holidays_between(start, end):
        click.echo(f"{day.isoformat()} holiday  {name}")
    for day, name in cal.makeup_workdays_between(start, end):
        click.echo(f"{day.isoformat()} workday  {name}")
