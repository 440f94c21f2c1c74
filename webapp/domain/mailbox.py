"""The email channel (docs/rules.md §Intake): an agency's request mailbox, and turning one message into a
request.

Each message is taken once: its Message-ID (or, without one, the hash of the whole message) is unique
per agency in `inbound_emails`, inserted in the same transaction as the request it becomes. The same
bytes again (a re-delivery) are skipped; another message reusing a Message-ID already taken waits for
review ("重复的 Message-ID"), kept under its own hash, never silently dropped. A message
that is not a request (an auto-reply, a bounce, a reply to one of our notices, an empty message) waits
in the officers' review list instead. The request counts as received on the day the system confirms
receipt to the sender: the receipt notice queued with it (docs/rules.md §Intake, email: both sides confirm).
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.attachments import store_attachment
from webapp.domain.calendar import china_today
from webapp.domain.errors import IllegalTransition, NotFound, ValidationError
from webapp.domain.requests import MAX_TEXT, Applicant, act, submit
from webapp.files import write_private
from webapp.i18n import _l
from webapp.models import Agency, AgencyMailbox, InboundEmail, Request, User
from webapp.models.mail import MAILBOX_SECURITY

REVIEW_REASONS = {
    "auto_submitted": _l("自动发送的邮件（自动回复或系统通知）"),
    "bounce": _l("退信或送达状态报告"),
    "reply_to_notice": _l("对本系统所发通知的回复"),
    "empty": _l("邮件没有正文"),
    "invalid": _l("无法登记为申请（发件人地址或内容不符合要求）"),
    "duplicate_message_id": _l("重复的 Message-ID：与先前收到的一封邮件相同，但内容不同"),
}
AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自动答复|退信|系统退信|auto(matic)?[ -]?(reply|response)|out of (the )?office|"
    r"undeliverable|undelivered mail|delivery status notification|mail delivery (failed|failure))",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")


# -- settings -------------------------------------------------------------------------------------


def _cipher(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"gov-disclosure mailbox password\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def mailbox_password(mailbox: AgencyMailbox, secret_key: str) -> str:
    try:
        return _cipher(secret_key).decrypt(mailbox.password_encrypted.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the mailbox password was stored under another SECRET_KEY: set it again") from exc


def set_mailbox(
    session: Session,
    agency: Agency,
    *,
    host: str,
    port: int,
    username: str,
    password: str | None,
    folder: str = "INBOX",
    security: str = "ssl",
    enabled: bool = True,
    secret_key: str,
    now: dt.datetime,
) -> AgencyMailbox:
    """Create or change the agency's request mailbox (the password may be left out when changing)."""
    mailbox = session.execute(
        select(AgencyMailbox).where(AgencyMailbox.agency_id == agency.id)
    ).scalar_one_or_none()
    errors: dict[str, Any] = {}
    if not host.strip():
        errors["host"] = _l("必填")
    if not 0 < port < 65536:
        errors["port"] = _l("端口应为1至65535")
    if not username.strip():
        errors["username"] = _l("必填")
    if not folder.strip():
        errors["folder"] = _l("必填")
    if security not in MAILBOX_SECURITY:
        errors["security"] = _l("应为以下之一：%(values)s", values="、".join(MAILBOX_SECURITY))
    if not password and mailbox is None:
        errors["password"] = _l("必填")
    if errors:
        raise ValidationError(_l("申请邮箱设置有误"), errors)
    if mailbox is None:
        mailbox = AgencyMailbox(agency_id=agency.id, last_uid=0, created_at=now)
        session.add(mailbox)
    changed_place = (mailbox.host, mailbox.username, mailbox.folder) != (host, username, folder)
    mailbox.host, mailbox.port, mailbox.username = host.strip(), port, username.strip()
    mailbox.folder, mailbox.security, mailbox.enabled = folder.strip(), security, enabled
    if password:
        mailbox.password_encrypted = _cipher(secret_key).encrypt(password.encode()).decode()
    if changed_place:  # another mailbox: its UIDs mean nothing here (Message-IDs still dedupe)
        mailbox.uid_validity, mailbox.last_uid = None, 0
    mailbox.last_error, mailbox.updated_at = None, now
    session.flush()
    return mailbox


# -- reading a message ----------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _clean(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = content if isinstance(content, str) else ""
    return _html_text(text) if part.get_content_type() == "text/html" else text


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    sender_name: str
    sender: str
    subject: str
    body: str
    attachments: list[tuple[str, bytes]]
    message: EmailMessage


def parse_mail(raw: bytes) -> ParsedMail:
    msg = cast(EmailMessage, email.message_from_bytes(raw, policy=email.policy.default))
    found = re.search(r"<[^<>\s]+>", str(msg.get("Message-ID", "")))
    name, address = parseaddr(str(msg.get("From", "")))
    body_part = msg.get_body(preferencelist=("plain", "html"))
    attachments = []
    for part in msg.walk():
        if part.is_multipart() or part is body_part:
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                attachments.append((filename or "attachment", data))
    return ParsedMail(
        message_id=found.group(0)[:255] if found else None,
        sender_name=name.strip(),
        sender=address.strip().lower(),
        subject=_clean(str(msg.get("Subject", "")))[:500],
        body=_clean(_part_text(body_part)) if body_part is not None else "",
        attachments=attachments,
        message=msg,
    )


def review_reason(mail: ParsedMail, own_domain: str) -> str | None:
    """Why a message is not taken as a request (a code of REVIEW_REASONS), or None."""
    msg = mail.message
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if msg.get_content_type() == "multipart/report":
        return "bounce"
    local = mail.sender.partition("@")[0]
    if not mail.sender or local in BOUNCE_SENDERS or str(msg.get("Return-Path", "")).strip() == "<>":
        return "bounce"
    if auto and auto != "no":
        return "auto_submitted"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if (
        msg.get("X-Autoreply")
        or msg.get("X-Autorespond")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or AUTO_SUBJECT.match(mail.subject)
    ):
        return "auto_submitted"
    thread = f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}".lower()
    if f"@{own_domain.lower()}>" in thread:
        return "reply_to_notice"
    if not mail.body and not mail.attachments:
        return "empty"
    return None


def description_of(mail: ParsedMail) -> str:
    text = "\n\n".join(p for p in (mail.subject, mail.body) if p) or "（见邮件附件）"
    if len(text) > MAX_TEXT:
        tail = "……（邮件正文过长，全文见原始邮件）"
        text = text[: MAX_TEXT - len(tail)] + tail
    return text


def _taken(session: Session, agency: Agency, key: str) -> str | None:
    """The hash of the message taken under this key in the agency's mailbox, or None."""
    return session.execute(
        select(InboundEmail.sha256).where(
            InboundEmail.agency_id == agency.id, InboundEmail.message_key == key
        )
    ).scalar_one_or_none()


def raw_mail_path(directory: str | Path, raw_key: str) -> Path:
    return Path(directory) / raw_key[:2] / raw_key


def ingest(
    session: Session,
    agency: Agency,
    raw: bytes,
    *,
    now: dt.datetime,
    inbound_dir: str | Path,
    attachment_dir: str | Path,
    own_domain: str,
    imap_uid: int | None = None,
) -> InboundEmail | None:
    """Take one message: a request with its attachments and receipt, or a row for review; None when the
    message was taken before. Flushes (the unique message key stops a concurrent taker at the flush)."""
    sha = hashlib.sha256(raw).hexdigest()
    mail = parse_mail(raw)
    key = mail.message_id or f"sha256:{sha}"
    reason: str | None = None
    first = _taken(session, agency, key)
    if first is not None:
        if first == sha:  # the very same bytes again: a real re-delivery, taken once
            return None
        # Another message under a Message-ID already taken (a forgery, a broken mailer, an edited resend):
        # not silently dropped, but kept for an officer under its own bytes' key, once.
        key, reason = f"sha256:{sha}", "duplicate_message_id"
        if _taken(session, agency, key) is not None:
            return None
    raw_key = f"{sha}.eml"
    path = raw_mail_path(inbound_dir, raw_key)
    if not path.exists():
        write_private(path, raw, atomic=True)
    row = InboundEmail(
        agency_id=agency.id,
        message_key=key,
        sha256=sha,
        imap_uid=imap_uid,
        from_address=mail.sender[:254],
        subject=mail.subject,
        raw_key=raw_key,
        status="review",
        skipped_attachments=[],
        received_at=now,
    )
    session.add(row)
    session.flush()

    reason = reason or review_reason(mail, own_domain)
    req: Request | None = None
    if reason is None:
        try:
            req, _code = submit(
                session,
                agency=agency,
                applicant=Applicant(
                    type="natural_person",
                    name=(mail.sender_name or mail.sender.partition("@")[0])[:200],
                    email=mail.sender,
                ),
                description=description_of(mail),
                delivery="email",
                channel="email",
                received_on=china_today(now),
                now=now,
                by_platform=True,
            )
        except ValidationError:
            reason = "invalid"
    if req is None:
        row.reason = reason
        session.flush()
        return row

    row.status, row.request_id = "request", req.id
    skipped = store_mail_attachments(
        session, req, mail.attachments, attachment_dir, uploaded_by=None, now=now
    )
    if skipped:
        row.skipped_attachments = skipped
        act(
            session,
            req,
            "comment",
            None,
            now=now,
            note="申请邮件的以下附件未导入系统（类型不受支持、文件过大或超过上传限额），请查看原始邮件："
            + "、".join(skipped),
        )
    session.flush()
    return row


def store_mail_attachments(
    session: Session,
    req: Request,
    attachments: Iterable[tuple[str, bytes]],
    attachment_dir: str | Path,
    *,
    uploaded_by: User | None,
    now: dt.datetime,
) -> list[str]:
    """Store a message's attachments with the request it became; the names (at most 200 characters) of
    those the upload rules refused (type, size, the upload limits), for the note that lists them."""
    skipped = []
    for filename, data in attachments:
        try:
            store_attachment(
                session,
                req,
                filename=filename,
                stream=io.BytesIO(data),
                directory=str(attachment_dir),
                uploaded_by=uploaded_by,
                now=now,
            )
        except ValidationError:
            skipped.append(filename[:200])
    return skipped


# -- the officers' review list --------------------------------------------------------------------


def mail_for_review(session: Session, agency_ids: Iterable[int]) -> list[InboundEmail]:
    """Messages of the agencies' mailboxes that were not taken as requests, oldest first."""
    return list(
        session.execute(
            select(InboundEmail)
            .where(InboundEmail.agency_id.in_(list(agency_ids)), InboundEmail.status == "review")
            .order_by(InboundEmail.received_at, InboundEmail.id)
        ).scalars()
    )


def pending_mail_count(session: Session, agency_ids: Iterable[int]) -> int:
    """How many messages of the agencies' mailboxes wait for an officer (the navigation's badge)."""
    return int(
        session.execute(
            select(func.count())
            .select_from(InboundEmail)
            .where(InboundEmail.agency_id.in_(list(agency_ids)), InboundEmail.status == "review")
        ).scalar_one()
    )


def review_label(row: InboundEmail) -> str:
    return str(REVIEW_REASONS.get(row.reason or "", row.reason or ""))


def dismiss_mail(session: Session, inbound_id: int, *, actor: User | None, now: dt.datetime) -> InboundEmail:
    """An officer has dealt with a message of the review list (registered it by hand, or ignored it)."""
    row = session.get(InboundEmail, inbound_id)
    if row is None or (actor is not None and not authz.may_handle_mail_of(actor, row.agency_id)):
        raise NotFound(_l("邮件不存在"))
    if row.status != "review":
        raise IllegalTransition(_l("该邮件不在待审核列表中"), {"mail": _l("已处理")})
    row.status, row.reviewed_by_id, row.reviewed_at = "dismissed", actor.id if actor else None, now
    session.flush()
    return row
