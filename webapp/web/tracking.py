"""Which requests a citizen's browser may see: tracking grants kept on the server.

The browser's (signed, HttpOnly) session holds one random key, nothing else of its tracking: no
tracking number, no access code. Opening a request with its number and access code, or submitting it,
adds a row of `tracking_grants` (webapp/models/sessions.py) for the key's SHA-256 and the request; the
request's pages look the row up on every request. A grant lasts TRACKING_GRANT_HOURS; "forget" (退出查询)
revokes every grant of the key and erases the receipt, so a copy of the cookie taken before opens
nothing, and the browser gets a new key next time.

The receipt page shows the access code once more after a submission: the grant keeps it encrypted with
a key derived from the cookie's key and the application secret, so neither the cookie nor the database
alone can read it. Staff registering a letter see their receipt the same way, sealed in their session
with a key derived from the application secret (`seal`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain.citizens import citizen_of_token, owns
from webapp.extensions import db
from webapp.models import Citizen, Request, TrackingGrant
from webapp.web import common

TRACKING = "tracking"  # session key: this browser's random tracking key
KEY_LENGTH = 43  # secrets.token_urlsafe(32)


def _key(*, create: bool = False) -> str | None:
    key = session.get(TRACKING)
    if isinstance(key, str) and len(key) == KEY_LENGTH:
        return key
    if not create:
        return None
    key = secrets.token_urlsafe(32)
    session[TRACKING] = key
    return key


def browser_key(*, create: bool = False) -> str | None:
    """This browser's random key (made now if `create`), for what is bound to the browser on the server
    (webapp/web/submissions.py)."""
    return _key(create=create)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _cipher(material: str) -> Fernet:
    secret = str(current_app.config["SECRET_KEY"])
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"{secret}\x00{material}".encode()).digest()))


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(current_app.config.get("TRACKING_GRANT_HOURS") or 12))


def grant(req: Request, *, access_code: str | None = None) -> None:
    """Let this browser see `req` (after its access code, or its submission, whose `access_code` the
    receipt page shows). The caller commits."""
    key = _key(create=True)
    assert key is not None  # noqa: S101  (created above)
    moment = common.now()
    receipt = _cipher(f"receipt\x00{key}").encrypt(access_code.encode()).decode() if access_code else None
    row = db.session.execute(
        select(TrackingGrant).where(TrackingGrant.key_hash == _hash(key), TrackingGrant.request_id == req.id)
    ).scalar_one_or_none()
    if row is None:
        try:
            with db.session.begin_nested():  # a double click may add the same grant at once
                db.session.add(
                    TrackingGrant(key_hash=_hash(key), request_id=req.id, created_at=moment, receipt=receipt)
                )
            return
        except IntegrityError:
            row = db.session.execute(
                select(TrackingGrant).where(
                    TrackingGrant.key_hash == _hash(key), TrackingGrant.request_id == req.id
                )
            ).scalar_one()
    row.created_at, row.revoked_at = moment, None
    if receipt:
        row.receipt = receipt


def _live(key: str, request_id: int | None = None) -> Select[TrackingGrant]:
    query = select(TrackingGrant).where(
        TrackingGrant.key_hash == _hash(key),
        TrackingGrant.revoked_at.is_(None),
        TrackingGrant.created_at > common.now() - lifetime(),
    )
    if request_id is not None:
        query = query.where(TrackingGrant.request_id == request_id)
    return query


def granted(req: Request) -> bool:
    """Whether this browser holds a live grant for `req`."""
    key = _key()
    if key is None:
        return False
    return db.session.execute(_live(key, req.id)).scalar_one_or_none() is not None


def receipt() -> tuple[Request, str] | None:
    """The request this browser submitted last and its access code, while the grant lives."""
    key = _key()
    if key is None:
        return None
    row = db.session.execute(
        _live(key)
        .where(TrackingGrant.receipt.is_not(None))
        .order_by(TrackingGrant.created_at.desc(), TrackingGrant.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None or row.receipt is None:
        return None
    try:
        code = _cipher(f"receipt\x00{key}").decrypt(row.receipt.encode()).decode()
    except InvalidToken:  # another SECRET_KEY since
        return None
    req = db.session.get(Request, row.request_id)
    return (req, code) if req is not None else None


def forget() -> None:
    """Revoke every grant of this browser and erase its receipt; the next grant gets a new key. The
    caller commits."""
    key = session.pop(TRACKING, None)
    if isinstance(key, str):
        db.session.execute(
            update(TrackingGrant)
            .where(TrackingGrant.key_hash == _hash(key), TrackingGrant.revoked_at.is_(None))
            .values(revoked_at=common.now(), receipt=None)
        )


def seal(text: str) -> str:
    """`text` encrypted for a session cookie (the staff's receipt of a registered letter)."""
    return _cipher("sealed").encrypt(text.encode()).decode()


def unseal(token: object, *, max_age: dt.timedelta) -> str | None:
    if not isinstance(token, str):
        return None
    try:
        return _cipher("sealed").decrypt(token.encode(), ttl=int(max_age.total_seconds())).decode()
    except InvalidToken:
        return None


CITIZEN = "citizen"  # session key: a signed-in citizen's token (webapp/domain/citizens.py)


def sign_in_citizen(token: str) -> None:
    session[CITIZEN] = token


def sign_out_citizen() -> None:
    session.pop(CITIZEN, None)


def citizen() -> Citizen | None:
    """The citizen signed in on this browser, while the token is live (not expired, not signed out
    everywhere)."""
    token = session.get(CITIZEN)
    if not isinstance(token, str):
        return None
    return citizen_of_token(db.session(), token, now=common.now())


def grant_to_owner(req: Request) -> bool:
    """Let this browser see `req` without its access code when the citizen signed in here owns it (a
    request made with the account's verified contact, or claimed with its code: citizens.owns); never
    another's. The caller commits."""
    who = citizen()
    if who is None or not owns(db.session(), who, req):
        return False
    grant(req)
    return True
