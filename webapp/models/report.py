"""The annual report's own records: administrative review and litigation over requests (annex two's
section 四), and the frozen year-end snapshots of the tables (docs/rules.md §Annex two)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check
from webapp.models.request import Request

# 行政复议; 行政诉讼 未经复议直接起诉; 行政诉讼 复议后起诉
APPEAL_KINDS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}
# 结果维持 | 结果纠正 | 其他结果 | 尚未审结
APPEAL_RESULTS = {"upheld": "维持", "corrected": "纠正", "other": "其他", "pending": "尚未审结"}
REPORT_FORMS = ("2013", "2021")


class Appeal(Base):
    """An administrative review (行政复议) or lawsuit (行政诉讼) brought over a request."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(in_check("kind", APPEAL_KINDS), name="kind"),
        CheckConstraint(in_check("result", APPEAL_RESULTS), name="result"),
        CheckConstraint("(result = 'pending') = (decided_on IS NULL)", name="decided_has_date"),
        CheckConstraint("decided_on IS NULL OR decided_on >= filed_on", name="decided_after_filed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(16))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    case_number: Mapped[str | None] = mapped_column(String(100))
    # 复议机关 or 法院: the body deciding a review, the court hearing a suit
    authority: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    request: Mapped[Request] = relationship()


class ReportSnapshot(Base):
    """One agency's annex two for one year and form, frozen with the checksum of the data behind it.

    Revision 1 is the year-end snapshot the workers take; a head may freeze a later revision after a
    late correction. A snapshot never changes except for its sign-off.
    """

    __tablename__ = "report_snapshots"
    __table_args__ = (
        CheckConstraint(in_check("form", REPORT_FORMS), name="form"),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint("(signed_off_by_id IS NULL) = (signed_off_at IS NULL)", name="signed_off_has_time"),
        UniqueConstraint("agency_id", "year", "form", "revision", name="uq_report_snapshots_revision"),
        Index("ix_report_snapshots_agency_year", "agency_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int]
    form: Mapped[str] = mapped_column(String(4))
    revision: Mapped[int] = mapped_column(default=1)
    figures: Mapped[dict[str, object]] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[dt.datetime | None]

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
