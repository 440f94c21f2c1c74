"""The email channel: poll each agency's request mailbox over IMAP and take every new message once.

The folder is opened read-only and messages fetched with BODY.PEEK, so the mailbox is left as officers
see it in their own mail client. New messages are those above the last UID taken (while the folder's
UIDVALIDITY holds); what makes a message count once is not that watermark but the unique Message-ID per
agency in `inbound_emails` (webapp.domain.mailbox.ingest), written in the transaction that creates the
request and queues its receipt. Two pollers of one mailbox are kept apart by a lease on the mailbox row,
and would be by that unique key anyway.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from webapp.domain.mailbox import ingest, mailbox_password, raw_mail_path
from webapp.domain.notices import message_id_domain
from webapp.files import write_private
from webapp.models import AgencyMailbox, InboundEmail
from workers.schedule import POLL_MAILBOXES

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0
BATCH = 50  # messages per mailbox per poll; the rest come at the next poll


def open_imap(mailbox: AgencyMailbox, password: str, timeout: float = 30.0) -> imaplib.IMAP4:
    if mailbox.security == "ssl":
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    try:
        if mailbox.security == "starttls":
            conn.starttls(ssl.create_default_context())
        conn.login(mailbox.username, password)
    except BaseException:
        with contextlib.suppress(Exception):
            conn.shutdown()
        raise
    return conn


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class PollResult:
    mailbox_id: int
    taken: int = 0
    requests: int = 0
    review: int = 0
    duplicates: int = 0
    skipped: bool = False  # another poller holds the mailbox
    error: str | None = None


@dataclass(frozen=True)
class PollSettings:
    secret_key: str
    inbound_dir: Path
    attachment_dir: Path
    own_domain: str

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PollSettings:
        return cls(
            secret_key=config["SECRET_KEY"],
            inbound_dir=Path(config["DATA_DIR"]) / "inbound",
            attachment_dir=Path(config["ATTACHMENT_DIR"]),
            own_domain=message_id_domain(config["SMTP_FROM"]),
        )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _claim(session: Session, mailbox_id: int, now: dt.datetime) -> bool:
    res = session.execute(
        update(AgencyMailbox)
        .where(
            AgencyMailbox.id == mailbox_id,
            AgencyMailbox.enabled.is_(True),
            or_(AgencyMailbox.lease_until.is_(None), AgencyMailbox.lease_until < now),
        )
        .values(lease_until=now + dt.timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(res.rowcount)  # type: ignore[attr-defined]


def _advance(session: Session, mailbox_id: int, validity: int, uid: int) -> None:
    mailbox = session.get(AgencyMailbox, mailbox_id, populate_existing=True)
    if mailbox is not None:
        same = mailbox.uid_validity == validity
        mailbox.uid_validity = validity
        mailbox.last_uid = max(mailbox.last_uid, uid) if same else uid


def _unreadable(
    session: Session, mailbox_id: int, raw: bytes, uid: int, settings: PollSettings, now: dt.datetime
) -> InboundEmail | None:
    mailbox = session.get(AgencyMailbox, mailbox_id)
    if mailbox is None:
        return None
    sha = hashlib.sha256(raw).hexdigest()
    key = f"sha256:{sha}"
    taken = session.execute(
        select(InboundEmail.id).where(
            InboundEmail.agency_id == mailbox.agency_id, InboundEmail.message_key == key
        )
    ).first()
    if taken is not None:
        return None
    path = raw_mail_path(settings.inbound_dir, f"{sha}.eml")
    write_private(path, raw)
    row = InboundEmail(
        agency_id=mailbox.agency_id,
        message_key=key,
        sha256=sha,
        imap_uid=uid,
        raw_key=f"{sha}.eml",
        status="review",
        reason="invalid",
        skipped_attachments=[],
        received_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _take(
    session: Session,
    mailbox_id: int,
    raw: bytes,
    uid: int,
    validity: int,
    settings: PollSettings,
    clock: Callable[[], dt.datetime],
    result: PollResult,
) -> None:
    """One message in one transaction: the request (or review row), its receipt, and the new watermark."""
    mailbox = session.get(AgencyMailbox, mailbox_id)
    if mailbox is None:
        return
    try:
        row = ingest(
            session,
            mailbox.agency,
            raw,
            now=clock(),
            inbound_dir=settings.inbound_dir,
            attachment_dir=settings.attachment_dir,
            own_domain=settings.own_domain,
            imap_uid=uid,
        )
        _advance(session, mailbox_id, validity, uid)
        session.commit()
    except IntegrityError:  # a concurrent poller took this very message first
        session.rollback()
        row = None
    except OperationalError:  # the database is busy or down: this message again at the next poll
        session.rollback()
        raise
    except Exception:  # a message the parser cannot take: kept for an officer, never retried forever
        session.rollback()
        log.exception("mailbox %s: message uid %s could not be taken; left for review", mailbox_id, uid)
        row = _unreadable(session, mailbox_id, raw, uid, settings, clock())
        _advance(session, mailbox_id, validity, uid)
        session.commit()
    if row is None:
        result.duplicates += 1
        _advance(session, mailbox_id, validity, uid)
        session.commit()
        return
    result.taken += 1
    if row.status == "request":
        result.requests += 1
        log.info("mailbox %s: message uid %s became request id %s", mailbox_id, uid, row.request_id)
    else:
        result.review += 1
        log.info("mailbox %s: message uid %s left for review (%s)", mailbox_id, uid, row.reason)


def poll_mailbox(
    session: Session,
    mailbox_id: int,
    settings: PollSettings,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    connect: Callable[[AgencyMailbox, str], imaplib.IMAP4] = open_imap,
    batch: int = BATCH,
) -> PollResult:
    result = PollResult(mailbox_id)
    if not _claim(session, mailbox_id, clock()):
        result.skipped = True
        return result
    mailbox = session.get(AgencyMailbox, mailbox_id)
    if mailbox is None:
        return result
    error: str | None = None
    try:
        conn = connect(mailbox, mailbox_password(mailbox, settings.secret_key))
        session.commit()  # no transaction stays open while the IMAP server answers
        try:
            typ, _ = conn.select(_quoted(mailbox.folder), readonly=True)
            if typ != "OK":
                raise imaplib.IMAP4.error("the folder cannot be opened")
            validity = int(conn.response("UIDVALIDITY")[1][0] or 0)
            last_uid = mailbox.last_uid if mailbox.uid_validity == validity else 0
            typ, data = conn.uid("SEARCH", None, f"UID {last_uid + 1}:*")  # type: ignore[arg-type]
            uids = sorted(int(x) for x in (data[0] or b"").split() if int(x) > last_uid)[:batch]
            for uid in uids:
                typ, fetched = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
                if typ != "OK" or not isinstance(raw, bytes):
                    raise imaplib.IMAP4.error(f"message uid {uid} cannot be fetched")
                _take(session, mailbox_id, raw, uid, validity, settings, clock, result)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()
    except (imaplib.IMAP4.error, OSError, ValueError, OperationalError) as exc:
        session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("mailbox %s: poll failed: %s", mailbox_id, type(exc).__name__)
    session.execute(
        update(AgencyMailbox)
        .where(AgencyMailbox.id == mailbox_id)
        .values(lease_until=None, last_polled_at=clock(), last_error=error)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    result.error = error
    return result


def poll_all(session: Session, settings: PollSettings, **kwargs: Any) -> list[PollResult]:
    ids = list(
        session.execute(
            select(AgencyMailbox.id).where(AgencyMailbox.enabled.is_(True)).order_by(AgencyMailbox.id)
        ).scalars()
    )
    session.commit()
    return [poll_mailbox(session, mailbox_id, settings, **kwargs) for mailbox_id in ids]


@shared_task(name=POLL_MAILBOXES)
def poll() -> dict[str, int]:
    from webapp.extensions import db

    results = poll_all(db.session(), PollSettings.from_config(current_app.config))
    return {
        "mailboxes": len(results),
        "requests": sum(r.requests for r in results),
        "review": sum(r.review for r in results),
        "errors": sum(1 for r in results if r.error),
    }
