"""Citizens' optional accounts, without passwords (docs/rules.md §Citizens' accounts).

A citizen asks for a 6-digit code at an e-mail address or a mobile number; the code goes out through the
outbox (e-mail or SMS) and signs in within 10 minutes, five wrong tries ending it. The account lists the
requests made with that contact and those claimed with number and access code, fills in the next
application from the latest of them, and chooses how notices arrive (SMS, e-mail or both). "Sign out
everywhere" raises the account's generation, voiding every token and browser session it gave.

The answer to "send me a code" is the same whether or not the contact has requests or an account; what
limits guessing and flooding is the count of codes per contact (one a minute, five an hour) and the
limit per address at the boundary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.domain.access_codes import access_code_matches
from webapp.domain.contact import check_email
from webapp.domain.errors import NotFound, Unauthorized, ValidationError
from webapp.domain.sms import SMS_KIND, mobile_digits
from webapp.i18n import _l
from webapp.models import Citizen, CitizenClaim, CitizenCode, CitizenToken, OutboxMessage, Request

CODE_MINUTES = 10
CODE_TRIES = 5
CODES_PER_HOUR = 5
CODE_INTERVAL = dt.timedelta(seconds=60)
TOKEN_DAYS = 30
NOTIFY = ("both", "sms", "email")
TOKEN_PREFIX = "gc_"  # noqa: S105 — a citizen's token, told apart from a staff token (gd_) at a glance


@dataclass(frozen=True)
class Contact:
    kind: str  # email | phone
    value: str  # lower-case address, or the mobile's 11 digits


def contact_of(email: str | None = None, phone: str | None = None) -> Contact:
    """The one contact a citizen signs in with, normalised; a ValidationError names the field."""
    if bool(email) == bool(phone):
        raise ValidationError(_l("请填写电子邮箱或手机号码之一"), {"email": _l("电子邮箱或手机号码，二选一")})
    if email:
        address, error = check_email(email)
        if error:
            raise ValidationError(_l("电子邮箱格式不正确"), {"email": error})
        return Contact("email", address.lower())
    digits = mobile_digits(phone or "")
    if digits is None:
        raise ValidationError(_l("手机号码格式不正确"), {"phone": _l("请填写11位手机号码，如 13912345678")})
    return Contact("phone", digits)


def _digest(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def send_code(session: Session, contact: Contact, *, secret: str, now: dt.datetime) -> bool:
    """Queue a sign-in code to the contact; False (and nothing queued) when the contact asked too often.
    The caller answers alike either way, so nobody learns whether the contact is known."""
    recent = session.execute(
        select(func.count(), func.max(CitizenCode.created_at)).where(
            CitizenCode.contact_kind == contact.kind,
            CitizenCode.contact == contact.value,
            CitizenCode.created_at > now - dt.timedelta(hours=1),
        )
    ).one()
    if recent[0] >= CODES_PER_HOUR or (recent[1] is not None and recent[1] > now - CODE_INTERVAL):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    row = CitizenCode(
        contact_kind=contact.kind,
        contact=contact.value,
        code_hash=_digest(secret, f"{contact.kind}:{contact.value}:{code}"),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    session.add(row)
    session.flush()
    # The code travels in the outbox row until it is sent; the relay erases it then (workers/).
    payload = {"notice": "citizen_code", "to": contact.value, "code": code}
    session.add(
        OutboxMessage(
            kind=SMS_KIND if contact.kind == "phone" else "citizen",
            delivery_key=f"citizen-code:{row.id}",
            payload=payload,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return True


def sign_in(
    session: Session, contact: Contact, code: str, *, secret: str, now: dt.datetime
) -> tuple[Citizen, str]:
    """Check the latest code of the contact; on success the account (made at the first sign-in) and a
    new token. Unauthorized for a wrong, used or expired code; the fifth wrong try ends the code."""
    row = session.execute(
        select(CitizenCode)
        .where(CitizenCode.contact_kind == contact.kind, CitizenCode.contact == contact.value)
        .order_by(CitizenCode.id.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    wrong = Unauthorized(_l("验证码错误或已过期"), {"code": _l("验证码错误或已过期，请重新获取")})
    if row is None or row.used_at is not None or row.expires_at <= now or row.attempts >= CODE_TRIES:
        raise wrong
    typed = unicodedata.normalize("NFKC", code or "").strip()
    if not hmac.compare_digest(row.code_hash, _digest(secret, f"{contact.kind}:{contact.value}:{typed}")):
        row.attempts += 1
        session.flush()
        raise wrong
    row.used_at = now
    citizen = session.execute(
        select(Citizen).where(Citizen.contact_kind == contact.kind, Citizen.contact == contact.value)
    ).scalar_one_or_none()
    if citizen is None:
        citizen = Citizen(contact_kind=contact.kind, contact=contact.value, created_at=now)
        session.add(citizen)
        session.flush()
    return citizen, new_token(session, citizen, now=now)


def new_token(session: Session, citizen: Citizen, *, now: dt.datetime) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        CitizenToken(
            citizen_id=citizen.id,
            key_hash=hashlib.sha256(token.encode()).hexdigest(),
            generation=citizen.generation,
            created_at=now,
            expires_at=now + dt.timedelta(days=TOKEN_DAYS),
        )
    )
    session.flush()
    return token


def citizen_of_token(session: Session, token: str, *, now: dt.datetime) -> Citizen | None:
    """The account a token or browser session belongs to, while neither expired nor signed out."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(
        select(Citizen)
        .join(CitizenToken, CitizenToken.citizen_id == Citizen.id)
        .where(
            CitizenToken.key_hash == hashlib.sha256(token.encode()).hexdigest(),
            CitizenToken.expires_at > now,
            CitizenToken.generation == Citizen.generation,
        )
    ).scalar_one_or_none()
    return found


def sign_out_everywhere(session: Session, citizen: Citizen) -> None:
    citizen.generation += 1
    session.flush()


def set_notify(session: Session, citizen: Citizen, notify: str) -> None:
    if notify not in NOTIFY:
        choices = "、".join(NOTIFY)
        raise ValidationError(_l("通知方式不正确"), {"notify": _l("应为以下之一：%(v)s", v=choices)})
    citizen.notify = notify
    session.flush()


def _own(citizen: Citizen) -> Any:
    """The SQL condition of the requests that belong to the account: made with its contact, or claimed."""
    claimed = select(CitizenClaim.request_id).where(CitizenClaim.citizen_id == citizen.id)
    if citizen.contact_kind == "email":
        made = func.lower(Request.applicant_email) == citizen.contact
    else:
        digits: Any = Request.applicant_phone
        for sep in ("-", " ", "(", ")", "+86"):
            digits = func.replace(digits, sep, "")
        made = digits == citizen.contact
    return or_(made, Request.id.in_(claimed))


def requests_of(session: Session, citizen: Citizen) -> list[Request]:
    """The account's requests, newest first."""
    return list(session.execute(select(Request).where(_own(citizen)).order_by(Request.id.desc())).scalars())


def owns(session: Session, citizen: Citizen, req: Request) -> bool:
    return session.execute(select(Request.id).where(Request.id == req.id, _own(citizen))).first() is not None


def claim(
    session: Session, citizen: Citizen, tracking_number: str, access_code: str, *, now: dt.datetime
) -> Request:
    """Add a request to the account by its number and access code; NotFound for a wrong pair."""
    req = session.execute(
        select(Request).where(Request.tracking_number == (tracking_number or "").strip().upper())
    ).scalar_one_or_none()
    if req is None or not access_code_matches(req, access_code or ""):
        raise NotFound(_l("申请编号或查询码不正确"))
    if session.get(CitizenClaim, (citizen.id, req.id)) is None:
        session.add(CitizenClaim(citizen_id=citizen.id, request_id=req.id, created_at=now))
        session.flush()
    return req


def latest_applicant(session: Session, citizen: Citizen) -> dict[str, str | None]:
    """The applicant's details of the account's latest request, to fill in the next application."""
    reqs = requests_of(session, citizen)
    if not reqs:
        return {citizen.contact_kind: citizen.contact}
    r = reqs[0]
    return {
        "type": r.applicant_type,
        "name": r.applicant_name,
        "id_kind": r.applicant_id_kind,
        "id_number": r.applicant_id_number,
        "phone": r.applicant_phone,
        "email": r.applicant_email,
        "address": r.applicant_address,
    }


def notify_choice(session: Session, req: Request) -> str:
    """How the applicant of a request wants notices (both, sms or email): the choice of an account the
    request belongs to — by its contact or a claim — and both when there is none."""
    candidates: list[Any] = [
        Citizen.id.in_(select(CitizenClaim.citizen_id).where(CitizenClaim.request_id == req.id)),
    ]
    if req.applicant_email:
        email = req.applicant_email.lower()
        candidates.append((Citizen.contact_kind == "email") & (Citizen.contact == email))
    digits = mobile_digits(req.applicant_phone or "")
    if digits:
        candidates.append((Citizen.contact_kind == "phone") & (Citizen.contact == digits))
    choices = set(session.execute(select(Citizen.notify).where(or_(*candidates))).scalars())
    if not choices or "both" in choices or choices == {"sms", "email"}:
        return "both"
    return choices.pop()
