"""Idempotent submissions (docs/api.md §Idempotency-Key): the same key and body within 24 hours answers the
first response again and creates nothing; the same key with another body is a conflict.

A kept answer carries the access code, so it goes back to its own client only:

- The key is the client's secret. It must be 32 to 200 characters of `A-Z a-z 0-9 - _ . ~ + / = :`
  and look random (at least KEY_MIN_BITS bits by the entropy of its characters), e.g. a UUID4 or 32
  random bytes in base64url; anything shorter or plainer is refused with 400 naming the header. The
  check refuses the keys people make up ("aaaa…", "0000…0001"); it cannot prove a key random, which is
  the client's part (docs/api.md). Nobody can guess another client's key, so for an anonymous
  citizen, knowing the key is being the client that sent it.
- The answer is bound to the caller that first sent the key: it is encrypted with a key derived from the
  application secret, the caller ("public" for anonymous citizens, the token's user otherwise) and the
  Idempotency-Key. Keys are one namespace: the same key from another caller (another token's user, or
  an anonymous client reusing an officer's key) cannot open the kept answer and is refused with 409, and
  creates nothing.
- Only a hash of the key is stored, and the answer only encrypted, so the database alone reveals neither.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.domain.errors import BadRequest, Conflict
from webapp.i18n import _l
from webapp.models import IdempotencyRecord

KEEP = dt.timedelta(hours=24)
MIN_KEY_LENGTH = 32
MAX_KEY_LENGTH = 200
# A random 32-character hex key (the plainest random key allowed) scores about 115 by this estimate and
# below 72 with a probability of the order of 1e-10; a UUID4 about 130; "abcabc…" 51, "0000…0001" 6.
KEY_MIN_BITS = 72
KEY_ALPHABET = re.compile(r"[A-Za-z0-9\-_.~+/=:]+")
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class IdempotencyKey:
    key_hash: str
    body_hash: str
    fernet: Fernet


def key_bits(key: str) -> float:
    """The key's length times the Shannon entropy of its characters: a plain estimate of how hard it is to
    guess, low for the keys people make up, high for random ones."""
    counts = Counter(key)
    n = len(key)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values())


def key_problem(key: str) -> object | None:
    """Why an Idempotency-Key is refused, or None."""
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH:
        return _l("应为%(min)s至%(max)s个字符的随机值", min=MIN_KEY_LENGTH, max=MAX_KEY_LENGTH)
    if not KEY_ALPHABET.fullmatch(key):
        return _l("只能包含字母、数字和 - _ . ~ + / = :")
    if key_bits(key) < KEY_MIN_BITS:
        return _l("不够随机，请使用随机生成的值（如 UUID）")
    return None


def make_key(key: str, *, scope: str, body: Any, secret: str) -> IdempotencyKey:
    """`scope`: who is asking ("public", or "user:<id>" for a token's user)."""
    problem = key_problem(key)
    if problem is not None:
        raise BadRequest(_l("Idempotency-Key 无效"), {HEADER: problem})
    derived = hashlib.sha256(f"{secret}\x00{scope}\x00{key}".encode()).digest()
    return IdempotencyKey(
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        body_hash=hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest(),
        fernet=Fernet(base64.urlsafe_b64encode(derived)),
    )


def replay(session: Session, key: IdempotencyKey, *, now: dt.datetime) -> tuple[int, dict[str, Any]] | None:
    """The first answer for this key, if there is one from the last 24 hours and it is the caller's."""
    record = session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.key_hash == key.key_hash)
    ).scalar_one_or_none()
    if record is None:
        return None
    if record.created_at < now - KEEP:
        session.delete(record)
        session.flush()
        return None
    if record.body_hash != key.body_hash:
        raise Conflict(
            _l("该 Idempotency-Key 已用于另一份申请内容"),
            {HEADER: _l("同一个键只能用于同一份申请内容")},
        )
    try:
        answer = key.fernet.decrypt(record.response.encode())
    except InvalidToken:  # another caller's key (or an answer kept under another SECRET_KEY)
        raise Conflict(
            _l("该 Idempotency-Key 已被另一客户端使用"),
            {HEADER: _l("请为每次提交生成新的随机值")},
        ) from None
    return record.status_code, json.loads(answer)


def remember(
    session: Session, key: IdempotencyKey, status: int, body: dict[str, Any], *, now: dt.datetime
) -> None:
    session.add(
        IdempotencyRecord(
            key_hash=key.key_hash,
            body_hash=key.body_hash,
            status_code=status,
            response=key.fernet.encrypt(json.dumps(body, default=str).encode()).decode(),
            created_at=now,
        )
    )
    session.flush()


def purge_expired(session: Session, *, now: dt.datetime) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- the pages' form tokens: one request per submitted form (docs/rules.md §One request per submission) --

FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,100}")


def new_form_token() -> str:
    return secrets.token_urlsafe(32)


def _form_key(token: str, secret: str) -> IdempotencyKey:
    derived = hashlib.sha256(f"{secret}\x00form\x00{token}".encode()).digest()
    return IdempotencyKey(
        key_hash=hashlib.sha256(f"form\x00{token}".encode()).hexdigest(),
        body_hash="form",
        fernet=Fernet(base64.urlsafe_b64encode(derived)),
    )


def spent_form_token(session: Session, token: str | None, *, secret: str, now: dt.datetime) -> str | None:
    """The tracking number of the request a form token already made (within 24 hours), or None. A
    missing or malformed token is None: the form then goes through unguarded."""
    if not token or not FORM_TOKEN.fullmatch(token):
        return None
    key = _form_key(token, secret)
    record = session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.key_hash == key.key_hash)
    ).scalar_one_or_none()
    if record is None or record.created_at < now - KEEP:
        return None
    try:
        return str(json.loads(key.fernet.decrypt(record.response.encode()))["tracking_number"])
    except (InvalidToken, KeyError, ValueError):
        return None


def spend_form_token(
    session: Session, token: str | None, tracking_number: str, *, secret: str, now: dt.datetime
) -> None:
    """Mark the form token used by the request `tracking_number`, in the caller's transaction. Its hash is
    unique: of two submissions of one form at once, the second fails at the flush (IntegrityError) and
    its transaction, with the request it was writing, is rolled back."""
    if not token or not FORM_TOKEN.fullmatch(token):
        return
    key = _form_key(token, secret)
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.key_hash == key.key_hash, IdempotencyRecord.created_at < now - KEEP
        )
    )
    answer = json.dumps({"tracking_number": tracking_number})
    session.add(
        IdempotencyRecord(
            key_hash=key.key_hash,
            body_hash=key.body_hash,
            status_code=201,
            response=key.fernet.encrypt(answer.encode()).decode(),
            created_at=now,
        )
    )
    session.flush()
