"""Scans and documents attached to a request: checked by content, stored outside the database under a
generated name (mode 0600), with their checksum recorded; within the request's cap (upload_limits.py).

A file is written only after every check has passed and its row is in the session; if the transaction
then ends without a commit (a later refusal, an error) the file is removed again, so a refused upload
leaves nothing on disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import flag_modified

from webapp.domain.calendar import china_today
from webapp.domain.errors import Forbidden, IllegalTransition, ValidationError
from webapp.domain.file_types import EXTENSIONS, RELEASES, SCANS, page_count, sniff, sniff_release
from webapp.domain.release import APPLICATION, PURPOSES, RELEASE
from webapp.domain.requests.actions import may_act
from webapp.domain.requests.history import append_event
from webapp.domain.upload_limits import check_room
from webapp.files import write_private
from webapp.i18n import _l
from webapp.models import Attachment, Request, User

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = SCANS
MAX_NAME = 200
UNSAFE_CHARS = "\"'<>:;|?*"
BREAKING = ("Cc", "Zl", "Zp")  # control characters and line breaks: replaced by "_"


def safe_filename(filename: str, content_type: str) -> str:
    """The client's name, kept only for display and download (the file itself is stored under a generated
    key): NFC-normalised, its last path part, without control characters, quotes or separators, without
    invisible format characters (Unicode category Cf: bidi overrides such as U+202E that make
    `invoice\u202efdp.exe` read `invoiceexe.pdf`, zero-width spaces), ending in an extension of the type
    its content really is (a PNG sent as `x.html` is offered as `x.html.png`)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        "_" if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in UNSAFE_CHARS else c for c in base
    )
    stem = cleaned.strip(" .") or "attachment"
    suffix = Path(stem).suffix
    extensions = EXTENSIONS.get(content_type, ())
    if suffix.lower() in extensions or not extensions:
        stem = stem[: len(stem) - len(suffix)]
    else:
        suffix = extensions[0]
    return stem[: MAX_NAME - len(suffix)] + suffix


def store_attachment(
    session: Session,
    req: Request,
    *,
    filename: str,
    stream: BinaryIO,
    directory: str,
    uploaded_by: User | None,
    now: dt.datetime,
    purpose: str = APPLICATION,
    derived_from: Attachment | None = None,
) -> Attachment:
    """A file onto the request. `purpose` RELEASE (staff only): information released with the reply, of
    any type file_types.sniff_release knows, its pages counted for the 答复书."""
    if purpose not in PURPOSES:
        raise ValidationError(_l("文件用途有误"), {"purpose": _l("应为application或release")})
    if purpose == RELEASE and uploaded_by is None:
        raise Forbidden(_l("公开的政府信息由工作人员上传"), {"purpose": _l("仅工作人员可上传")})
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ValidationError(_l("文件为空"), {"file": _l("请选择要上传的文件")})
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _l("文件过大"), {"file": _l("单个文件不能超过%(mb)sMB", mb=MAX_BYTES // 1024 // 1024)}
        )
    kind = sniff_release(data) if purpose == RELEASE else sniff(data[:16])
    if kind is None:
        types = RELEASES if purpose == RELEASE else SCANS
        raise ValidationError(_l("文件类型不支持"), {"file": _l("只接受%(types)s文件", types=types)})
    content_type, ext = kind
    check_room(session, req, uploaded_by, len(data))
    name = safe_filename(filename, content_type)  # never used as a path: the file's is `key`
    key = secrets.token_hex(16) + ext
    attachment = record_attachment(
        session,
        req,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=uploaded_by,
        now=now,
        purpose=purpose,
        pages=page_count(data, content_type) if purpose == RELEASE else None,
        derived_from=derived_from,
    )
    path = Path(directory) / key[:2] / key
    session.info.setdefault(UNCOMMITTED, []).append(path)
    write_private(path, data)
    return attachment


# -- files of a transaction that did not commit -----------------------------------------------------------

UNCOMMITTED = "attachments_uncommitted"  # session.info: files written in the open transaction


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without its commit (rolled back, or closed): its files go."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(UNCOMMITTED, []):
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()


def download_name(attachment: Attachment) -> str:
    """The name a download offers, made safe again (rows stored before the name was cleaned)."""
    return safe_filename(attachment.filename, attachment.content_type)


def content_disposition(name: str, stand_in: str, *, inline: bool = False) -> str:
    """The Content-Disposition of a download: the name itself in filename*=UTF-8'' (RFC 6266), and for the
    browsers that cannot use it an ASCII filename= that still says what the file is — the name when it is
    ASCII, else `stand_in` (reply-DEMO-2026-000245) with the name's extension, never the name stripped of
    its Chinese ("-DEMO-2026-000245.pdf")."""
    kind = "inline" if inline else "attachment"
    if name.isascii() and all(c.isprintable() and c not in '"\\' for c in name):
        return f'{kind}; filename="{name}"'
    suffix = Path(name).suffix
    if not (suffix.isascii() and suffix[1:].isalnum()):
        suffix = ""
    return f"{kind}; filename=\"{stand_in}{suffix.lower()}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_disposition(attachment: Attachment) -> str:
    """A file's download: its (cleaned) name, or release-DEMO-2026-000245-12.pdf for browsers that need
    ASCII."""
    stand_in = f"{attachment.purpose}-{attachment.request.tracking_number}-{attachment.id}"
    return content_disposition(download_name(attachment), stand_in)


def attachment_path(directory: str, attachment: Attachment) -> Path:
    key = attachment.storage_key
    return Path(directory) / key[:2] / key


def record_attachment(
    session: Session,
    req: Request,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    storage_key: str,
    uploaded_by: User | None,
    now: dt.datetime,
    purpose: str = APPLICATION,
    pages: int | None = None,
    derived_from: Attachment | None = None,
) -> Attachment:
    """A stored file joins the request, with a history entry; applicants add files only while it is open."""
    if uploaded_by is None and req.finished:
        raise IllegalTransition(_l("申请已办结，不能再上传材料"), {"file": _l("申请已办结")})
    if uploaded_by is not None:
        may_act(uploaded_by, req, "comment")
    attachment = Attachment(
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        storage_key=storage_key,
        uploaded_at=now,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
        purpose=purpose,
        pages=pages,
        derived_from_id=derived_from.id if derived_from else None,
    )
    req.attachments.append(attachment)
    req.updated_at = now
    flag_modified(req, "updated_at")
    append_event(
        session,
        req,
        "attachment_added",
        on=china_today(now),
        now=now,
        actor=uploaded_by,
        from_status=req.status,
        to_status=req.status,
        note=f"{'上传拟公开的信息' if purpose == RELEASE else '上传材料'}：{filename}",
        data={"filename": filename, "sha256": sha256, "size": size, "purpose": purpose},
        public=uploaded_by is None,  # staff's files are staff's: the reply releases what the applicant gets
    )
    session.flush()
    return attachment
