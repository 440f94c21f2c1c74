"""The whole annual report's own records (docs/rules.md §The annual report): the office's edited text per
agency set and year, the signed-off and published reports, and the January drafting run's progress."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check
from webapp.models.report import REPORT_FORMS


class AnnualReportText(Base):
    """The narrative of one agency set's report for one year: each section's text, drafted by the
    product or edited by the office (`texts`: {section key: {"text", "edited", "at", "by"}}).

    `agencies` is the set's codes sorted and joined by commas: one row per set and year, whichever order
    the codes were asked in."""

    __tablename__ = "annual_report_texts"
    __table_args__ = (UniqueConstraint("agencies", "year", name="uq_annual_report_texts_set_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agencies: Mapped[str] = mapped_column(String(1000))
    year: Mapped[int]
    texts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AnnualReportPublication(Base):
    """One version of an agency's whole report for one year and form, signed off by its head: the report
    as it stood (figures and text) with the checksum of the data behind it. Published from that moment;
    its content never changed afterwards. A correction is a new version (`version` + 1, `correction` its
    reason, 更正说明) that supersedes the one before (`superseded_at`); both stay public."""

    __tablename__ = "annual_report_publications"
    __table_args__ = (
        CheckConstraint(in_check("form", REPORT_FORMS), name="form"),
        UniqueConstraint(
            "agency_id",
            "year",
            "form",
            "version",
            name="uq_annual_report_publications_agency_year_form_version",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    form: Mapped[str] = mapped_column(String(4))
    report: Mapped[dict[str, object]] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    signed_off_at: Mapped[dt.datetime]
    signed_off_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    correction: Mapped[str | None] = mapped_column(Text)  # why this version replaced the one before
    superseded_at: Mapped[dt.datetime | None]  # None: the current version
    # A correction the head opened on this (current) version: {"reason", "by", "at"}; the texts may be
    # edited again until the new version is signed off.
    correcting: Mapped[dict[str, object] | None] = mapped_column(JSON)

    agency: Mapped[Agency] = relationship()
    signed_off_by: Mapped[User] = relationship()


class AnnualReportRun(Base):
    """The January job's progress for one report year: how many agencies' reports it has to draft and
    how many it drafted, so the administrators see it running and finished."""

    __tablename__ = "annual_report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    total: Mapped[int] = mapped_column(default=0)
    drafted: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
