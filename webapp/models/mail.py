"""The email channel (docs/rules.md §Intake): each agency's request mailbox and every message taken from
it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check
from webapp.models.request import Request

MAILBOX_SECURITY = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "明文（仅限本机测试）"}
INBOUND_STATUSES = {"request": "已登记为申请", "review": "待人工审核", "dismissed": "已处理"}


class AgencyMailbox(Base):
    """Where the workers poll an agency's request mailbox over IMAP; the password is stored encrypted."""

    __tablename__ = "agency_mailboxes"
    __table_args__ = (CheckConstraint(in_check("security", MAILBOX_SECURITY), name="security"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    username: Mapped[str] = mapped_column(String(255))
    password_encrypted: Mapped[str] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    security: Mapped[str] = mapped_column(String(8), default="ssl")
    enabled: Mapped[bool] = mapped_column(default=True)
    # IMAP UIDs already taken (valid while the folder's UIDVALIDITY stays the same)
    uid_validity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_until: Mapped[dt.datetime | None]  # a poller's lease, so two workers do not poll it at once
    last_polled_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    agency: Mapped[Agency] = relationship()


class InboundEmail(Base):
    """One message taken from a mailbox, once: its Message-ID (or its hash) is unique per agency."""

    __tablename__ = "inbound_emails"
    __table_args__ = (
        CheckConstraint(in_check("status", INBOUND_STATUSES), name="status"),
        UniqueConstraint("agency_id", "message_key", name="uq_inbound_emails_agency_message"),
        Index("ix_inbound_emails_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    message_key: Mapped[str] = mapped_column(String(255))  # the Message-ID, or sha256:<hash> without one
    sha256: Mapped[str] = mapped_column(String(64))
    imap_uid: Mapped[int | None] = mapped_column(BigInteger)
    from_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    raw_key: Mapped[str] = mapped_column(String(100))  # the original message, under DATA_DIR/inbound
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))  # why it waits for an officer's review
    skipped_attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id", ondelete="SET NULL"), index=True)
    received_at: Mapped[dt.datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]

    agency: Mapped[Agency] = relationship()
    request: Mapped[Request | None] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
