"""What the commands share: the clock, the domain's errors as click's, looking agencies and users up."""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select

from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import Agency, User


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fail(exc: DomainError) -> click.ClickException:
    """A domain error as the command's error message, with its fields."""
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return click.ClickException(f"{exc.message}" + (f" ({details})" if details else ""))


def agency(code: str) -> Agency:
    found = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"unknown agency {code}")
    return found


def agency_ids(code: str | None) -> list[int]:
    """The agency's id, or every agency's when no code is given."""
    return [agency(code).id] if code else list(db.session.execute(select(Agency.id)).scalars())


def user(email: str) -> User:
    found = db.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"unknown user {email}")
    return found
