"""Agencies, staff accounts and bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash

from webapp.domain.access_codes import hash_secret
from webapp.domain.errors import ValidationError
from webapp.domain.states import ROLES
from webapp.i18n import _l
from webapp.models import Agency, ApiToken, LoginFailure, StaffSession, User, agency_members

AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9]{1,31}")

# Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane): about 40 ms a check on one
# core, so a login costs little, while each guess at a stolen hash costs as much. Hashes made earlier by
# werkzeug (scrypt, pbkdf2) still verify and are replaced by an argon2id hash at the next login.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8
# Login throttling per e-mail address: after LOCK_AFTER failed logins in a row the address is locked for
# LOCK_FIRST, doubled at each further LOCK_AFTER failures, at most LOCK_LONGEST; a login resets it, and
# so does a quiet FORGET_AFTER since the last failure. An address with an account counts on its user row,
# one without in login_failures (by the address's SHA-256): both answer alike, so the answers do not tell
# which addresses have accounts.
LOCK_AFTER = 5
LOCK_FIRST = dt.timedelta(minutes=15)
LOCK_LONGEST = dt.timedelta(hours=24)
FORGET_AFTER = LOCK_LONGEST
# Verified when the e-mail is unknown, so that answer takes as long as a wrong password.
_NO_SUCH_USER = PASSWORDS.hash("no such user")


def create_agency(session: Session, code: str, name: str, *, now: dt.datetime) -> Agency:
    errors = {}
    if not AGENCY_CODE.fullmatch(code):
        errors["code"] = _l("机关代码应为2至32位大写字母或数字，以字母开头")
    elif session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none():
        errors["code"] = _l("该机关代码已存在")
    if not name.strip():
        errors["name"] = _l("必填")
    if errors:
        raise ValidationError(_l("机关信息有误"), errors)
    agency = Agency(code=code, name=name.strip(), rules={}, report_settings={}, created_at=now)
    session.add(agency)
    session.flush()
    return agency


def create_user(
    session: Session,
    email: str,
    *,
    role: str,
    agencies: list[Agency],
    now: dt.datetime,
    password: str | None = None,
    name: str = "",
) -> User:
    errors = {}
    email = email.strip().lower()
    if "@" not in email:
        errors["email"] = _l("电子邮箱格式不正确")
    elif session.execute(select(User).where(User.email == email)).scalar_one_or_none():
        errors["email"] = _l("该用户已存在")
    if role not in ROLES:
        errors["role"] = _l("应为以下之一：%(values)s", values="、".join(ROLES))
    if role != "admin" and not agencies:
        errors["agency"] = _l("经办人和负责人须属于至少一个机关")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _l("密码至少8位")
    if errors:
        raise ValidationError(_l("用户信息有误"), errors)
    user = User(
        email=email,
        name=name,
        role=role,
        active=True,
        created_at=now,
        password_hash=hash_password(password) if password else None,
    )
    user.agencies = list(agencies)
    session.add(user)
    session.flush()
    return user


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """The password against a stored hash: argon2id, or an older werkzeug hash (scrypt, pbkdf2)."""
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return PASSWORDS.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:  # not a hash werkzeug knows
        return False


def check_password(user: User, password: str) -> bool:
    """Whether the active user's password is right; a right one kept in an older or weaker hash is
    hashed again with today's parameters (the caller commits). The password is checked even for a
    deactivated account or one without a password, so that every answer takes as long."""
    if not user.password_hash:
        dummy_password_check(password)
        return False
    right = verify_password(user.password_hash, password)
    if not user.active or not right:
        return False
    stored = user.password_hash or ""
    if not stored.startswith("$argon2") or PASSWORDS.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return True


def dummy_password_check(password: str) -> None:
    """As long as checking a password, for an e-mail that has no account."""
    verify_password(_NO_SUCH_USER, password)


def set_password(session: Session, user: User, password: str) -> None:
    """A new password: every session of the user ends (they log in again with it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("用户信息有误"), {"password": _l("密码至少8位")})
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_login_at = None
    end_sessions(user)
    session.flush()


def end_sessions(user: User, *, now: dt.datetime | None = None) -> None:
    """Log the user out everywhere: every session begun before this ends at its next request (its row
    is revoked, and the raised generation no longer matches what it was bound to)."""
    user.session_generation = (user.session_generation or 0) + 1
    session = object_session(user)
    if session is not None and user.id is not None:
        session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=now or dt.datetime.now(dt.UTC))
        )


def locked_until(user: User | LoginFailure | None, *, now: dt.datetime) -> dt.datetime | None:
    """When the account's (or the unknown address's) login lockout ends, if it is locked now."""
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return user.locked_until
    return None


def login_failed(user: User | LoginFailure, *, now: dt.datetime) -> dt.datetime | None:
    """Count a failed login; at every LOCK_AFTER-th in a row the account is locked. Returns the end of
    the lockout this failure began, if any (the caller commits)."""
    last = user.last_failed_login_at
    if last is not None and now - last >= FORGET_AFTER and locked_until(user, now=now) is None:
        user.failed_logins = 0  # a quiet day: the run of failures is over
    user.failed_logins = (user.failed_logins or 0) + 1
    user.last_failed_login_at = now
    if user.failed_logins % LOCK_AFTER:
        return None
    doublings = min(user.failed_logins // LOCK_AFTER - 1, 16)
    user.locked_until = now + min(LOCK_FIRST * 2**doublings, LOCK_LONGEST)
    return user.locked_until


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def forgotten_failures(now: dt.datetime) -> ColumnElement[bool]:
    """The unknown addresses' counts nobody has added to for FORGET_AFTER and that lock nothing."""
    stale = LoginFailure.last_failed_login_at < now - FORGET_AFTER
    unlocked = LoginFailure.locked_until.is_(None) | (LoginFailure.locked_until <= now)
    return stale & unlocked


def unknown_address(session: Session, email: str) -> LoginFailure | None:
    """The failed-login count of an address that has no account, if it has failed before."""
    return session.get(LoginFailure, email_hash(email))


def unknown_address_failed(session: Session, email: str, *, now: dt.datetime) -> dt.datetime | None:
    """Count a failed login at an address without an account, exactly as login_failed counts an
    account's. The first failure makes its row (and deletes the rows nobody has failed at for
    FORGET_AFTER, whose counts are forgotten anyway). The caller commits."""
    key = email_hash(email)
    row = session.get(LoginFailure, key)
    if row is None:
        session.execute(delete(LoginFailure).where(forgotten_failures(now)))
        try:
            with session.begin_nested():
                row = LoginFailure(email_hash=key, failed_logins=0)
                session.add(row)
        except IntegrityError:  # a concurrent failure at the same address made it first
            row = session.get_one(LoginFailure, key)
    return login_failed(row, now=now)


def login_succeeded(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_login_at = None


def issue_token(
    session: Session, user: User, *, now: dt.datetime, label: str = "", issued_by: User | None = None
) -> str:
    """A new bearer token for the user; only its hash is kept, so this is the one time it is seen.
    `issued_by`: the administrator issuing it (who may, webapp.authz.may_issue_token, is the caller's
    to check); None for the operator's command line."""
    token = "gd_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_secret(token),
            label=label,
            created_at=now,
            issued_by_id=issued_by.id if issued_by else None,
        )
    )
    session.flush()
    return token


def token_row(session: Session, token: str, *, now: dt.datetime) -> ApiToken | None:
    """The live token row of an active user (its last use noted), or None."""
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    row.last_used_at = now
    return row


def user_for_token(session: Session, token: str, *, now: dt.datetime) -> User | None:
    row = token_row(session, token, now=now)
    return row.user if row is not None else None


def revoke_token(session: Session, token_id: int, *, now: dt.datetime) -> None:
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.flush()


def revoke_user_tokens(session: Session, user: User, *, now: dt.datetime) -> int:
    rows = session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalars()
    count = 0
    for row in rows:
        row.revoked_at = now
        count += 1
    session.flush()
    return count


def update_agency(session: Session, agency: Agency, *, name: str) -> Agency:
    if not name.strip():
        raise ValidationError(_l("机关信息有误"), {"name": _l("必填")})
    if len(name.strip()) > 200:
        raise ValidationError(_l("机关信息有误"), {"name": _l("不能超过%(limit)s个字符", limit=200)})
    agency.name = name.strip()
    session.flush()
    return agency


def set_parent(session: Session, agency: Agency, parent: Agency | None) -> Agency:
    """The people's government the agency reports to (docs/rules.md §Roll-up), None for none; flushes.
    Refused (422 on `parent`) for the agency itself or one below it, whose report it would then add up
    in a circle."""
    if parent is not None:
        if parent.id == agency.id:
            raise ValidationError(_l("上级政府设置有误"), {"parent": _l("不能选择本机关")})
        above: Agency | None = parent
        seen: set[int] = set()
        while above is not None and above.id not in seen:
            if above.parent_id == agency.id:
                raise ValidationError(
                    _l("上级政府设置有误"),
                    {"parent": _l("%(code)s 属于本机关，不能作为本机关的上级政府", code=parent.code)},
                )
            seen.add(above.id)
            above = session.get(Agency, above.parent_id) if above.parent_id is not None else None
    agency.parent_id = parent.id if parent is not None else None
    session.flush()
    return agency


FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 2008, 2100


def set_catalogue_count(session: Session, agency: Agency, year: int, count: int | None) -> None:
    """依申请公开信息目录数 of a report year (report_settings["catalogue_counts"]); None removes it."""
    errors = {}
    if not FIRST_REPORT_YEAR <= year <= LAST_REPORT_YEAR:
        errors["year"] = _l("年度应在%(first)s至%(last)s之间", first=FIRST_REPORT_YEAR, last=LAST_REPORT_YEAR)
    if count is not None and not 0 <= count <= 10_000_000:
        errors["count"] = _l("目录数应为不小于0的整数")
    if errors:
        raise ValidationError(_l("报表设置有误"), errors)
    settings = dict(agency.report_settings or {})
    raw = settings.get("catalogue_counts")
    counts = dict(raw) if isinstance(raw, dict) else {}
    if count is None:
        counts.pop(str(year), None)
    else:
        counts[str(year)] = count
    settings["catalogue_counts"] = dict(sorted(counts.items()))
    agency.report_settings = settings  # a new dict, so the JSON column is written
    session.flush()


def update_user(
    session: Session, user: User, *, name: str, role: str, agencies: list[Agency], actor: User | None
) -> list[str]:
    """A user's name, role and agencies changed (the caller checks the actor may grant them,
    webapp.authz.may_grant). An administrator changes neither their own role nor their own agencies (they
    would lock themselves out). Returns what changed, for the page's message."""
    errors = {}
    name = name.strip()
    if len(name) > 100:
        errors["name"] = _l("不能超过%(limit)s个字符", limit=100)
    if role not in ROLES:
        errors["role"] = _l("应为以下之一：%(values)s", values="、".join(ROLES))
    if role != "admin" and not agencies:
        errors["agencies"] = _l("经办人和负责人须属于至少一个机关")
    same_agencies = {a.id for a in agencies} == {a.id for a in user.agencies}
    if actor is not None and actor.id == user.id and (role != user.role or not same_agencies):
        errors["role"] = _l("不能修改自己的角色和所属机关")
    if errors:
        raise ValidationError(_l("用户信息有误"), errors)
    changed = []
    if name != (user.name or ""):
        changed.append("name")
    if role != user.role:
        changed.append("role")
    if not same_agencies:
        changed.append("agencies")
    user.name, user.role = name, role
    user.agencies = list(agencies)
    session.flush()
    return changed


def set_user_active(
    session: Session, user: User, *, active: bool, actor: User | None, now: dt.datetime
) -> None:
    """Deactivate (its tokens are revoked and its sessions end) or reactivate a staff account."""
    if actor is not None and actor.id == user.id and not active:
        raise ValidationError(_l("不能停用自己的账号"), {"user": _l("不能停用自己的账号")})
    user.active = active
    if not active:
        revoke_user_tokens(session, user, now=now)
        end_sessions(user, now=now)
    session.flush()


def list_agencies(session: Session) -> list[Agency]:
    return list(session.execute(select(Agency).order_by(Agency.code)).scalars())


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.role, User.email)).scalars())


def agency_staff(session: Session, agency_id: int) -> list[User]:
    """Active officers and heads of an agency: those a request may be assigned to."""
    return list(
        session.execute(
            select(User)
            .join(agency_members, agency_members.c.user_id == User.id)
            .where(
                agency_members.c.agency_id == agency_id,
                User.active.is_(True),
                User.role.in_(("officer", "head")),
            )
            .order_by(User.email)
        ).scalars()
    )


def list_tokens(session: Session) -> list[ApiToken]:
    return list(
        session.execute(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars()
    )
