"""The outbox relay: sends what the database says is unsent, each notice once.

How a notice is sent once, even when a worker dies mid-send:
1. claim: one row at a time, by a compare-and-set UPDATE (`sent_at IS NULL AND failed_at IS NULL AND
   (claimed_until IS NULL OR claimed_until < now)`), committed; it sets a lease (`claimed_until`) and
   counts the attempt. Two relays never hold the same row: the second UPDATE matches nothing.
2. send: the email's Message-ID is the row's delivery key, so a resend is recognisably the same message.
3. mark: `sent_at` is committed right after the server accepted the message; if the database is away
   at that moment (a restart), the commit is tried again for up to a minute (within the lease).
A relay killed between 1 and 3 leaves the lease, which expires; the row is then claimed again. The only
window in which a message can reach the server twice is between the server's "250 OK" and the commit in
3 (milliseconds, or the database staying away longer than that minute): the copy carries the same
Message-ID. The mail drop (no SMTP configured) writes one file
per delivery key, so there even that window cannot duplicate anything.

Failures: a temporary one (connection, 4xx) is retried with exponential backoff; a permanent one (5xx, or
a message that cannot be built, e.g. a stored recipient that is not exactly one address) or the last
attempt marks the row failed, writes an internal note in the request's history (what officers see) and
counts in the agency's daily digest until an officer or operator retries it.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webapp.domain.contact import ascii_address
from webapp.domain.errors import Conflict
from webapp.domain.notices import Letter, MailOptions, compose, message_id
from webapp.domain.release_files import record_emailed
from webapp.domain.requests import act
from webapp.domain.sms import SMS_KIND
from webapp.domain.states import NOTICE_LABELS
from webapp.files import write_private
from webapp.models import OutboxMessage
from workers.schedule import RELAY_NOTICES

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600.0
MARK_WAIT = 60.0  # seconds a sent message's mark may wait for the database (at most half the lease)


class PermanentFailure(Exception):
    """The mail server refused the message for good (5xx): retrying will not help."""


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for a batch."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "none",
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout = user, password, timeout
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:  # reused within a batch: the server may have closed it meanwhile
            try:
                self._conn.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self._conn is None:
            if self.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    conn.starttls()
            if self.user:
                conn.login(self.user, self.password or "")
            self._conn = conn
        return self._conn

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> None:
        try:
            self._connect().send_message(message, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipients refused: {codes}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


class MailDropTransport:
    """No SMTP server configured (the embedded default): each email becomes a file in a folder, named by
    its delivery key, so nothing is lost and a developer can read what would have been sent."""

    name = "maildrop"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> None:
        key = str(message["X-Delivery-Key"])
        name = re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".eml"
        write_private(self.directory / name, bytes(message), atomic=True)

    def close(self) -> None:
        pass


def transport_from_config(config: dict[str, Any]) -> Transport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            config["SMTP_HOST"],
            int(config["SMTP_PORT"]),
            security=config.get("SMTP_SECURITY") or "none",
            user=config.get("SMTP_USER"),
            password=config.get("SMTP_PASSWORD"),
            timeout=float(config.get("SMTP_TIMEOUT") or 30),
        )
    directory = Path(config["DATA_DIR"]) / "maildrop"
    if not _warned_maildrop:
        log.warning("SMTP_HOST is not set: notices are written to the mail drop %s, not sent", directory)
        _warned_maildrop.append(True)
    return MailDropTransport(directory)


_warned_maildrop: list[bool] = []


@dataclass(frozen=True)
class RelaySettings:
    sender: str = "gov-disclosure@localhost"
    lease: float = 300.0
    max_attempts: int = 8
    retry_base: float = 60.0
    mail: MailOptions = field(default_factory=MailOptions)
    secret: str = ""  # SECRET_KEY: the links a letter carries (a password reset) are made with it

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RelaySettings:
        return cls(
            sender=config["SMTP_FROM"],
            lease=float(config["NOTICE_LEASE_SECONDS"]),
            max_attempts=int(config["NOTICE_MAX_ATTEMPTS"]),
            retry_base=float(config["NOTICE_RETRY_BASE_SECONDS"]),
            mail=MailOptions(
                public_url=config.get("PUBLIC_URL") or MailOptions.public_url,
                attachment_dir=config.get("ATTACHMENT_DIR") or "",
                attach_max_bytes=int(float(config.get("MAIL_ATTACHMENT_MAX_MB") or 5) * 1024 * 1024),
            ),
            secret=str(config.get("SECRET_KEY") or ""),
        )

    def backoff(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.retry_base * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


@dataclass
class RelayResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Unbuildable(Exception):
    """The message cannot be built (a recipient that is not exactly one address, a header the email
    library refuses): the same at every attempt, so the row is marked failed at once."""


def recipients_of(letter: Letter) -> list[str]:
    """Each recipient exactly one address, in the ASCII form SMTP takes (webapp/domain/contact.py)."""
    found = [ascii_address(address) for address in letter.to]
    if not all(found):
        raise Unbuildable("收件人电子邮箱地址格式不正确（须为一个地址），无法发送")
    return [address for address in found if address]


def build_email(letter: Letter, delivery_key: str, settings: RelaySettings, now: dt.datetime) -> EmailMessage:
    msg = EmailMessage()
    sender = Address(display_name=letter.sender_name, addr_spec=settings.sender)
    msg["From"] = sender
    msg["To"] = [Address(addr_spec=address) for address in recipients_of(letter)]
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(delivery_key, settings.sender)
    if letter.in_reply_to:
        msg["In-Reply-To"] = letter.in_reply_to
        msg["References"] = letter.in_reply_to
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders do not answer it
    msg["X-Delivery-Key"] = delivery_key
    msg.set_content(letter.body, charset="utf-8")
    for filename, data in letter.attachments:  # the document (PDF), and released files of any type
        maintype, _, subtype = (mimetypes.guess_type(filename)[0] or "application/octet-stream").partition(
            "/"
        )
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _busy(exc: OperationalError) -> bool:
    """SQLite's answer when another process wrote first (the embedded mode); retried or left for later."""
    return "locked" in str(exc.orig).lower()


def claim_next(session: Session, *, now: dt.datetime, lease: float, sms: bool = False) -> int | None:
    """Take the next due row under a lease (compare-and-set, committed); None when nothing is due. The
    e-mail relay takes every row but the SMS ones, the SMS relay (workers/sms.py) only those."""
    for _ in range(3):
        try:
            return _claim(session, now, lease, sms)
        except OperationalError as exc:
            session.rollback()
            if not _busy(exc):
                raise
    return None


def _claim(session: Session, now: dt.datetime, lease: float, sms: bool) -> int | None:
    free = (
        (OutboxMessage.kind == SMS_KIND) if sms else (OutboxMessage.kind != SMS_KIND),
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )
    candidates = list(
        session.execute(
            select(OutboxMessage.id)
            .where(*free, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(5)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    for outbox_id in candidates:
        res = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, *free)
            .values(claimed_until=now + dt.timedelta(seconds=lease), attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:  # type: ignore[attr-defined]
            session.commit()
            return outbox_id
    session.commit()
    return None


def _finish(session: Session, outbox_id: int, **values: Any) -> bool:
    res = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.sent_at.is_(None))
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(res.rowcount)  # type: ignore[attr-defined]


def _give_up(session: Session, outbox_id: int, error: str, now: dt.datetime) -> None:
    """Mark the row failed and tell the officers in the request's history (an internal note)."""
    _finish(session, outbox_id, failed_at=now, last_error=error[:2000])
    msg = session.get(OutboxMessage, outbox_id)
    if msg is None or msg.request is None:
        return
    notice = str(msg.payload.get("notice", ""))
    label = NOTICE_LABELS.get(notice, notice)
    channel = "短信" if msg.kind == SMS_KIND else "通知"
    note = (
        f"{channel}“{label}”发送失败（已尝试{msg.attempts}次），请核实联系方式或改用其他方式送达。"
        f"错误：{error[:300]}"
    )
    for _ in range(3):
        try:
            act(session, msg.request, "comment", None, now=now, note=note)
            session.commit()
            return
        except (Conflict, OperationalError) as exc:
            session.rollback()
            if isinstance(exc, OperationalError) and not _busy(exc):
                raise
            msg = session.get(OutboxMessage, outbox_id)
            if msg is None or msg.request is None:
                return
    log.warning("notice %s failed; could not note it in the request's history", outbox_id)


def deliver(
    session: Session,
    transport: Transport,
    outbox_id: int,
    settings: RelaySettings,
    clock: Callable[[], dt.datetime] = utcnow,
) -> str:
    """Send one claimed row; returns sent | retrying | failed."""
    msg = session.get(OutboxMessage, outbox_id)
    if msg is None:
        return "failed"
    key, attempts = msg.delivery_key, msg.attempts
    if attempts > settings.max_attempts:  # claimed again and again by relays that died while sending it
        _give_up(session, outbox_id, "发送过程多次中断", clock())
        return "failed"
    try:
        letter = compose(session, msg, settings.mail, secret=settings.secret, now=clock())
    except OperationalError:
        raise  # the database is away, not the notice at fault: the lease runs out, the row is taken again
    except Exception as exc:  # a notice that cannot be written: retried, then failed and shown
        log.exception("notice %s could not be composed", key)
        error = f"无法生成通知：{type(exc).__name__}"
        return _retry_or_fail(session, outbox_id, attempts, error, settings, clock())
    if not letter.to:  # no email address: the notice is on the status page only
        _finish(session, outbox_id, sent_at=clock(), delivered_via="none", last_error=None)
        log.info("notice %s: no email address, shown on the status page only", key)
        return "sent"
    try:
        recipients = recipients_of(letter)
        email = build_email(letter, key, settings, clock())
    except Exception as exc:  # the same at every attempt: a recorded failure, never a crashed task
        error = str(exc) if isinstance(exc, Unbuildable) else f"无法生成邮件：{type(exc).__name__}"
        log.warning("notice %s cannot be built: %s", key, type(exc).__name__)
        _give_up(session, outbox_id, error, clock())
        return "failed"
    # a sign-in or access code is not kept in the row once the mail server has it
    kept = {k: v for k, v in msg.payload.items() if k != "code"}
    erased = {"payload": kept} if "code" in msg.payload else {}
    session.commit()  # no transaction stays open while the mail server answers
    try:
        transport.send(email, settings.sender, recipients)
    except PermanentFailure as exc:
        log.warning("notice %s refused by the mail server: %s", key, type(exc.__cause__).__name__)
        _give_up(session, outbox_id, str(exc), clock())
        return "failed"
    except Exception as exc:
        log.warning("notice %s not sent (attempt %s): %s", key, attempts, type(exc).__name__)
        return _retry_or_fail(session, outbox_id, attempts, f"{type(exc).__name__}: {exc}", settings, clock())
    if not _mark_sent(
        session, outbox_id, key, clock(), transport.name, wait=min(MARK_WAIT, settings.lease / 2), **erased
    ):
        log.warning("notice %s was marked sent by another relay too (lease expired mid-send)", key)
    else:
        record_delivery(session, outbox_id, clock())
    log.info("notice %s sent via %s", key, getattr(transport, "directory", transport.name))
    return "sent"


def record_delivery(session: Session, outbox_id: int, now: dt.datetime) -> None:
    """A reply or closure e-mailed to an applicant who chose e-mail: delivered, in the history (its own
    transaction; a failure here loses the event, never the sending)."""
    try:
        msg = session.get(OutboxMessage, outbox_id)
        if (
            msg is not None
            and msg.request is not None
            and record_emailed(session, msg.request, msg.payload, now=now)
        ):
            session.commit()
    except Exception:
        session.rollback()
        log.warning("notice %s: delivery not recorded in the history", outbox_id, exc_info=True)


def _mark_sent(
    session: Session, outbox_id: int, key: str, now: dt.datetime, via: str, *, wait: float, **extra: Any
) -> bool:
    """Commit `sent_at` for a message the server accepted. The database may be away for a moment (a restart
    between the server's "250 OK" and this commit): try again for up to `wait` seconds (less than the
    lease, so no other relay takes the row meanwhile) rather than leave the row to be sent a second time."""
    deadline = time.monotonic() + wait
    pause = 0.25
    while True:
        try:
            return _finish(session, outbox_id, sent_at=now, delivered_via=via, last_error=None, **extra)
        except OperationalError as exc:
            session.rollback()
            if time.monotonic() + pause > deadline:
                raise
            log.warning("notice %s sent but not yet marked (%s): trying again", key, type(exc.orig).__name__)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _retry_or_fail(
    session: Session, outbox_id: int, attempts: int, error: str, settings: RelaySettings, now: dt.datetime
) -> str:
    if attempts >= settings.max_attempts:
        _give_up(session, outbox_id, error, now)
        return "failed"
    _finish(session, outbox_id, next_attempt_at=now + settings.backoff(attempts), last_error=error[:2000])
    return "retrying"


def relay(
    session: Session,
    transport: Transport,
    settings: RelaySettings,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    max_messages: int = 200,
    max_seconds: float = 50.0,
) -> RelayResult:
    """Send due notices until none is left, or the batch's count or time is used up."""
    result = RelayResult()
    started = time.monotonic()
    while result.handled < max_messages and time.monotonic() - started < max_seconds:
        outbox_id = claim_next(session, now=clock(), lease=settings.lease)
        if outbox_id is None:
            break
        outcome = deliver(session, transport, outbox_id, settings, clock)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


@shared_task(name=RELAY_NOTICES)
def relay_notices() -> dict[str, int]:
    from webapp.extensions import db

    config = current_app.config
    transport = transport_from_config(config)
    try:
        result = relay(db.session(), transport, RelaySettings.from_config(config))
    finally:
        transport.close()
    if result.handled:
        log.info(
            "relay via %s: %s sent, %s to retry, %s failed",
            transport.name,
            result.sent,
            result.retrying,
            result.failed,
        )
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
