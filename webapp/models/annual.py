"""What the annual report counts beyond the requests (docs/rules.md §The rest of the annual report): the
enquiry log (咨询, annex three of the 2013 form) and the figures an agency enters for a year (the 2021
form's section 二, the Art. 20 table; annex one of the 2013 form)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency, User
from webapp.models.base import Base, in_check

# 网上咨询 | 现场接待 | 咨询电话
ENQUIRY_CHANNELS = ("online", "in_person", "phone")
# 已解答 | 已转办 (referred to the body that can answer)
ENQUIRY_OUTCOMES = ("answered", "referred")

# The figures entered per agency and year, each a whole number of 件/条 (the fees: 万元, four decimals).
FIGURE_COUNTS = (
    "regulations_issued",
    "regulations_repealed",
    "regulations_in_force",
    "normative_issued",
    "normative_repealed",
    "normative_in_force",
    "licensing_decisions",
    "penalties_decisions",
    "enforcement_decisions",
    "annex_one_total",
    "annex_one_news",
    "annex_one_other",
)


class Enquiry(Base):
    """One enquiry (咨询) answered or referred by the agency: on its website, at the desk or by phone."""

    __tablename__ = "enquiries"
    __table_args__ = (
        CheckConstraint(in_check("channel", ENQUIRY_CHANNELS), name="channel"),
        CheckConstraint(in_check("outcome", ENQUIRY_OUTCOMES), name="outcome"),
        Index("ix_enquiries_agency_day", "agency_id", "asked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    asked_on: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200), default="")
    # 提供服务类信息: the answer gave service information (how to apply, where, what to bring …)
    service_info: Mapped[bool] = mapped_column(default=False, server_default=false())
    outcome: Mapped[str] = mapped_column(String(16), default="answered", server_default="answered")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]

    agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class AnnualFigures(Base):
    """The figures one agency enters for one year: the Art. 20 table of the 2021 form's section 二 and
    annex one of the 2013 form. A row exists once anything was entered; a group never entered is NULL."""

    __tablename__ = "annual_figures"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", name="uq_annual_figures_agency_year"),
        CheckConstraint(
            " AND ".join(f"({c} IS NULL OR {c} >= 0)" for c in FIGURE_COUNTS)
            + " AND (fees_10k_yuan IS NULL OR fees_10k_yuan >= 0)",
            name="not_negative",
        ),
        CheckConstraint(
            "annex_one_total IS NULL OR annex_one_total = annex_one_news + annex_one_other",
            name="annex_one_adds_up",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int]
    # 二、主动公开政府信息情况 (NULL: the group was never entered)
    regulations_issued: Mapped[int | None]
    regulations_repealed: Mapped[int | None]
    regulations_in_force: Mapped[int | None]
    normative_issued: Mapped[int | None]
    normative_repealed: Mapped[int | None]
    normative_in_force: Mapped[int | None]
    licensing_decisions: Mapped[int | None]
    penalties_decisions: Mapped[int | None]
    enforcement_decisions: Mapped[int | None]
    fees_10k_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    # 附表一 主动公开情况统计
    annex_one_total: Mapped[int | None]
    annex_one_news: Mapped[int | None]
    annex_one_other: Mapped[int | None]
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()
    updated_by: Mapped[User | None] = relationship()
