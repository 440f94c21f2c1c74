"""Agencies, staff accounts and bearer tokens."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain.errors import ValidationError
from webapp.domain.requests import hash_secret
from webapp.domain.states import ROLES
from webapp.i18n import _l
from webapp.models import Agency, ApiToken, User

AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9]{1,31}")


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
    if password is not None and len(password) < 8:
        errors["password"] = _l("密码至少8位")
    if errors:
        raise ValidationError(_l("用户信息有误"), errors)
    user = User(
        email=email,
        name=name,
        role=role,
        active=True,
        created_at=now,
        password_hash=generate_password_hash(password) if password else None,
    )
    user.agencies = list(agencies)
    session.add(user)
    session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    return (
        bool(user.password_hash) and user.active and check_password_hash(user.password_hash or "", password)
    )


def issue_token(session: Session, user: User, *, now: dt.datetime, label: str = "") -> str:
    """A new bearer token for the user; only its hash is kept, so this is the one time it is seen."""
    token = "gd_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_secret(token), label=label, created_at=now))
    session.flush()
    return token


def user_for_token(session: Session, token: str, *, now: dt.datetime) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    row.last_used_at = now
    return row.user


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
