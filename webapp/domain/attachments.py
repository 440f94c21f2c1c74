"""Scans and documents attached to a request: checked by content, stored outside the database under a
generated name, with their checksum recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from webapp.domain.errors import ValidationError
from webapp.domain.requests import record_attachment
from webapp.models import Attachment, Request, User

MAX_BYTES = 10 * 1024 * 1024
# content signature -> (type, extension)
SIGNATURES = [
    (b"%PDF-", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", ".png")),
    (b"\xff\xd8\xff", ("image/jpeg", ".jpg")),
    (b"II*\x00", ("image/tiff", ".tif")),
    (b"MM\x00*", ("image/tiff", ".tif")),
]
ALLOWED = "PDF、PNG、JPEG、TIFF"


def sniff(head: bytes) -> tuple[str, str] | None:
    return next((kind for sig, kind in SIGNATURES if head.startswith(sig)), None)


def store_attachment(
    session: Session,
    req: Request,
    *,
    filename: str,
    stream: BinaryIO,
    directory: str,
    uploaded_by: User | None,
    now: dt.datetime,
) -> Attachment:
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ValidationError("文件为空", {"file": "请选择要上传的文件"})
    if len(data) > MAX_BYTES:
        raise ValidationError("文件过大", {"file": f"单个文件不能超过{MAX_BYTES // 1024 // 1024}MB"})
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError("文件类型不支持", {"file": f"只接受{ALLOWED}文件"})
    content_type, ext = kind
    name = (Path(filename or "").name or "attachment")[:200]
    key = secrets.token_hex(16) + ext
    path = Path(directory) / key[:2] / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return record_attachment(
        session,
        req,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=uploaded_by,
        now=now,
    )


def attachment_path(directory: str, attachment: Attachment) -> Path:
    key = attachment.storage_key
    return Path(directory) / key[:2] / key
