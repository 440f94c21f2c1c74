"""The public log of answered requests (公开答复库, webapp/domain/public_log.py): one entry per published
reply, holding only what may be published — the subject with personal data removed, never the applicant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency
from webapp.models.base import Base
from webapp.models.request import Request


class PublicAnswer(Base):
    __tablename__ = "public_answers"
    __table_args__ = (
        Index("ix_public_answers_agency_year", "agency_id", "year", "replied_on"),
        # PostgreSQL's search index (SQLite's is the FTS5 table SEARCH_TABLE, made by the migration)
        Index(
            "ix_public_answers_search",
            func.to_tsvector(literal_column("'simple'"), literal_column("search_tokens")),
            postgresql_using="gin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    subject: Mapped[str] = mapped_column(Text)  # the description with personal data removed
    outcome: Mapped[str] = mapped_column(String(40))
    replied_on: Mapped[dt.date]
    year: Mapped[int]
    # the subject's words for search: CJK character bigrams and Latin words, space-separated (one index
    # over them on PostgreSQL, an FTS5 table on SQLite)
    search_tokens: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship()
    request: Mapped[Request] = relationship()


SEARCH_TABLE = "public_answers_fts"  # SQLite: an external-content FTS5 table and its shadow tables


def in_the_models(name: str | None, type_: str, parent_names: object) -> bool:
    """For autogenerate and the schema check: SQLite's FTS5 tables are the migration's, not the models'."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))
