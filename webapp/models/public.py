"""The public log of answered requests (公开答复库, webapp/domain/public_log.py): one entry per published
reply, holding only what may be published — the subject with personal data removed, never the applicant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.agency import Agency
from webapp.models.base import Base
from webapp.models.request import Request


class PublicAnswer(Base):
    __tablename__ = "public_answers"
    __table_args__ = (Index("ix_public_answers_agency_year", "agency_id", "year", "replied_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    subject: Mapped[str] = mapped_column(Text)  # the description with personal data removed
    outcome: Mapped[str] = mapped_column(String(40))
    replied_on: Mapped[dt.date]
    year: Mapped[int]
    # the subject's words for search: CJK character bigrams and Latin words, space-separated (on
    # PostgreSQL the migration's stored column SEARCH_VECTOR, their text-search vector, under a GIN index
    # SEARCH_INDEX; on SQLite the FTS5 table SEARCH_TABLE)
    search_tokens: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship()
    request: Mapped[Request] = relationship()


SEARCH_TABLE = "public_answers_fts"  # SQLite: an external-content FTS5 table and its shadow tables
# PostgreSQL: a generated column to_tsvector('simple', search_tokens), stored, and its GIN index
SEARCH_VECTOR = "search_vector"
SEARCH_INDEX = "ix_public_answers_search"


def in_the_models(name: str | None, type_: str, parent_names: object) -> bool:
    """For autogenerate and the schema check: SQLite's FTS5 tables and PostgreSQL's search vector and its
    index are the migrations', not the models' (each exists on one backend only)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SEARCH_TABLE)
    return not ((type_ == "column" and name == SEARCH_VECTOR) or (type_ == "index" and name == SEARCH_INDEX))
