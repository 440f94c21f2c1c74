"""Agencies, staff users, passwords and bearer tokens: `create-agency`, `create-user`, `set-password`,
`create-token`, `revoke-token`, `reset-2fa`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import agency, fail, now, user
from webapp.domain import accounts, two_factor
from webapp.domain.errors import DomainError
from webapp.extensions import db


@click.command("create-agency")
@click.argument("code")
@click.argument("name")
@click.option("--parent", default=None, help="code of the people's government it reports to")
@with_appcontext
def create_agency(code: str, name: str, parent: str | None) -> None:
    """Create an agency (行政机关) with its code and name; `--parent`: the government whose annual report
    rolls it up (docs/rules.md §Roll-up)."""
    government = agency(parent) if parent else None
    try:
        created = accounts.create_agency(db.session(), code, name, now=now())
    except DomainError as exc:
        raise fail(exc) from exc
    created.parent_id = government.id if government else None
    db.session.commit()
    click.echo(f"created agency {created.code} {created.name}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["officer", "head", "admin"]), required=True)
@click.option("--agency", "agency_codes", multiple=True, help="agency code (repeatable)")
@click.option("--password", default=None)
@click.option("--name", default="")
@with_appcontext
def create_user(
    email: str, role: str, agency_codes: tuple[str, ...], password: str | None, name: str
) -> None:
    """Create a staff user with a role and agency membership."""
    agencies = [agency(code) for code in agency_codes]
    try:
        created = accounts.create_user(
            db.session(), email, role=role, agencies=agencies, password=password, name=name, now=now()
        )
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(f"created {created.role} {created.email}")


@click.command("set-password")
@click.argument("email")
@click.password_option("--password", help="the new password (asked for when not given)")
@with_appcontext
def set_password(email: str, password: str) -> None:
    """Set a staff user's password; every session of theirs ends and any login lockout is lifted."""
    found = user(email)
    try:
        accounts.set_password(db.session(), found, password)
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(f"password of {found.email} set; their sessions have ended")


@click.command("create-token")
@click.argument("email")
@click.option("--label", default="")
@with_appcontext
def create_token(email: str, label: str) -> None:
    """Issue a bearer token for a user; the token is printed on the last line."""
    found = user(email)
    token = accounts.issue_token(db.session(), found, label=label, now=now())
    db.session.commit()
    click.echo(f"token for {found.email} ({found.role}); keep it secret, it is shown only once:")
    click.echo(token)


@click.command("revoke-token")
@click.argument("email")
@with_appcontext
def revoke_token(email: str) -> None:
    """Revoke every bearer token of a user (they stop working at once)."""
    found = user(email)
    count = accounts.revoke_user_tokens(db.session(), found, now=now())
    db.session.commit()
    click.echo(f"revoked {count} token(s) of {found.email}")


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Remove a staff user's second factor (a lost phone, no recovery code left); every session of
    theirs ends, and at their next login they enrol again if they must."""
    found = user(email)
    two_factor.reset(db.session(), found)
    db.session.commit()
    click.echo(f"two-factor sign-in of {found.email} reset; their sessions have ended")


COMMANDS = (create_agency, create_user, set_password, create_token, revoke_token, reset_2fa)
