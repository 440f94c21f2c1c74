"""A message of the mail review list registered by an officer as a request in one step (docs/rules.md
§Intake, email): the registration form filled from the message, and, once registered, the message linked
to its request and its attachments stored with it.

The day filled in is the day of registration: an e-mailed request counts as received on the day both
sides confirm it, and a message held for review is confirmed by the receipt the registration sends. The
officer may change it (an earlier confirmation by reply, for instance); the message's own arrival is
shown beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import IllegalTransition, NotFound, ValidationError
from webapp.domain.mailbox import (
    ParsedMail,
    description_of,
    parse_mail,
    raw_mail_path,
    store_mail_attachments,
)
from webapp.domain.requests import act
from webapp.i18n import _l
from webapp.models import InboundEmail, Request, User


@dataclass(frozen=True)
class MailDraft:
    """What the registration form is filled with."""

    inbound: InboundEmail
    name: str
    email: str
    description: str
    received_on: dt.date
    arrived_on: dt.date
    attachments: list[str]


def inbound_of(session: Session, inbound_id: int, actor: User) -> InboundEmail:
    """A message of the user's agencies' mailboxes (any other is as if it did not exist)."""
    row = session.get(InboundEmail, inbound_id)
    if row is None or not authz.may_handle_mail_of(actor, row.agency_id):
        raise NotFound(_l("邮件不存在"))
    return row


def read_mail(row: InboundEmail, inbound_dir: str | Path) -> ParsedMail | None:
    path = raw_mail_path(inbound_dir, row.raw_key)
    return parse_mail(path.read_bytes()) if path.exists() else None


def draft(
    session: Session, inbound_id: int, actor: User, *, inbound_dir: str | Path, now: dt.datetime
) -> MailDraft:
    """The registration form's values for a message waiting for review."""
    row = inbound_of(session, inbound_id, actor)
    if row.status != "review":
        raise IllegalTransition(_l("该邮件不在待审核列表中"), {"mail": _l("已处理")})
    mail = read_mail(row, inbound_dir)
    sender = mail.sender if mail else row.from_address
    return MailDraft(
        inbound=row,
        name=((mail.sender_name if mail else "") or sender.partition("@")[0])[:200],
        email=sender,
        description=description_of(mail) if mail else row.subject,
        received_on=china_today(now),
        arrived_on=china_today(row.received_at),
        attachments=[name for name, _ in mail.attachments] if mail else [],
    )


def take_as_request(
    session: Session,
    inbound_id: int,
    req: Request,
    actor: User,
    *,
    inbound_dir: str | Path,
    attachment_dir: str | Path,
    now: dt.datetime,
) -> InboundEmail:
    """Link a message to the request registered from it and store its attachments with the request (one
    it cannot take is named in an internal note); in the registration's transaction."""
    row = inbound_of(session, inbound_id, actor)
    if row.status != "review":
        raise IllegalTransition(_l("该邮件不在待审核列表中"), {"mail": _l("已处理")})
    if row.agency_id != req.agency_id:
        raise ValidationError(_l("邮件与申请不属于同一机关"), {"agency": _l("应为收到该邮件的机关")})
    mail = read_mail(row, inbound_dir)
    attachments = mail.attachments if mail else []
    skipped = store_mail_attachments(session, req, attachments, attachment_dir, uploaded_by=actor, now=now)
    row.status, row.request_id = "request", req.id
    row.reviewed_by_id, row.reviewed_at, row.skipped_attachments = actor.id, now, skipped
    note = f"由申请邮箱的来信登记（发件人 {row.from_address}，主题“{row.subject[:100]}”）"
    if skipped:
        note += "；以下附件未导入系统，请查看原始邮件：" + "、".join(skipped)
    act(session, req, "comment", actor, now=now, note=note)
    session.flush()
    return row


def message_of(session: Session, req: Request) -> InboundEmail | None:
    """The message a request was taken or registered from, if any."""
    return session.execute(select(InboundEmail).where(InboundEmail.request_id == req.id)).scalars().first()
