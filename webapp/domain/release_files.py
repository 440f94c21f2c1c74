"""Files made for release: a redacted copy of a PDF of the request (webapp/domain/redaction.py), stored
beside its original as a file to release, with the history's record of who made it; and the answer's
delivery by e-mail recorded in the history (docs/rules.md §Delivery)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from webapp.domain.attachments import attachment_path, store_attachment
from webapp.domain.calendar import china_today
from webapp.domain.errors import ValidationError
from webapp.domain.redaction import redact
from webapp.domain.release import RELEASE, answer_delivery
from webapp.domain.requests.actions import may_act
from webapp.domain.requests.history import append_event
from webapp.i18n import _l
from webapp.models import Attachment, Request, User


@dataclass(frozen=True)
class Redaction:
    attachment: Attachment  # the new file, to release
    removed: int  # passages removed


def redacted_name(original: str) -> str:
    stem = original[:-4] if original.lower().endswith(".pdf") else original
    return f"{stem}（删除处理）.pdf"


def redact_attachment(
    session: Session,
    req: Request,
    attachment_id: object,
    *,
    texts: list[str],
    pii: bool,
    actor: User,
    directory: str,
    now: dt.datetime,
) -> Redaction:
    """A copy of one of the request's PDFs with the marked passages (and with `pii` every ID number,
    phone number and e-mail address) removed, kept as a file to release; the original is untouched."""
    may_act(actor, req, "comment")
    original = next((a for a in req.attachments if a.id == attachment_id), None)
    if original is None:
        raise ValidationError(_l("附件不存在"), {"attachment": _l("不是本申请的文件")})
    if original.content_type != "application/pdf":
        raise ValidationError(_l("只能对PDF文件作删除处理"), {"attachment": _l("不是PDF文件")})
    if not any(t.strip() for t in texts) and not pii:
        raise ValidationError(
            _l("请标出需要删除的内容"), {"texts": _l("请填写需要删除的内容，或选择删除个人信息")}
        )
    data = Path(attachment_path(directory, original)).read_bytes()
    done = redact(data, texts, pii=pii)
    if done.removed == 0:
        raise ValidationError(_l("文件中没有需要删除的内容"), {"texts": _l("未找到需要删除的内容")})
    new = store_attachment(
        session,
        req,
        filename=redacted_name(original.filename),
        stream=io.BytesIO(done.data),
        directory=directory,
        uploaded_by=actor,
        now=now,
        purpose=RELEASE,
        derived_from=original,
    )
    append_event(
        session,
        req,
        "redacted",
        on=china_today(now),
        now=now,
        actor=actor,
        from_status=req.status,
        to_status=req.status,
        note=f"删除处理：{original.filename} → {new.filename}，删除{done.removed}处",
        data={"original": original.id, "attachment": new.id, "removed": done.removed, "pii": pii},
    )
    session.flush()
    return Redaction(new, done.removed)


def record_emailed(session: Session, req: Request, payload: dict[str, Any], *, now: dt.datetime) -> bool:
    """The reply (or closure notice) e-mailed to an applicant who chose e-mail: the answer is delivered
    (an `emailed` event, once). Called by the relay after the mail server accepted it; False if nothing
    was to record."""
    if req.delivery != "email" or payload.get("notice") not in ("reply", "closure_notice"):
        return False
    if any(answer_delivery(e) for e in req.events):
        return False
    append_event(
        session,
        req,
        "emailed",
        on=china_today(now),
        now=now,
        actor=None,
        from_status=req.status,
        to_status=req.status,
        note=f"已发送至{req.applicant_email}",
        data={"notice": str(payload.get("notice"))},
    )
    session.flush()
    return True
