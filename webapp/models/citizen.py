"""Citizens' optional accounts (webapp/domain/citizens.py): one verified contact each, the one-time codes
that sign them in, their bearer tokens and the requests they claimed with number and access code.

A request needs no account: an account only lists the requests made with its contact or claimed, fills
in the next application and chooses how notices arrive (docs/rules.md §Citizens' accounts).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base


class Citizen(Base):
    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("contact_kind", "contact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_kind: Mapped[str] = mapped_column(String(8))  # email | phone
    contact: Mapped[str] = mapped_column(String(254))  # lower-case address, or the mobile's 11 digits
    notify: Mapped[str] = mapped_column(String(8), default="both")  # both | sms | email
    # raised by "sign out everywhere": every token and browser session of a lower generation is void
    generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime]


class CitizenCode(Base):
    """A one-time sign-in code sent to a contact: its SHA-256 only, valid 10 minutes, five tries."""

    __tablename__ = "citizen_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_kind: Mapped[str] = mapped_column(String(8))
    contact: Mapped[str] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[dt.datetime | None]


class CitizenToken(Base):
    """A citizen's bearer token (the API) or browser session (the pages): SHA-256 of a random key."""

    __tablename__ = "citizen_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[int]
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class CitizenClaim(Base):
    """A request added to an account by its number and access code."""

    __tablename__ = "citizen_claims"

    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime]
