"""Flask commands (API.md, Command line): `flask --app webapp <command>`."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from sqlalchemy import select

from webapp.domain import accounts
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import Agency, User


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fail(exc: DomainError) -> click.ClickException:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return click.ClickException(f"{exc.message}" + (f" ({details})" if details else ""))


def register_cli(app: Flask) -> None:
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
