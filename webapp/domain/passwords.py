"""A staff member's own password: changed with the current one, or reset by an e-mailed link
(docs/security.md §Password reset): single-use, expiring after RESET_VALID, sent through the outbox; the
same answer whether or not the address has an account, and at most RESETS_PER_HOUR links a user per hour
(the page is rate-limited per client address too, webapp/security.py).

The link's token is `<row id>.<HMAC-SHA256 of the row's nonce under SECRET_KEY>`: the database alone
cannot make it, the relay computes it again when it writes the e-mail, and it is compared in constant time.
A reset used, or any new password of the user, ends every other link of that user; the new password ends
every session (accounts.set_password)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.domain.accounts import MIN_PASSWORD_LENGTH, check_password, set_password
from webapp.domain.errors import ValidationError
from webapp.i18n import _l
from webapp.models import OutboxMessage, PasswordReset, User

RESET_VALID = dt.timedelta(minutes=30)
RESETS_PER_HOUR = 3
NOTICE = "password_reset"


def token_of(reset: PasswordReset, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"password-reset:{reset.id}:{reset.nonce}".encode(), hashlib.sha256)
    return f"{reset.id}.{mac.hexdigest()}"


def request_reset(session: Session, email: str, *, now: dt.datetime) -> PasswordReset | None:
    """A link for the active account of `email`, queued in the outbox; None (and nothing written) for an
    unknown or inactive address, or a user who asked RESETS_PER_HOUR times in the last hour. The caller
    answers alike either way."""
    user = session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None or not user.active:
        return None
    recent = session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - dt.timedelta(hours=1))
    )
    if (recent or 0) >= RESETS_PER_HOUR:
        return None
    reset = PasswordReset(
        user_id=user.id, nonce=secrets.token_hex(32), created_at=now, expires_at=now + RESET_VALID
    )
    session.add(reset)
    session.flush()
    session.add(
        OutboxMessage(
            kind="account",
            delivery_key=f"password-reset:{reset.id}",
            payload={"notice": NOTICE, "reset_id": reset.id},
            created_at=now,
            next_attempt_at=now,
        )
    )
    session.flush()
    return reset


def reset_for(session: Session, token: str, *, secret: str, now: dt.datetime) -> PasswordReset | None:
    """The unused, unexpired reset of an active user that `token` opens, else None."""
    head, _, mac = token.partition(".")
    if not head.isdigit() or len(head) > 12 or len(mac) != 64:
        return None
    reset = session.get(PasswordReset, int(head))
    if reset is None or not hmac.compare_digest(token_of(reset, secret), token):
        return None
    if reset.used_at is not None or reset.expires_at <= now or not reset.user.active:
        return None
    return reset


def complete_reset(session: Session, token: str, password: str, *, secret: str, now: dt.datetime) -> User:
    """The new password set through the link: the link and every other of the user are used up, every
    session of the user ends. ValidationError on `token` (used, expired, wrong) or `password`."""
    reset = reset_for(session, token, secret=secret, now=now)
    if reset is None:
        raise ValidationError(
            _l("重置链接无效或已过期"), {"token": _l("链接无效、已使用或已过期，请重新申请")}
        )
    user = reset.user
    set_password(session, user, password)
    end_links(session, user, now=now)
    return user


def end_links(session: Session, user: User, *, now: dt.datetime) -> None:
    """Every unused link of the user used up (its password changed)."""
    unused = select(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
    for reset in session.execute(unused).scalars():
        reset.used_at = now
    session.flush()


def change_password(session: Session, user: User, current: str, new: str, *, now: dt.datetime) -> None:
    """The user's own new password, given the current one: every session of the user ends (the caller
    opens a new one for this browser) and every unused reset link with them. ValidationError naming
    `current_password` or `new_password`."""
    errors = {}
    if not check_password(user, current):
        errors["current_password"] = _l("当前密码不正确")
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = _l("密码至少8位")
    elif new == current:
        errors["new_password"] = _l("新密码不能与当前密码相同")
    if errors:
        raise ValidationError(_l("密码未修改"), errors)
    set_password(session, user, new)
    end_links(session, user, now=now)
