"""Administrator changes to the working-day calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base


class CalendarOverride(Base):
    """One day declared a working day or a holiday, overriding the packaged calendar."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarYear(Base):
    """A year whose holiday notice an administrator has entered in full: its due dates are final."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    confirmed_at: Mapped[dt.datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
