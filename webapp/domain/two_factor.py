"""Two-factor sign-in for staff: an authenticator app's codes (TOTP, webapp/domain/totp.py) and recovery
codes, after the password (docs/security.md, "Two-factor sign-in").

Who must use it (STAFF_2FA): `admins` — administrators, and the officers and heads of every agency whose
administrator requires it for its staff; `all` — everyone; `off` — nobody is asked (a single sign-on in
front does it). Anyone not required may enrol of their own accord, and is then asked at every login.

The secret is stored encrypted (Fernet, with a key derived from SECRET_KEY: the database alone does not
reveal it); a code is accepted for the step before, the step of and the step after now, and never twice
(the step of the last accepted code is kept and moved forward in one conditional UPDATE, so two requests
racing with the same code cannot both pass). Recovery codes: RECOVERY_CODES of them, 60 random bits each,
kept only as an HMAC keyed from SECRET_KEY, each used once (marked used in one conditional UPDATE).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from webapp.domain import totp
from webapp.domain.access_codes import ACCESS_CODE_ALPHABET
from webapp.domain.accounts import end_sessions
from webapp.domain.errors import ValidationError
from webapp.i18n import _l
from webapp.models import Agency, RecoveryCode, User

MODES = ("admins", "all", "off")
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 12  # of a 32-letter alphabet: 60 bits
ISSUER = "政府信息公开申请"
WRONG_CODE = _l("验证码不正确或已使用过")


def mode(config_value: object) -> str:
    """STAFF_2FA as set; anything unknown counts as the default (config.py refuses it at start)."""
    value = str(config_value or "admins").strip().lower()
    return value if value in MODES else "admins"


def enrolled(user: User) -> bool:
    return user.totp_secret is not None and user.totp_confirmed_at is not None


def required(user: User, setting: object) -> bool:
    """Whether the user must have a second factor before reaching any staff page."""
    chosen = mode(setting)
    if chosen == "off":
        return False
    if chosen == "all" or user.role == "admin":
        return True
    return any(agency.staff_2fa_required for agency in user.agencies)


def asks_code(user: User, setting: object) -> bool:
    """Whether the login asks this user for a code after the password."""
    return mode(setting) != "off" and enrolled(user)


def must_enrol(user: User, setting: object) -> bool:
    return required(user, setting) and not enrolled(user)


# -- the secret ------------------------------------------------------------------------------------------


def _cipher(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"gov-disclosure staff totp secret\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _recovery_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"gov-disclosure staff recovery codes\x00" + secret_key.encode()).digest()


def stored_secret(user: User, secret_key: str) -> str | None:
    """The user's TOTP secret in clear; None when there is none or it was stored under another
    SECRET_KEY (then only a recovery code, or an administrator's reset, lets the user in)."""
    if not user.totp_secret:
        return None
    try:
        return _cipher(secret_key).decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        return None


def begin_enrolment(session: Session, user: User, *, secret_key: str) -> str:
    """The secret to show for enrolment: the one under way (so a page reloaded while the app is being set
    up stays valid), or a new one."""
    if enrolled(user):
        raise ValidationError(_l("已启用两步验证"), {"code": _l("已启用两步验证")})
    secret = stored_secret(user, secret_key)
    if secret is None:
        secret = totp.new_secret()
        user.totp_secret = _cipher(secret_key).encrypt(secret.encode()).decode()
        user.totp_last_step = None
        session.flush()
    return secret


def confirm_enrolment(
    session: Session, user: User, code: str, *, secret_key: str, now: dt.datetime
) -> list[str]:
    """Finish enrolment with a code of the new secret; returns the recovery codes (shown once)."""
    secret = None if enrolled(user) else stored_secret(user, secret_key)
    step = totp.matching_step(secret, normalise(code), now.timestamp()) if secret else None
    if step is None:
        raise ValidationError(_l("验证码不正确"), {"code": WRONG_CODE})
    user.totp_confirmed_at = now
    user.totp_last_step = step
    return new_recovery_codes(session, user, secret_key=secret_key, now=now)


def new_recovery_codes(session: Session, user: User, *, secret_key: str, now: dt.datetime) -> list[str]:
    """RECOVERY_CODES new codes in place of the user's earlier ones (used or not)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    key = _recovery_key(secret_key)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_code(key, code), created_at=now) for code in codes
    )
    session.flush()
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _hash_code(key: bytes, code: str) -> str:
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str:
    """What the user typed, without spaces and dashes, in capitals."""
    return "".join(c for c in code.upper() if c.isalnum())


def remaining_recovery_codes(session: Session, user: User) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).scalar_one()
    )


# -- the login's second step -----------------------------------------------------------------------------


def verify(session: Session, user: User, code: str, *, secret_key: str, now: dt.datetime) -> str | None:
    """Check the second factor: "totp" or "recovery" when accepted (and used up), None otherwise."""
    typed = normalise(code)
    if len(typed) == totp.DIGITS and typed.isdigit():
        secret = stored_secret(user, secret_key)
        step = totp.matching_step(secret, typed, now.timestamp()) if secret else None
        if step is None:
            return None
        moved = session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # this code, or a later one, was used
            return None
        user.totp_last_step = step
        return "totp"
    if len(typed) != RECOVERY_CODE_LENGTH:
        return None
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(_recovery_key(secret_key), typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return "recovery" if used.rowcount == 1 else None  # type: ignore[attr-defined]


# -- turning it off ------------------------------------------------------------------------------------------


def disable(session: Session, user: User) -> None:
    """The user's second factor removed: secret and recovery codes (they may enrol again)."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


def reset(session: Session, user: User) -> None:
    """An administrator's reset (a lost phone): the second factor removed and every session of the user
    ended; at the next login the user enrols again if required."""
    disable(session, user)
    end_sessions(user)
    session.flush()


def set_agency_requirement(session: Session, agency: Agency, *, required: bool) -> None:
    agency.staff_2fa_required = required
    session.flush()
