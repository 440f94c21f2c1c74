"""Requests for government information, their append-only history and their attachments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.domain.states import APPLICANT_TYPES, CHANNELS, DELIVERY, ID_KINDS, OUTCOMES, Status
from webapp.models.agency import Agency, ApiToken, User
from webapp.models.base import Base, in_check

OPEN = "finished_on IS NULL"
# The queue's sort expressions as the indexes hold them (webapp/domain/queue.py renders the same SQL).
DUE_KEY_SQL = text("coalesce(due_on, '9999-12-31')")
ASSIGNEE_KEY_SQL = text("coalesce(assignee_id, 0)")


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint(in_check("status", Status), name="status"),
        CheckConstraint(in_check("channel", CHANNELS), name="channel"),
        CheckConstraint(in_check("applicant_type", APPLICANT_TYPES), name="applicant_type"),
        CheckConstraint(in_check("applicant_id_kind", ID_KINDS), name="applicant_id_kind"),
        CheckConstraint(in_check("delivery", DELIVERY), name="delivery"),
        CheckConstraint(f"outcome IS NULL OR {in_check('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("rules IN ('2008', '2019')", name="rules"),
        CheckConstraint("(status = 'replied') = (outcome IS NOT NULL)", name="finished_has_outcome"),
        CheckConstraint("(outcome IS NULL) = (finished_on IS NULL)", name="outcome_has_date"),
        CheckConstraint("extended_days >= 0", name="extended_days"),
        # The queue's keyset orders over the open requests only, one index per order of
        # webapp/domain/queue.py (SORT_KEYS), and the filters' columns (bench/RESULTS.md).
        Index(
            "ix_requests_agency_due",
            "agency_id",
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index("ix_requests_due_open", DUE_KEY_SQL, "received_on", "tracking_number", postgresql_where=OPEN),
        Index(
            "ix_requests_open_received", "received_on", DUE_KEY_SQL, "tracking_number", postgresql_where=OPEN
        ),
        Index(
            "ix_requests_open_received_desc",
            text("received_on DESC"),
            DUE_KEY_SQL,
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index(
            "ix_requests_open_applicant",
            "applicant_name",
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index(
            "ix_requests_open_status",
            "status",
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index(
            "ix_requests_open_assignee",
            ASSIGNEE_KEY_SQL,
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index(
            "ix_requests_open_channel",
            "channel",
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index(
            "ix_requests_open_applicant_type",
            "applicant_type",
            DUE_KEY_SQL,
            "received_on",
            "tracking_number",
            postgresql_where=OPEN,
        ),
        Index("ix_requests_wait_ends_on", "wait_ends_on"),
        Index("ix_requests_agency_received", "agency_id", "received_on"),
        Index("ix_requests_agency_finished", "agency_id", "finished_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    access_code_hash: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    channel: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[dt.date] = mapped_column(Date)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    applicant_type: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_kind: Mapped[str | None] = mapped_column(String(20))
    applicant_id_number: Mapped[str | None] = mapped_column(String(40))
    applicant_phone: Mapped[str | None] = mapped_column(String(40))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(16))

    rules: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(24), default=Status.RECEIVED)
    # The clock, derived from the events by domain.deadlines and stored for the queue and the sweeps.
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(default=False)
    remaining_days: Mapped[int | None]
    wait_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    extended_days: Mapped[int] = mapped_column(default=0)
    correction_requested: Mapped[bool] = mapped_column(default=False)

    outcome: Mapped[str | None] = mapped_column(String(40))
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    # The agency that holds the information and how to reach it (2019 rules Art. 36(5)), told in the reply.
    referred_agency: Mapped[str | None] = mapped_column(String(200))
    referred_agency_address: Mapped[str | None] = mapped_column(String(300))
    referred_agency_phone: Mapped[str | None] = mapped_column(String(60))

    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    agency: Mapped[Agency] = relationship(lazy="joined")
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[Event]] = relationship(
        back_populates="request", order_by="Event.seq", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="request", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.status == Status.REPLIED

    def is_overdue(self, today: dt.date) -> bool:
        return not self.finished and self.due_on is not None and today > self.due_on


class Event(Base):
    """One entry of a request's history: who did what, when, and how the status moved."""

    __tablename__ = "request_events"
    __table_args__ = (
        UniqueConstraint("request_id", "seq", name="uq_request_events_request_seq"),
        # the year's fee notices and payments (domain/reports/fees.py) without reading every event
        Index(
            "ix_request_events_fees",
            "on",
            "request_id",
            postgresql_where="type IN ('fee_requested', 'fee_received')",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(40))
    on: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # The bearer token the actor used, when the event came through the API: the history shows who issued
    # it ("经 X 签发的令牌"). None for the pages, the applicant and the workers.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    # The actor's name (else e-mail) as it was when the event happened: the history keeps it when the user
    # is renamed later. Events before migration 9d4b2e7c1a05 got the names of that day.
    actor_name: Mapped[str | None] = mapped_column(String(200))

    request: Mapped[Request] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    token: Mapped[ApiToken | None] = relationship()


# The event history is append-only (issue 9): the database itself refuses to change or remove an event,
# whatever the code does. PostgreSQL: a trigger function raising on UPDATE, DELETE (including a delete
# cascaded from its request) and TRUNCATE; SQLite: BEFORE UPDATE/DELETE triggers that abort. Only a
# superuser's maintenance session (session_replication_role = replica, which skips ordinary triggers) can
# get past it. The migration d4a3f0b8e004 runs the same statements (and drops them on downgrade).
APPEND_ONLY_MESSAGE = "request_events is append-only: events are never updated or deleted"
APPEND_ONLY_DDL = {
    "postgresql": [
        f"""CREATE FUNCTION request_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
END
$$""",
        "CREATE TRIGGER request_events_append_only BEFORE UPDATE OR DELETE ON request_events "
        "FOR EACH ROW EXECUTE FUNCTION request_events_append_only()",
        "CREATE TRIGGER request_events_no_truncate BEFORE TRUNCATE ON request_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION request_events_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        "CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ],
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(Event.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class Attachment(Base):
    """A file kept outside the database; the row holds where, what and its checksum. Its `purpose` is the
    request's material (`application`: the applicant's files, the staff's scans) or information to
    release with the reply (`release`, staff only; `released_on` set by the reply that released it;
    `derived_from` the original a redacted copy was made from)."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("purpose IN ('application', 'release')", name="purpose"),
        CheckConstraint("released_on IS NULL OR purpose = 'release'", name="released_is_release"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("request_events.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[dt.datetime]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(16), default="application", server_default="application")
    pages: Mapped[int | None]
    released_on: Mapped[dt.date | None] = mapped_column(Date)
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))

    request: Mapped[Request] = relationship(back_populates="attachments")


class TrackingCounter(Base):
    """The last tracking serial handed out per agency and year, advanced atomically in the database."""

    __tablename__ = "tracking_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
