"""Official documents (docs/rules.md §Lifecycle): each agency's letterhead settings, and every document sent,
frozen.

A document is written in the transaction of the event that sends it and never changes afterwards: its
text, number, letterhead and date are stored as sent, and its PDF, rendered from them once, is kept.
It points at its event; the event row knows nothing of it (the history is append-only).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check
from webapp.models.request import Event, Request

DOCUMENT_KINDS = (
    "receipt",
    "correction_notice",
    "extension_notice",
    "consultation_notice",
    "fee_notice",
    "reply",
    "closure_notice",
    "consultation_letter",  # 征求第三方意见书: to the third party, not to the applicant
    "agency_consultation_notice",  # 2019 rules Art. 34, 33 ¶3
    "reasons_notice",  # Art. 35
    "reply_period_notice",  # Art. 35
    "agency_consultation_letter",  # 征求意见函: to the agency that made the information with this one
    "third_party_notice",  # 决定公开告知书: to the third party (Art. 32)
)


class DocumentSettings(Base):
    """An agency's letterhead, contact block, seal text and document-number scheme, set by the admin."""

    __tablename__ = "document_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    letterhead: Mapped[str] = mapped_column(String(200), default="")  # defaults to the agency's name
    short_name: Mapped[str] = mapped_column(String(50), default="")  # the {short} of the number scheme
    number_scheme: Mapped[str] = mapped_column(String(100), default="")
    seal_text: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(12), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    contact_person: Mapped[str] = mapped_column(String(100), default="")
    # Where the applicant may turn (docs/rules.md §Outcomes): the 行政复议机关 and the 人民法院 the letters
    # name beside the 60-day and 6-month remedies; empty: the letters name neither.
    review_body: Mapped[str] = mapped_column(String(200), default="", server_default="")
    court: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # How the applicant pays an information processing fee (the fee notice states it, docs/rules.md §Fees):
    # the account, the counter or the payment site; empty: the agency sends no fee notice.
    fee_payment: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Per-kind body templates replacing the built-in text ({placeholders} as documented on the admin page).
    overrides: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime | None]

    agency: Mapped[Agency] = relationship()


class DocumentCounter(Base):
    """The last document serial handed out per agency and year, advanced atomically in the database."""

    __tablename__ = "document_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Document(Base):
    """One document as it was sent: number, title, text and PDF, with the event that sent it."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(in_check("kind", DOCUMENT_KINDS), name="kind"),
        UniqueConstraint("event_id", "kind"),
        Index("ix_documents_request_id", "request_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("request_events.id"))
    kind: Mapped[str] = mapped_column(String(32))
    to_applicant: Mapped[bool] = mapped_column(default=True)  # sent to the applicant (else to a third party)
    title: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    # The letterhead and contact block as they stood when it was sent, and the document's date.
    header: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    on: Mapped[dt.date] = mapped_column(Date)
    # The PDF, made once from the frozen contents above (off the request's path) and then never again.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    edited: Mapped[bool] = mapped_column(default=False)  # the officer changed the generated text
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[Request] = relationship()
    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()
