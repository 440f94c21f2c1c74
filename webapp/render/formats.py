"""Every export in one place: annex two, and a list of rows (the staff queue's view), as a file; the
format decides what is written, its content type and its name, for the HTTP API, the report page's
downloads, the queue page and the command line alike."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from webapp.render import annex_two, annual, page, tables

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
TABLE_FORMATS = ("csv", "xlsx")
# The whole annual report's formats (a report with `sections`).
ANNUAL_FORMATS = ("json", "pdf", "docx", "html")
# The formats that show the whole report (figures beyond the form, charts, snapshot status): the caller
# computes domain.reports.full_report() for these, the table alone (annex_two()) for the others.
FULL_REPORT_FORMATS = frozenset({"json", "html"})
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Export:
    body: bytes
    content_type: str
    filename: str


def export(report: dict[str, Any], fmt: str, *, names: list[str], now: dt.datetime) -> Export:
    """The report as a file of format `fmt` (one of FORMATS; of ANNUAL_FORMATS for the whole annual
    report). `names`: the agencies' names for the title; `now`: when the page says it was made. A report of
    kind "table" (`columns`, `rows`, `name`) is a list of rows, written as CSV or XLSX (TABLE_FORMATS)."""
    if report.get("kind") == "table":
        if fmt not in TABLE_FORMATS:
            raise ValueError(f"a table is exported as {' or '.join(TABLE_FORMATS)}, not {fmt}")
        body = tables.to_csv(report) if fmt == "csv" else tables.to_xlsx(report)
        return Export(body, CONTENT_TYPES[fmt], f"{report['name']}-{now:%Y%m%d-%H%M}.{fmt}")
    if "sections" in report:
        return _annual(report, fmt, names)
    if fmt == "json":
        body = json.dumps(report, ensure_ascii=False, indent=2, default=str).encode()
    elif fmt == "html":
        body = page.render_page(report, now=now).encode()
    elif fmt == "csv":
        body = annex_two.to_csv(report)
    elif fmt == "xlsx":
        body = annex_two.to_xlsx(report, names)
    elif fmt == "pdf":
        body = annex_two.to_pdf(report, names)
    else:
        raise ValueError(f"unknown format {fmt}")
    return Export(body, CONTENT_TYPES[fmt], annex_two.filename(report, fmt))


def _annual(report: dict[str, Any], fmt: str, names: list[str]) -> Export:
    if fmt == "json":
        body = json.dumps(report, ensure_ascii=False, indent=2, default=str).encode()
    elif fmt == "html":
        body = annual.render_page(report, names).encode()
    elif fmt == "pdf":
        body = annual.to_pdf(report, names)
    elif fmt == "docx":
        body = annual.to_docx(report, names)
    else:
        raise ValueError(f"unknown format {fmt}")
    return Export(body, CONTENT_TYPES[fmt], annual.filename(report, fmt))
