"""A lost access code, sent again (docs/rules.md §Lost access code).

The access code is kept only as its hash (webapp/domain/access_codes.py): nobody, the product included,
can read the old one back. A citizen who lost it gives the tracking number (and, if they like, the
e-mail address or mobile number they applied with); the product then makes a NEW code, which replaces
the old one at once, and sends it through the outbox to the contact on file — the e-mail address, the
mobile number by SMS, or both; never to a contact typed in that the request does not have. The change
of code is an event of the request's history, in one transaction with its outbox rows, and the browsers
that had opened the request with the old code lose it (their tracking grants are revoked).

Nothing tells the asker whether the number exists or has a contact: the caller answers alike whatever
this returns, and the limits that hold it (per client address and per tracking number) are counted at the
boundary (webapp/security.py) the same way for every number. A second ask within REISSUE_GAP of the last
one changes nothing (a double click does not make the first mail's code stale).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.domain.access_codes import hash_secret, new_access_code, normalise_access_code
from webapp.domain.calendar import china_today
from webapp.domain.contact import check_email
from webapp.domain.errors import ValidationError
from webapp.domain.requests.history import append_event
from webapp.domain.sms import SMS_KIND, mobile_digits
from webapp.i18n import _l
from webapp.models import OutboxMessage, Request, TrackingGrant

NOTICE = "access_code"  # the outbox rows' notice (e-mail: kind "citizen"; SMS: kind "sms")
EVENT = "access_code_reissued"
REISSUE_GAP = dt.timedelta(minutes=2)
CHANNEL_NAMES = {"email": "电子邮箱", "phone": "手机短信"}


@dataclass(frozen=True)
class TypedContact:
    kind: str  # email | phone
    value: str  # lower-case address, or the mobile's 11 digits


def typed_contact(email: str | None = None, phone: str | None = None) -> TypedContact | None:
    """The contact the asker typed (optional), normalised; a ValidationError names the field when it is
    not an address or a mobile number at all (whatever the request, so it tells nothing of it)."""
    if email:
        address, error = check_email(email)
        if error:
            raise ValidationError(_l("电子邮箱格式不正确"), {"email": error})
        return TypedContact("email", address.lower())
    if phone:
        digits = mobile_digits(phone)
        if digits is None:
            raise ValidationError(
                _l("手机号码格式不正确"), {"phone": _l("请填写11位手机号码，如 13912345678")}
            )
        return TypedContact("phone", digits)
    return None


def _destinations(req: Request, contact: TypedContact | None) -> dict[str, str]:
    """Where the new code goes: {"email": address, "phone": 11 digits}, only contacts on file."""
    email = (req.applicant_email or "").strip().lower()
    mobile = mobile_digits(req.applicant_phone or "")
    found: dict[str, str] = {}
    if email and (contact is None or contact == TypedContact("email", email)):
        found["email"] = req.applicant_email or ""
    if mobile and (contact is None or contact == TypedContact("phone", mobile)):
        found["phone"] = mobile
    return found


def reissue_access_code(
    session: Session, tracking_number: str, contact: TypedContact | None, *, now: dt.datetime
) -> bool:
    """Make a new access code for the request and queue it to the contact on file; True when one was
    made. False — nothing changed — for an unknown number, a typed contact the request does not have, a
    request with neither an e-mail address nor a mobile number, or an ask within REISSUE_GAP of the
    last reissue."""
    code = new_access_code()  # made and hashed whatever follows: the work is the same for every number
    code_hash = hash_secret(normalise_access_code(code))
    number = unicodedata.normalize("NFKC", tracking_number or "").strip().upper()
    if not number or len(number) > 40 or "\x00" in number:
        return False
    req = session.execute(select(Request).where(Request.tracking_number == number)).scalar_one_or_none()
    if req is None:
        return False
    # one reissue at a time per request: a second ask waits here, then sees the first one's event
    session.execute(select(Request.id).where(Request.id == req.id).with_for_update())
    session.refresh(req, ["events"])
    to = _destinations(req, contact)
    if not to:
        return False
    last = next((e for e in reversed(req.events) if e.type == EVENT), None)
    if last is not None and _aware(last.at) > now - REISSUE_GAP:
        return False
    req.access_code_hash = code_hash
    session.execute(
        update(TrackingGrant)
        .where(TrackingGrant.request_id == req.id, TrackingGrant.revoked_at.is_(None))
        .values(revoked_at=now, receipt=None)
        .execution_options(synchronize_session=False)
    )
    channels = "、".join(CHANNEL_NAMES[kind] for kind in sorted(to))
    ev = append_event(
        session,
        req,
        EVENT,
        on=china_today(now),
        now=now,
        actor=None,
        from_status=req.status,
        to_status=req.status,
        note=f"应申请人请求重新生成查询码，已通过{channels}发送至申请时登记的联系方式；原查询码即时失效",
        data={"sent_to": sorted(to)},
    )
    for kind, value in to.items():
        session.add(
            OutboxMessage(
                kind=SMS_KIND if kind == "phone" else "citizen",
                request=req,
                delivery_key=f"{NOTICE}:{req.tracking_number}:{ev.seq}:{kind}",
                # the code travels in the row until it is sent; the relays erase it then (workers/)
                payload={"notice": NOTICE, "to": value, "code": code, "tracking_number": req.tracking_number},
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return True


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
