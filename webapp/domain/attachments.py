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
from webapp.i18n import _l
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


# the extensions a file of each type may keep in its name
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/tiff": (".tif", ".tiff"),
}
MAX_NAME = 200
UNSAFE_CHARS = "\"'<>:;|?*"


def safe_filename(filename: str, content_type: str) -> str:
    """The client's name, kept only for display and download (the file itself is stored under a generated
    key): its last path part, without control characters, quotes or separators, ending in an extension of
    the type its content really is (a PNG sent as `x.html` is offered as `x.html.png`)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join("_" if ord(c) < 32 or ord(c) == 127 or c in UNSAFE_CHARS else c for c in base)
    stem = cleaned.strip(" .") or "attachment"
    suffix = Path(stem).suffix
    extensions = EXTENSIONS.get(content_type, ())
    if suffix.lower() in extensions or not extensions:
        stem = stem[: len(stem) - len(suffix)]
    else:
        suffix = extensions[0]
    return stem[: MAX_NAME - len(suffix)] + suffix


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
        raise ValidationError(_l("文件为空"), {"file": _l("请选择要上传的文件")})
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _l("文件过大"), {"file": _l("单个文件不能超过%(mb)sMB", mb=MAX_BYTES // 1024 // 1024)}
        )
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError(_l("文件类型不支持"), {"file": _l("只接受%(types)s文件", types=ALLOWED)})
    content_type, ext = kind
    name = safe_filename(filename, content_type)  # never used as a path: the file's is `key`
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


def download_name(attachment: Attachment) -> str:
    """The name a download offers, made safe again (rows stored before the name was cleaned)."""
    return safe_filename(attachment.filename, attachment.content_type)


def attachment_path(directory: str, attachment: Attachment) -> Path:
    key = attachment.storage_key
    return Path(directory) / key[:2] / key
