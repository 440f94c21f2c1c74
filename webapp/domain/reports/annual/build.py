"""The whole annual report assembled (docs/rules.md §The annual report, docs/api.md §The annual report):
every section of the form with its tables and its text — the office's edited text where it saved one,
the product's draft otherwise — and each text's flags (numbers the tables contradict).

The figures beyond the requests come from `sources` (one call each); the request tables are annex two as
`full_report()` computes it for the report page and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.reports.annual import sources
from webapp.domain.reports.annual.checks import flags
from webapp.domain.reports.annual.drafts import drafts
from webapp.domain.reports.annual.facts import Facts, counts, gather
from webapp.domain.reports.annual.layout import (
    ANNEX_HEADER,
    ANNEX_ONE,
    ANNEX_THREE,
    ANNEX_TWO,
    APPEALS,
    FORM_2013,
    OTHER,
    OTHER_ROWS,
    OTHER_TABLE_TITLE,
    PROACTIVE,
    PROACTIVE_BLOCKS,
    REQUESTS,
    SECTIONS_2013,
    SECTIONS_2021,
)
from webapp.domain.reports.annual.scope import ReportScope
from webapp.domain.reports.full import full_report
from webapp.domain.reports.scope import check_form
from webapp.domain.reports.tables import annex_two
from webapp.models import AnnualReportText


def number(value: Any) -> int | float:
    """A figure as JSON writes it: whole numbers as integers, amounts as decimals."""
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return int(value)


@dataclass
class Inputs:
    """What the report is computed from, read once."""

    requests: dict[str, Any]  # annex two of the report's form (as full_report() gives it, when `full`)
    table_2021: dict[str, Any]
    figures: dict[str, Any]
    enquiries: dict[str, int]
    fees: Mapping[str, Any]
    topics: list[tuple[str, int]]
    facts: Facts


def gather_inputs(session: Session, scope: ReportScope, year: int, form: str, *, full: bool = True) -> Inputs:
    """The tables and figures of the report. `full`: the request table with everything the report page
    shows beside it (performance, charts, snapshot status), as the API's annex two answers it; without,
    the table alone — what drafting needs (bench/annual_report.py)."""
    counted = scope.counted
    ids = counted.ids
    t2021, lean = counts(session, counted, year)
    if full:
        requests = full_report(session, counted, year, form)
    else:
        requests = t2021 if form != FORM_2013 else annex_two(session, counted, year, form)
    figures = sources.annual_figures(session, ids, year)
    enquiries = sources.enquiry_counts(session, ids, year)
    fees = sources.fee_figures(session, ids, year)
    facts = gather(t2021, lean, figures=figures, enquiries=enquiries, fees=fees)
    return Inputs(requests, t2021, figures, enquiries, fees, lean.topics, facts)


# -- the tables ----------------------------------------------------------------------------------------


def proactive_table(figures: dict[str, Any]) -> dict[str, Any]:
    proactive = figures["proactive"]
    return {
        "key": "proactive",
        "title": "主动公开政府信息情况",
        "blocks": [
            {
                "heading": block["heading"],
                "columns": block["columns"],
                "rows": [
                    {"label": label, "key": key, "values": [number(proactive[key][cell]) for cell in cells]}
                    for label, key, cells in block["rows"]  # type: ignore[attr-defined]
                ],
            }
            for block in PROACTIVE_BLOCKS
        ],
    }


def rows_table(
    key: str, title: str, rows: list[tuple[str, str, str]], values: Mapping[str, Any]
) -> dict[str, Any]:
    """A 指标 | 单位 | 数量 table (section 六's fees)."""
    return {
        "key": key,
        "title": title,
        "columns": list(ANNEX_HEADER),
        "rows": [
            {"label": label, "unit": unit, "value": number(values.get(k, 0)), "key": k}
            for label, unit, k in rows
        ],
    }


def annex_table(key: str, title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A 2013 annex as the seed prints it: 指标 | 单位 | 数量."""
    return {"key": key, "title": title, "columns": list(ANNEX_HEADER), "rows": rows}


def tables(
    session: Session, scope: ReportScope, year: int, form: str, inputs: Inputs
) -> dict[str, list[dict[str, Any]]]:
    """Each section's tables, by key."""
    if form == FORM_2013:
        titles, ids = dict(SECTIONS_2013), scope.counted.ids
        return {
            ANNEX_ONE: [
                annex_table(ANNEX_ONE, titles[ANNEX_ONE], sources.annex_one_rows(session, ids, year))
            ],
            ANNEX_TWO: [inputs.requests],
            ANNEX_THREE: [
                annex_table(ANNEX_THREE, titles[ANNEX_THREE], sources.annex_three_rows(session, ids, year))
            ],
        }
    return {
        PROACTIVE: [proactive_table(inputs.figures)],
        REQUESTS: [inputs.requests],
        APPEALS: [inputs.table_2021["review_litigation"]],
        OTHER: [rows_table("fees", OTHER_TABLE_TITLE, OTHER_ROWS, inputs.fees)],
    }


# -- the texts -----------------------------------------------------------------------------------------


def saved_texts(session: Session, scope: ReportScope, year: int) -> AnnualReportText | None:
    return session.execute(
        select(AnnualReportText).where(AnnualReportText.agencies == scope.key, AnnualReportText.year == year)
    ).scalar_one_or_none()


def texts(
    session: Session, scope: ReportScope, year: int, form: str, inputs: Inputs
) -> dict[str, dict[str, Any]]:
    """Each text section: the saved text (edited by the office, or a draft the product saved) or the
    product's draft of now, whether the office edited it, and its flags."""
    drafted = drafts(form, year, inputs.facts, inputs.topics)
    row = saved_texts(session, scope, year)
    saved: dict[str, Any] = dict(row.texts) if row else {}
    out: dict[str, dict[str, Any]] = {}
    for key, draft in drafted.items():
        entry = saved.get(f"{form}:{key}")
        text = entry["text"] if isinstance(entry, dict) else draft
        out[key] = {
            "text": text,
            "edited": bool(isinstance(entry, dict) and entry.get("edited")),
            "saved": isinstance(entry, dict),
            "flags": flags(text, inputs.facts),
        }
    return out


# -- the report ----------------------------------------------------------------------------------------


def annual_report(
    session: Session, scope: ReportScope, year: int, form: str, *, full: bool = True
) -> dict[str, Any]:
    """The whole report in the shape of docs/api.md §The annual report (flushes nothing); `full`: see
    gather_inputs()."""
    check_form(form)
    inputs = gather_inputs(session, scope, year, form, full=full)
    by_key = tables(session, scope, year, form, inputs)
    written = texts(session, scope, year, form, inputs)
    sections = []
    for key, title in SECTIONS_2013 if form == FORM_2013 else SECTIONS_2021:
        section: dict[str, Any] = {"key": key, "title": title}
        if key in written:
            section.update(written[key])
        section["tables"] = by_key.get(key, [])
        sections.append(section)
    return {
        "form": form,
        "year": year,
        "agencies": scope.asked.codes,
        "agency_names": scope.asked.names,
        "rolled_up": scope.rolled_up,
        "sections": sections,
        "flags": sum(len(s.get("flags", [])) for s in sections),
    }
