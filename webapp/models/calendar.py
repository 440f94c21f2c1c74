"""Administrator changes to the working-day calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DDL, CheckConstraint, Date, ForeignKey, String, event
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


class CalendarRevision(Base):
    """One row: a stamp the database itself changes to a new random value whenever calendar_overrides or
    calendar_years change (triggers below), committed or not with that change. A process keeps the
    calendar it built per stamp (webapp.domain.calendar.current_calendar) and rebuilds on a new one; a
    random stamp is never reused, so a change that was rolled back cannot alias a later one."""

    __tablename__ = "calendar_revision"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(36))


# The same statements as the migration e5b4a1c9f105 runs (for a schema made by create_all).
CALENDAR_REVISION_DDL = {
    "postgresql": [
        "INSERT INTO calendar_revision (id, stamp) VALUES (1, gen_random_uuid()::text)",
        """CREATE FUNCTION calendar_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_revision SET stamp = gen_random_uuid()::text;
    RETURN NULL;
END
$$""",
        *(
            f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump()"
            for table in ("calendar_overrides", "calendar_years")
        ),
    ],
    "sqlite": [
        "INSERT INTO calendar_revision (id, stamp) VALUES (1, lower(hex(randomblob(16))))",
        *(
            f"CREATE TRIGGER {table}_revision_{op.lower()} AFTER {op} ON {table} "  # noqa: S608 -- constants
            "BEGIN UPDATE calendar_revision SET stamp = lower(hex(randomblob(16))); END"
            for table in ("calendar_overrides", "calendar_years")
            for op in ("INSERT", "UPDATE", "DELETE")
        ),
    ],
}
for _dialect, _statements in CALENDAR_REVISION_DDL.items():
    for _statement in _statements:  # after every table: the triggers name the two calendar tables
        event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect=_dialect))
