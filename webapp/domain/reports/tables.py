"""Annex two (docs/rules.md §Outcomes, §Annex two): the annual report's request tables, aggregated in SQL from
the requests.

Both forms read the same rows by the same rules:

- received in the year: `received_on` within the year;
- finished in the year: `finished_on` (the day the reply or closure was sent) within the year;
- carried into the year: received before 1 January and not finished before it;
- carried out of the year: received by 31 December and not finished by it.

Every request that touches the year is exactly one of (received, carried in) and exactly one of
(finished, carried out), so the 2021 form's check 一 + 二 = 三(七) + 四 holds in every column.

`OUTCOME_ROWS` is the table of docs/rules.md §Annex two, the one place where an outcome is mapped to a row of
either form. Each table is one grouped query — the year's requests counted by (column, outcome, received in
the year, finished in the year), folded into the form's rows here: as cheap as the database can count them
(bench/annex_two.py); the functions here return the tables in the JSON shape of docs/api.md §Reports, which
the exports and the snapshots reuse.

Section 四 of the 2021 form counts the review and litigation records (`Appeal`) as they stood at the
end of the year: a case decided in the year under its result, a case filed by 31 December and not
decided by then under 尚未审结 (it is counted again, under its result, in the year it is decided)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, and_, case, extract, func, or_, select
from sqlalchemy.orm import Session

from webapp.domain.reports.layout import (
    COLUMNS_2021,
    CORNER_NOTE_2021,
    FORM_2013,
    FORM_2021,
    LITIGATION_HEADING,
    OUTCOME_CATEGORIES,
    OUTCOME_ROWS,
    REVIEW_HEADING,
    SECTION_FOUR_COLUMNS,
    SECTION_FOUR_GROUPS,
    TITLE_2013,
    TITLE_2021,
    TITLE_SECTION_FOUR,
    UNIT,
)
from webapp.domain.reports.scope import Scope, check_form, year_bounds
from webapp.domain.states import APPLICANT_TYPES
from webapp.models import Appeal, Request

R = Request


def between(col: Any, start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(col >= start, col <= end)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def touches_year(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """Received by the year's end and not finished before it began."""
    return and_(R.received_on <= end, or_(R.finished_on.is_(None), R.finished_on >= start))


def year_rows(
    session: Session, scope: Scope, year: int, dim: Any, *extra: Any, sums: tuple[Any, ...] = ()
) -> list[Any]:
    """The requests touching the year counted by (dim, outcome, received in the year, finished in the
    year, *extra): one grouped query, a few hundred groups at most without `extra`; `sums`, aggregates of
    the same groups before the count (the annual report's narrative counts a few more things in the same
    scan)."""
    start, end = year_bounds(year)
    # Plain comparisons, not CASE: PostgreSQL knows a boolean has two values and plans the grouping as the
    # few hundred groups it is (a parallel aggregate), where CASE made it guess tens of thousands.
    new = R.received_on >= start
    done = R.finished_on <= end  # NULL (open) groups with false
    return list(
        session.execute(
            select(dim, R.outcome, new, done, *extra, *sums, func.count())
            .where(R.agency_id.in_(scope.ids), touches_year(start, end))
            .group_by(dim, R.outcome, new, done, *extra)
        ).all()
    )


def fold(rows: list[Any]) -> dict[str, Counter[str]]:
    """year_rows() counted per dim value under every key of both forms, by the table of docs/rules.md
    §Annex two. Within the rows touching the year, not received in it means carried in, and not finished
    in it means carried out."""
    out: dict[str, Counter[str]] = {}
    for row in rows:
        value, outcome, is_new, is_done, n = row[0], row[1], row[2], row[3], int(row[-1])
        c = out.setdefault(str(value), Counter())
        if is_new:
            c["received"] += n
            c[f"received:{value}"] += n
        else:
            c["carried_in"] += n
        if is_done:
            c["finished"] += n
            row_of = OUTCOME_ROWS[outcome]
            for key in {row_of.row_2021, row_of.row_2013, row_of.sub_2013} - {None}:
                c[str(key)] += n
        else:
            c["carried_out"] += n
    return out


def _year_groups(session: Session, scope: Scope, year: int, dim: Any) -> dict[str, Counter[str]]:
    """The requests touching the year, counted per `dim` value under every key of both forms: one grouped
    query, (dim, outcome, received in the year, finished in the year) → count, folded here."""
    return fold(year_rows(session, scope, year, dim))


def table_2013(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """The 2013 form (the seed's 附表二): one grouped query over the agencies' requests."""
    figures: Counter[str] = Counter()
    for counts in _year_groups(session, scope, year, R.channel).values():
        figures.update(counts)
    figures["catalogue"] = sum(a.catalogue_count(year) for a in scope.agencies)
    return {
        "form": "2013",
        "year": year,
        "agencies": scope.codes,
        "title": TITLE_2013,
        "rows": [
            {"label": label, "unit": UNIT, "value": figures[key], "key": key} for label, key in FORM_2013
        ],
    }


def table_2021(
    session: Session, scope: Scope, year: int, groups: dict[str, Counter[str]] | None = None
) -> dict[str, Any]:
    """The 2021 national form's section 三 (one query grouped by applicant type, or `groups`: the
    caller's fold() of year_rows() by applicant type) and section 四."""
    by_type = groups if groups is not None else _year_groups(session, scope, year, R.applicant_type)
    types = list(APPLICANT_TYPES)
    rows: list[dict[str, Any]] = []
    for label, key in FORM_2021:
        if key is None:
            rows.append({"label": label, "values": None, "key": None})
            continue
        per_type = [by_type.get(t, Counter())[key] for t in types]
        rows.append({"label": label, "values": [*per_type, sum(per_type)], "key": key})
    return {
        "form": "2021",
        "year": year,
        "agencies": scope.codes,
        "title": TITLE_2021,
        "corner_note": CORNER_NOTE_2021,
        "columns": [label for label, _ in COLUMNS_2021],
        "rows": rows,
        "review_litigation": section_four(session, scope, year),
    }


def section_four(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Section 四: review and litigation records as they stood at the year's end, one grouped query."""
    start, end = year_bounds(year)
    decided = between(Appeal.decided_on, start, end)
    pending = and_(Appeal.filed_on <= end, or_(Appeal.decided_on.is_(None), Appeal.decided_on > end))
    cols = [_count(and_(decided, Appeal.result == r)) for r in ("upheld", "corrected", "other")]
    cols += [_count(pending), _count(or_(decided, pending))]
    result = session.execute(
        select(Appeal.kind, *[c.label(f"c{i}") for i, c in enumerate(cols)])
        .join(Request, Request.id == Appeal.request_id)
        # a case decided before the year counts in none of the columns: not read at all
        .where(
            Request.agency_id.in_(scope.ids),
            Appeal.filed_on <= end,
            or_(Appeal.decided_on.is_(None), Appeal.decided_on >= start),
        )
        .group_by(Appeal.kind)
    ).all()
    by_kind = {r[0]: [int(v) for v in r[1:]] for r in result}
    return {
        "title": TITLE_SECTION_FOUR,
        "columns": [label for label, _ in SECTION_FOUR_COLUMNS],
        "groups": [
            {
                "kind": kind,
                "heading": REVIEW_HEADING if kind == "review" else LITIGATION_HEADING,
                "label": label,
                "values": by_kind.get(kind, [0] * len(SECTION_FOUR_COLUMNS)),
            }
            for kind, label in SECTION_FOUR_GROUPS
        ],
    }


def annex_two(session: Session, scope: Scope, year: int, form: str) -> dict[str, Any]:
    check_form(form)
    return table_2013(session, scope, year) if form == "2013" else table_2021(session, scope, year)


def outcome_counts(session: Session, scope: Scope, year: int) -> dict[str, int]:
    """Requests finished in the year by outcome (one grouped query)."""
    start, end = year_bounds(year)
    rows = session.execute(
        select(R.outcome, func.count())
        .where(R.agency_id.in_(scope.ids), between(R.finished_on, start, end))
        .group_by(R.outcome)
    ).all()
    return {str(outcome): int(n) for outcome, n in rows}


def outcome_categories(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The six headings of 三 with the requests finished under each (the outcome chart)."""
    return [
        (label, sum(n for code, n in counts.items() if OUTCOME_ROWS[code].row_2021.startswith(prefix)))
        for prefix, label in OUTCOME_CATEGORIES
    ]


def monthly_intake(session: Session, scope: Scope, year: int) -> list[int]:
    """Requests received in each month of the year (one grouped query)."""
    start, end = year_bounds(year)
    month = extract("month", R.received_on)
    rows = session.execute(
        select(month, func.count())
        .where(R.agency_id.in_(scope.ids), between(R.received_on, start, end))
        .group_by(month)
    ).all()
    counts = [0] * 12
    for m, n in rows:
        counts[int(m) - 1] = int(n)
    return counts
