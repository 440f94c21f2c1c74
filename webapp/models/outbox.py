"""Side effects written in the same transaction as the change that causes them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base

if TYPE_CHECKING:
    from webapp.models.request import Request


class OutboxMessage(Base):
    """A notice or task to carry out after commit; the relay marks it sent exactly once by its key."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unsent", "next_attempt_at", postgresql_where="sent_at IS NULL"),
        # each relay's own due rows (workers/notices.py, workers/sms.py): the e-mail relay's claim never
        # passes over SMS rows waiting (a provider away, numbers at their hourly cap), nor the SMS relay's
        # over e-mail rows
        Index(
            "ix_outbox_unsent_email",
            "next_attempt_at",
            "id",
            postgresql_where="sent_at IS NULL AND kind <> 'sms'",
            sqlite_where=text("sent_at IS NULL AND kind <> 'sms'"),
        ),
        Index(
            "ix_outbox_unsent_sms",
            "next_attempt_at",
            "id",
            postgresql_where="sent_at IS NULL AND kind = 'sms'",
            sqlite_where=text("sent_at IS NULL AND kind = 'sms'"),
        ),
        # the SMS sent in the last hour, for the per-number cap (workers/sms.py): without it every SMS
        # read the whole outbox, which keeps every notice ever sent (bench/outbox_throughput.py --history)
        Index(
            "ix_outbox_sms_sent",
            "sent_at",
            postgresql_where="kind = 'sms'",
            sqlite_where=text("kind = 'sms'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    delivery_key: Mapped[str] = mapped_column(String(100), unique=True)
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]
    # The relay's lease while it sends (workers/notices.py); another relay may take the row once it passed.
    claimed_until: Mapped[dt.datetime | None]
    # Given up after the last attempt (or refused for good): shown to officers until retried.
    failed_at: Mapped[dt.datetime | None]
    delivered_via: Mapped[str | None] = mapped_column(String(16))  # smtp | maildrop | none (no address)

    request: Mapped[Request | None] = relationship()
