"""Document numbers: the agency's scheme (`{short}〔{year}〕第{seq}号` by default) and its yearly serial,
taken with one INSERT … ON CONFLICT DO UPDATE … RETURNING on a counter row."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.domain import templates
from webapp.i18n import _l
from webapp.models import Agency
from webapp.models.document import Document, DocumentCounter, DocumentSettings

log = logging.getLogger(__name__)


DEFAULT_SCHEME = "{short}〔{year}〕第{seq}号"


def scheme_error(scheme: str) -> str | None:
    """Why a number scheme cannot be used (naming the bad placeholder), or None."""
    problem = templates.template_error(scheme, templates.NUMBER_FIELDS)
    if problem is not None:
        return problem
    if "seq" not in templates.placeholders(scheme, templates.NUMBER_FIELDS):
        return str(_l("编号格式须包含{seq}（序号）"))
    return None


KIND_SHORT = {
    "receipt": "受",
    "correction_notice": "补",
    "extension_notice": "延",
    "consultation_notice": "征",
    "fee_notice": "费",
    "reply": "答",
    "closure_notice": "结",
    "consultation_letter": "征",
    "agency_consultation_notice": "征",
    "agency_consultation_letter": "征",
    "reasons_notice": "理",
    "reply_period_notice": "延",
    "third_party_notice": "告",
}


def column_length(table: Any, column: str) -> int:
    return int(table.c[column].type.length)


NUMBER_LIMIT = column_length(Document.__table__, "number")  # the stored number's column


def format_number(
    scheme: str, short: str, kind: str = "receipt", year: int = 2026, seq: int | str = 999999
) -> str:
    values = {"short": short, "year": year, "seq": seq, "kind": KIND_SHORT[kind]}
    return (
        templates.fill(scheme, values, what="number scheme")
        or templates.fill(DEFAULT_SCHEME, values, what="default number scheme")
        or ""
    )


def document_number(settings: DocumentSettings, agency: Agency, kind: str, year: int, seq: int | None) -> str:
    """The document's number by the agency's scheme (the default one when the stored scheme is unusable),
    never longer than its column (an agency renamed to a long name since, say)."""
    scheme = settings.number_scheme or DEFAULT_SCHEME
    if scheme_error(scheme):
        log.warning("agency %s: unusable number scheme, the default is used instead", agency.code)
        scheme = DEFAULT_SCHEME
    number = format_number(
        scheme, settings.short_name or agency.name, kind, year, "＿＿" if seq is None else seq
    )
    if len(number) > NUMBER_LIMIT:
        log.warning("agency %s: document number longer than %s characters, cut", agency.code, NUMBER_LIMIT)
        number = number[:NUMBER_LIMIT]
    return number


_COUNTER_UPSERTS: dict[str, Any] = {}


def counter_upsert(session: Session, table: Any) -> Any:
    """`INSERT … ON CONFLICT (agency_id, year) DO UPDATE SET last = last + 1 RETURNING last` on a counter
    table, as a Core statement built once per dialect (params: agency_id, year, last=1)."""
    dialect = session.get_bind().dialect.name
    key = f"{table.name}:{dialect}"
    stmt = _COUNTER_UPSERTS.get(key)
    if stmt is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = _COUNTER_UPSERTS[key] = (
            insert(table)
            .on_conflict_do_update(
                index_elements=[table.c.agency_id, table.c.year], set_={"last": table.c.last + 1}
            )
            .returning(table.c.last)
        )
    return stmt


def next_serial(session: Session, agency: Agency, year: int) -> int:
    """The agency's next document serial of the year: one INSERT … ON CONFLICT DO UPDATE … RETURNING on
    a counter row (one round trip), which holds the row lock to the end of the transaction (two
    concurrent senders never share a number)."""
    stmt = counter_upsert(session, DocumentCounter.__table__)
    params = {"agency_id": agency.id, "year": year, "last": 1}
    return int(session.connection().execute(stmt, params).scalar_one())
