"""A list of rows as a file: CSV (UTF-8 with a BOM, so Excel reads the Chinese) and XLSX, for the staff
queue's exports. A cell that a spreadsheet would take for a formula (=, +, -, @ first, or a tab or CR)
is written with a leading apostrophe, so an applicant's text never runs as a formula (OWASP CSV
injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(table: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table["columns"])
    for row in table["rows"]:
        writer.writerow([safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101  (a new workbook has its sheet)
    ws.title = str(table.get("sheet") or "Sheet1")[:31]
    ws.append(list(table["columns"]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    for row in table["rows"]:
        ws.append([safe(v) for v in row])
    for i, width in enumerate(table.get("widths") or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
