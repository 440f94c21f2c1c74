"""Flask commands (API.md, Command line): `flask --app webapp <command>`."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from sqlalchemy import select

from webapp.domain import accounts
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import DomainError
from webapp.domain.requests import confirm_calendar_year, set_calendar_day
from webapp.extensions import db
from webapp.models import Agency, User


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fail(exc: DomainError) -> click.ClickException:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return click.ClickException(f"{exc.message}" + (f" ({details})" if details else ""))


def register_cli(app: Flask) -> None:
    from webapp.reports.cli import register_report_cli
    from webapp.worker_cli import register_worker_cli

    register_calendar_cli(app)
    register_report_cli(app)
    register_worker_cli(app)

    @app.cli.command("create-agency")
    @click.argument("code")
    @click.argument("name")
    def create_agency(code: str, name: str) -> None:
        """Create an agency (行政机关) with its code and name."""
        try:
            agency = accounts.create_agency(db.session(), code, name, now=_now())
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"created agency {agency.code} {agency.name}")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["officer", "head", "admin"]), required=True)
    @click.option("--agency", "agency_codes", multiple=True, help="agency code (repeatable)")
    @click.option("--password", default=None)
    @click.option("--name", default="")
    def create_user(
        email: str, role: str, agency_codes: tuple[str, ...], password: str | None, name: str
    ) -> None:
        """Create a staff user with a role and agency membership."""
        agencies = []
        for code in agency_codes:
            agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
            if agency is None:
                raise click.ClickException(f"unknown agency {code}")
            agencies.append(agency)
        try:
            user = accounts.create_user(
                db.session(), email, role=role, agencies=agencies, password=password, name=name, now=_now()
            )
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"created {user.role} {user.email}")

    @app.cli.command("set-password")
    @click.argument("email")
    @click.password_option("--password", help="the new password (asked for when not given)")
    def set_password(email: str, password: str) -> None:
        """Set a staff user's password; every session of theirs ends and any login lockout is lifted."""
        user = db.session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"unknown user {email}")
        try:
            accounts.set_password(db.session(), user, password)
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"password of {user.email} set; their sessions have ended")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--label", default="")
    def create_token(email: str, label: str) -> None:
        """Issue a bearer token for a user; the token is printed on the last line."""
        user = db.session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"unknown user {email}")
        token = accounts.issue_token(db.session(), user, label=label, now=_now())
        db.session.commit()
        click.echo(f"token for {user.email} ({user.role}); keep it secret, it is shown only once:")
        click.echo(token)

    @app.cli.command("revoke-token")
    @click.argument("email")
    def revoke_token(email: str) -> None:
        """Revoke every bearer token of a user (they stop working at once)."""
        user = db.session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"unknown user {email}")
        count = accounts.revoke_user_tokens(db.session(), user, now=_now())
        db.session.commit()
        click.echo(f"revoked {count} token(s) of {user.email}")

    @app.cli.command("demo-data")
    @click.option("--requests", "count", default=400, show_default=True)
    @click.option("--seed", default=2013, show_default=True)
    @click.option("--if-empty", is_flag=True, help="only when the database has no agency yet")
    def demo_data(count: int, seed: int, if_empty: bool) -> None:
        """A demo agency, its users and a year of requests, for trying the product."""
        from webapp.demo import load_demo

        if if_empty and db.session.execute(select(Agency.id).limit(1)).first() is not None:
            click.echo("agencies exist: demo data not loaded")
            return
        click.echo("loading the demo agency, its users and a year of requests…")
        summary = load_demo(db.session(), count=count, seed=seed, now=_now())
        db.session.commit()
        for line in summary:
            click.echo(line)


def register_calendar_cli(app: Flask) -> None:
    calendar = click.Group("calendar", help="The working-day calendar: overrides and confirmed years.")
    app.cli.add_command(calendar)

    @calendar.command("set")
    @click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
    @click.argument("kind", type=click.Choice(["workday", "holiday", "clear"]))
    @click.argument("name", default="")
    def set_day(day: dt.datetime, kind: str, name: str) -> None:
        """Make DAY a working day (调休上班) or a holiday, or clear the override; open due dates move."""
        is_workday = None if kind == "clear" else kind == "workday"
        moved = set_calendar_day(
            db.session(), day.date(), is_workday=is_workday, name=name, actor=None, now=_now()
        )
        db.session.commit()
        click.echo(f"{day.date().isoformat()} {kind}; due dates moved on {moved} open requests")

    @calendar.command("confirm-year")
    @click.argument("year", type=int)
    @click.option("--note", default="")
    def confirm_year(year: int, note: str) -> None:
        """Declare YEAR's holiday notice entered in full: its due dates stop being provisional."""
        moved = confirm_calendar_year(db.session(), year, note=note, actor=None, now=_now())
        db.session.commit()
        click.echo(f"{year} confirmed; due dates changed on {moved} open requests")

    @calendar.command("show")
    @click.argument("year", type=int)
    def show(year: int) -> None:
        """List YEAR's weekday holidays and weekend working days, and whether the year is covered."""
        cal = current_calendar(db.session())
        start, end = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
        covered = (
            "covered" if year in cal.covered_years else "NOT covered: due dates counted on weekends only"
        )
        click.echo(f"{year}: {covered}")
        for day, name in cal.holidays_between(start, end):
            click.echo(f"{day.isoformat()} holiday  {name}")
        for day, name in cal.makeup_workdays_between(start, end):
            click.echo(f"{day.isoformat()} workday  {name}")
