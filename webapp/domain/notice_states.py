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
from webapp.domain.release import delivery_of
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


@dataclass(frozen=True)
class Undelivered:
    """A notice to the applicant that no e-mail carried, as the request page shows it: what happened to
    it (`what`: the e-mail failed or was not sent, an SMS sent or not), what to do (`advice`), and the
    event it was sent for (`event_seq`, which the officer names when recording its posting)."""

    state: NoticeState
    event_seq: int
    what: Any  # marked with _l
    advice: Any


def _sms_text(sms: OutboxMessage | None) -> Any:
    if sms is None or (sms.sent_at is not None and sms.delivered_via == "none"):
        return _l("未发短信（没有手机号码，或申请人选择不收短信）")
    if sms.sent_at is not None:
        return _l("已发短信至%(to)s（短信不附文书）", to=sms.payload.get("to") or _l("申请人手机"))
    if sms.failed_at is not None:
        return _l("短信发送失败（%(error)s）", error=sms.last_error or _l("短信服务拒收"))
    return _l("短信待发送")


def undelivered(session: Session, req: Request) -> list[Undelivered]:
    """The applicant's notices that did not reach the applicant, each with what happened and what the
    officer should do: one whose e-mail the relay gave up on, and one written while the request had no
    e-mail address (or the applicant chose no e-mail), unless it is to be read online — whatever SMS
    went with it, for an SMS carries no document. A notice the officer recorded as posted or collected
    (record_posting/record_pickup with `notice`), and an answer delivered, are no longer listed."""
    rows = list(
        session.execute(
            select(OutboxMessage).where(OutboxMessage.request_id == req.id).order_by(OutboxMessage.id)
        ).scalars()
    )
    sms_of = {
        int(str(m.payload.get("event_seq"))): m
        for m in rows
        if m.kind == SMS_KIND and m.payload.get("event_seq") is not None
    }
    handed = {
        int(str(e.data["notice_seq"]))
        for e in req.events
        if e.type in ("posted", "collected") and isinstance(e.data, dict) and e.data.get("notice_seq")
    }
    answered = delivery_of(req).delivered
    contact = req.applicant_phone or req.applicant_address or _l("无")
    out: list[Undelivered] = []
    for msg in rows:
        notice = str(msg.payload.get("notice", ""))
        if msg.kind != "notice" or notice not in NOTICES.values() or msg.payload.get("event_seq") is None:
            continue
        seq = int(str(msg.payload["event_seq"]))
        if seq in handed or (answered and notice in ("reply", "closure_notice")):
            continue
        sms = _sms_text(sms_of.get(seq))
        if msg.failed_at is not None:
            what = _l(
                "电子邮件发送失败（%(error)s）；%(sms)s。",
                error=msg.last_error or _l("邮件服务器拒收"),
                sms=sms,
            )
            advice = _l(
                "请核对申请人的电子邮箱，在“邮件与通知”页重新发送；或打印文书邮寄、当面送达，并在下方登记。"
            )
        elif msg.sent_at is not None and msg.delivered_via == "none" and req.delivery != "online":
            what = _l("未发电子邮件（申请人没有电子邮箱，或选择不收邮件）；%(sms)s。", sms=sms)
            advice = _l(
                "请打印文书邮寄或当面送达，并在下方登记邮寄（运单号）或领取；也可电话告知（联系方式：%(contact)s）。",
                contact=contact,
            )
        else:
            continue
        out.append(Undelivered(_state(msg, req.tracking_number), seq, what, advice))
    return out
