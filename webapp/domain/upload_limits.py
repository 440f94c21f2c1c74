"""How much may be uploaded onto one request: a number of files and a total size, counted separately for
the applicant's files and the staff's, set per agency (its `rules["upload_limits"]`, edited on the
administrator's agency page) with defaults no real applicant reaches (docs/security.md).

The check runs inside the upload's transaction with the request's row locked (SELECT … FOR UPDATE on
PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE), so two uploads at once cannot both take
the last place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.domain.errors import ValidationError
from webapp.i18n import _l
from webapp.models import Agency, Attachment, Request, User

MB = 1024 * 1024
# The bounds an administrator may set (a cap, not a way round it).
MAX_FILES_SETTING = 1000
MAX_MB_SETTING = 10_000


@dataclass(frozen=True)
class UploadLimits:
    applicant_files: int = 20
    applicant_mb: int = 100
    staff_files: int = 200
    staff_mb: int = 1000


DEFAULTS = UploadLimits()
FIELDS = tuple(asdict(DEFAULTS))


class UploadRefused(ValidationError):
    """Over the request's cap: 413, with the limit named."""

    code = "payload_too_large"
    http_status = 413


def limits_for(agency: Agency) -> UploadLimits:
    raw = (agency.rules or {}).get("upload_limits")
    kept = raw if isinstance(raw, dict) else {}
    values = {}
    for name in FIELDS:
        value = kept.get(name)
        values[name] = value if isinstance(value, int) and value > 0 else getattr(DEFAULTS, name)
    return UploadLimits(**values)


def save_limits(session: Session, agency: Agency, values: dict[str, int | None]) -> UploadLimits:
    """An agency's limits (an empty value keeps the default); each between 1 and the bound above."""
    errors = {}
    kept: dict[str, int] = {}
    for name in FIELDS:
        value = values.get(name)
        if value is None:
            continue
        bound = MAX_FILES_SETTING if name.endswith("_files") else MAX_MB_SETTING
        if not 1 <= value <= bound:
            errors[name] = _l("应为1至%(max)s之间的整数", max=bound)
        kept[name] = value
    if errors:
        raise ValidationError(_l("上传限额有误"), errors)
    rules = dict(agency.rules or {})
    rules["upload_limits"] = kept
    agency.rules = rules  # a new dict, so the JSON column is written
    session.flush()
    return limits_for(agency)


def check_room(session: Session, req: Request, uploaded_by: User | None, size: int) -> None:
    """Refuse (413) a file of `size` bytes that would take the request past its agency's cap for the
    uploader's side (applicant or staff). Locks the request's row for the rest of the transaction."""
    session.flush()
    session.execute(select(Request.id).where(Request.id == req.id).with_for_update())
    session.expire(req)  # its version and history as the lock found them
    limits = limits_for(req.agency)
    staff = uploaded_by is not None
    max_files = limits.staff_files if staff else limits.applicant_files
    max_mb = limits.staff_mb if staff else limits.applicant_mb
    side = Attachment.uploaded_by_id.is_not(None) if staff else Attachment.uploaded_by_id.is_(None)
    count, total = session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.request_id == req.id, side
        )
    ).one()
    if count + 1 > max_files:
        message = _l("每件申请最多上传%(max)s个文件，已上传%(count)s个", max=max_files, count=count)
        raise UploadRefused(message, {"file": message})
    if total + size > max_mb * MB:
        used = f"{total / MB:.1f}"
        message = _l("每件申请上传的文件总计不能超过%(max)sMB，已上传%(used)sMB", max=max_mb, used=used)
        raise UploadRefused(message, {"file": message})
