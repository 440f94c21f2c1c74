"""Idempotent submissions (API.md): the same key and body within 24 hours answers the first response
again and creates nothing; the same key with another body is a conflict.

Only a hash of the key is stored, and the kept answer (which carries the access code) is encrypted with
a key derived from the client's Idempotency-Key and the application secret, so the database alone
cannot reveal it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.domain.errors import Conflict, ValidationError
from webapp.i18n import _l
from webapp.models import IdempotencyRecord

KEEP = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class IdempotencyKey:
    key_hash: str
    body_hash: str
    fernet: Fernet


def make_key(key: str, *, scope: str, body: Any, secret: str) -> IdempotencyKey:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            _l("Idempotency-Key 无效"), {"Idempotency-Key": _l("应为1至%(n)s个字符", n=MAX_KEY_LENGTH)}
        )
    material = f"{scope}\x00{key}"
    derived = hashlib.sha256(f"{secret}\x00{material}".encode()).digest()
    return IdempotencyKey(
        key_hash=hashlib.sha256(material.encode()).hexdigest(),
        body_hash=hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest(),
        fernet=Fernet(base64.urlsafe_b64encode(derived)),
    )


def replay(session: Session, key: IdempotencyKey, *, now: dt.datetime) -> tuple[int, dict[str, Any]] | None:
    """The first answer for this key, if there is one from the last 24 hours."""
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
            {"Idempotency-Key": _l("同一个键只能用于同一份申请内容")},
        )
    return record.status_code, json.loads(key.fernet.decrypt(record.response.encode()))


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
