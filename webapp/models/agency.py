"""Agencies, their staff, and the staff's API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, ForeignKey, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.domain.states import ROLES
from webapp.models.base import Base, in_check

agency_members = Table(
    "agency_members",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Rule overrides (e.g. the day `other`-channel requests count as received) and report settings
    # (依申请公开信息目录数 per year, letterhead, contact details), both small documents.
    rules: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    report_settings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    # Its officers and heads must sign in with a second factor (webapp/domain/two_factor.py).
    staff_2fa_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The people's government whose disclosure office rolls this agency's annual report up into the
    # government's own (docs/rules.md §Roll-up); None for a government and for an agency of no one's.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)

    def catalogue_count(self, year: int) -> int:
        """依申请公开信息目录数 for a report year, from the report settings."""
        counts = self.report_settings.get("catalogue_counts", {})
        value = counts.get(str(year), 0) if isinstance(counts, dict) else 0
        return int(value)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(in_check("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    # Raised to end every session of the user at once (logout everywhere, a new password, deactivation):
    # a session remembers the generation it began in (webapp/web/auth.py).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Login throttling: consecutive failed logins, and the lockout they caused (domain/accounts.py).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    last_failed_login_at: Mapped[dt.datetime | None]
    # Two-factor sign-in (webapp/domain/two_factor.py): the TOTP secret, encrypted with a key derived from
    # SECRET_KEY; confirmed once the user entered a code of it (until then the enrolment is under way);
    # the time step of the last code accepted, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_confirmed_at: Mapped[dt.datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    agencies: Mapped[list[Agency]] = relationship(secondary=agency_members, lazy="selectin")

    def belongs_to(self, agency_id: int) -> bool:
        return any(a.id == agency_id for a in self.agencies)


class ApiToken(Base):
    """A bearer token: only its SHA-256 is stored; revoked tokens stay for the record."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    # The administrator who issued it (webapp/authz.py may_issue_token); None: the operator's command
    # line (`flask create-token`). Events the token causes show it (Event.token).
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
