"""Information requested by several applicants (Art. 44 of the 2019 Regulations, docs/rules.md §Information
many ask for): requests an officer groups as asking for the same information, the agency's decision on
publishing it proactively, and the group's own history (append-only in practice: nothing updates an event)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check
from webapp.models.request import Request

DECISIONS = {"publish": "纳入主动公开", "not_publish": "不纳入主动公开"}
GROUP_EVENTS = ("created", "linked", "decided", "suggested")


class InformationGroup(Base):
    """One piece of information (同一政府信息) an agency was asked for, in one year, and its decision."""

    __tablename__ = "information_groups"
    __table_args__ = (
        CheckConstraint(f"decision IS NULL OR {in_check('decision', DECISIONS)}", name="decision"),
        CheckConstraint("(decision IS NULL) = (decided_at IS NULL)", name="decided_has_time"),
        CheckConstraint(
            "decision IS NULL OR decision <> 'publish' OR published_on IS NOT NULL", name="published_on"
        ),
        Index("ix_information_groups_agency_year", "agency_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the latest decision; every decision is also a `decided` event
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_where: Mapped[str | None] = mapped_column(String(300))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    members: Mapped[list[InformationGroupRequest]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )
    events: Mapped[list[InformationGroupEvent]] = relationship(
        back_populates="group", order_by="InformationGroupEvent.id", cascade="all, delete-orphan"
    )


class InformationGroupRequest(Base):
    """A request in a group: each request is in one group at most."""

    __tablename__ = "information_group_requests"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("information_groups.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[dt.datetime]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[Request] = relationship()
    group: Mapped[InformationGroup] = relationship(back_populates="members")


class InformationGroupEvent(Base):
    """One entry of a group's history: made, a request linked, a decision, an applicant's suggestion."""

    __tablename__ = "information_group_events"
    __table_args__ = (CheckConstraint(in_check("type", GROUP_EVENTS), name="type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("information_groups.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    group: Mapped[InformationGroup] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
