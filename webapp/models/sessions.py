"""Server-side records behind the browser cookies: staff sessions, citizens' tracking grants, and the
failed-login counts of e-mail addresses that have no account.

A cookie holds only a random key; the tables keep its SHA-256, so neither a copied cookie outlives the
row's revocation nor the table alone opens anything (webapp/web/auth.py, webapp/web/tracking.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import User
from webapp.models.base import Base


class StaffSession(Base):
    """One login of a staff member on the pages: open until logout, revocation or expiry."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the user's session generation and password hash at login: a new password or a raised
    # generation (logout everywhere, deactivation) ends the session even if the row was not revoked.
    binding: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """Failed logins at an e-mail address without an account, counted as an account's are (its
    `failed_logins`, `locked_until`, `last_failed_login_at`), so both answer alike."""

    __tablename__ = "login_failures"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    last_failed_login_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class TrackingGrant(Base):
    """A browser's right to see one request, given by its number and access code (or by submitting it).

    The browser's cookie holds the random key whose SHA-256 is `key_hash`; one key covers every request
    the browser opened. `receipt` is the access code of a request the browser has just submitted,
    encrypted with a key derived from the cookie's key (the database alone cannot read it), for the
    receipt page; "forget" revokes every grant of the key and erases the receipt.
    """

    __tablename__ = "tracking_grants"
    __table_args__ = (UniqueConstraint("key_hash", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # the unique constraint's index serves it
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    revoked_at: Mapped[dt.datetime | None]
    receipt: Mapped[str | None] = mapped_column(Text)


class PasswordReset(Base):
    """A password-reset link sent by e-mail (webapp/domain/password_resets.py): single-use, expiring.

    The link's token is an HMAC of `nonce` under the application's SECRET_KEY, so the table alone opens
    nothing; the relay computes it again when it writes the e-mail. Used (or superseded by a new password)
    once `used_at` is set."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
