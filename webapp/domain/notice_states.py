"""Whether the outbox's notices reached the applicant: each notice's delivery state, the failed ones of
the agencies, sending one again, and what the officer should do about a notice that did not arrive
(docs/rules.md §SMS notices, docs/operations.md). What the notices say is webapp/domain/notices.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.errors import IllegalTransition, NotFound
from webapp.domain.sms import SMS_KIND
from webapp.domain.states import NOTICE_LABELS, NOTICES
from webapp.i18n import _l
from webapp.models import OutboxMessage, Request


@dataclass(frozen=True)
class NoticeState:
    id: int
    tracking_number: str | None
    notice: str
    label: str
    status: str  # sent | pending | failed
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    failed_at: dt.datetime | None
    delivered_via: str | None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _state(msg: OutboxMessage, tracking_number: str | None) -> NoticeState:
    notice = str(msg.payload.get("notice", msg.kind))
    label = str(NOTICE_LABELS.get(notice, notice))
    if msg.kind == SMS_KIND:
        label = str(_l("短信：%(notice)s", notice=label))
    status = "sent" if msg.sent_at else ("failed" if msg.failed_at else "pending")
    return NoticeState(
        id=msg.id,
        tracking_number=tracking_number,
        notice=notice,
        label=label,
        status=status,
        attempts=msg.attempts,
        last_error=msg.last_error,
        created_at=msg.created_at,
        sent_at=msg.sent_at,
        failed_at=msg.failed_at,
        delivered_via=msg.delivered_via,
    )


def failed_notices(session: Session, agency_ids: Iterable[int]) -> list[NoticeState]:
    """Notices about the agencies' requests that the relay gave up on, newest first."""
    rows = session.execute(
        select(OutboxMessage, Request.tracking_number)
        .join(Request, OutboxMessage.request_id == Request.id)
        .where(OutboxMessage.failed_at.is_not(None), Request.agency_id.in_(list(agency_ids)))
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
    )
    return [_state(msg, tn) for msg, tn in rows]


def notices_of_request(session: Session, req: Request) -> list[NoticeState]:
    """Every notice queued for one request, with whether it was sent, is pending or failed."""
    rows = session.execute(
        select(OutboxMessage).where(OutboxMessage.request_id == req.id).order_by(OutboxMessage.id)
    )
    return [_state(msg, req.tracking_number) for msg in rows.scalars()]


def retry_notice(session: Session, outbox_id: int, *, now: dt.datetime) -> OutboxMessage:
    """Send a failed notice again (after the address or the mail server was fixed)."""
    msg = session.get(OutboxMessage, outbox_id)
    if msg is None:
        raise NotFound(_l("通知不存在"))
    if msg.sent_at is not None:
        raise IllegalTransition(_l("该通知已发送"), {"notice": _l("已发送，无需重发")})
    msg.failed_at, msg.attempts, msg.next_attempt_at, msg.claimed_until = None, 0, now, None
    session.flush()
    return msg


def undelivered(session: Session, req: Request) -> list[tuple[NoticeState, Any]]:
    """The applicant's notices that did not reach the applicant, each with what the officer should do: one
    the relay gave up on, and one written while the request had no e-mail address (shown on the tracking
    page only, which an applicant who asked for post or pickup may never open)."""
    out: list[tuple[NoticeState, Any]] = []
    for state in notices_of_request(session, req):
        if state.notice not in NOTICES.values():  # a reminder to staff
            continue
        if state.status == "failed":
            advice = _l(
                "发送失败（%(error)s）：请核对申请人的电子邮箱，在“邮件与通知”页重新发送；"
                "或打印文书邮寄、电话告知申请人，并在办理记录中注明。",
                error=state.last_error or _l("邮件服务器拒收"),
            )
        elif state.delivered_via == "none" and req.delivery != "online":
            advice = _l(
                "申请人没有电子邮箱，此通知只显示在查询页：请打印文书邮寄或当面送达，或电话告知"
                "（联系方式：%(contact)s），并在办理记录中注明。",
                contact=req.applicant_phone or req.applicant_address or _l("无"),
            )
        else:
            continue
        out.append((state, advice))
    return out
