"""Annex two as files: CSV (UTF-8 with a BOM, so Excel reads the Chinese), XLSX laid out like the printed
table, and PDF with an embedded Chinese font. Each takes the table as webapp.domain.reports returns it."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from webapp.domain.reports import (
    APPLICANT_HEADING,
    HEADER_2013,
    LITIGATION_HEADING,
    ORGANISATIONS_HEADING,
    REVIEW_HEADING,
)
from webapp.render.pdf import RENDER_LOCK, cjk_font, clean, para


def subtitle(report: dict[str, Any], names: list[str]) -> str:
    return f"机关：{'、'.join(names)}　　年度：{report['year']}年　　（{report['form']}年格式）"


def filename(report: dict[str, Any], fmt: str) -> str:
    return f"annex-two-{report['form']}-{report['year']}-{'-'.join(report['agencies'])}.{fmt}"


def group_label(group: dict[str, Any]) -> str:
    """行政复议, 行政诉讼 未经复议直接起诉, 行政诉讼 复议后起诉."""
    return group["label"] if group["heading"] == group["label"] else f"{group['heading']} {group['label']}"


def _figure(value: int | None) -> str:
    return "" if value is None else str(value)


# -- CSV ----------------------------------------------------------------------------------------------


def to_csv(report: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if report["form"] == "2013":
        writer.writerow(HEADER_2013)
        for row in report["rows"]:
            writer.writerow([row["label"], row["unit"], row["value"]])
    else:
        writer.writerow(["", *report["columns"]])
        for row in report["rows"]:
            writer.writerow([row["label"], *(row["values"] or [""] * len(report["columns"]))])
        four = report["review_litigation"]
        writer.writerow([])
        writer.writerow([four["title"]])
        writer.writerow(["", *four["columns"]])
        for group in four["groups"]:
            writer.writerow([group_label(group), *group["values"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
BOLD = Font(bold=True)


def _cell(
    ws: Worksheet, row: int, col: int, value: Any, *, align: Alignment = CENTRE, bold: bool = False
) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.alignment = align
    cell.border = BOX
    if bold:
        cell.font = BOLD


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: Any, *, bold: bool = False) -> None:
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = BOX
    _cell(ws, r1, c1, value, bold=bold)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _title(ws: Worksheet, title: str, sub: str, width: int) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = CENTRE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=2, column=1, value=sub).alignment = CENTRE
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[1].height = 28


def to_xlsx(report: dict[str, Any], names: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101  (a new workbook has its sheet)
    if report["form"] == "2013":
        ws.title = "附表二"
        _title(ws, report["title"], subtitle(report, names), 3)
        for col, label in enumerate(HEADER_2013, start=1):
            _cell(ws, 3, col, label, bold=True)
        for i, row in enumerate(report["rows"], start=4):
            _cell(ws, i, 1, row["label"], align=LEFT)
            _cell(ws, i, 2, row["unit"])
            _cell(ws, i, 3, row["value"])
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 8
        ws.column_dimensions["C"].width = 10
    else:
        _xlsx_2021(ws, report, names)
        _xlsx_section_four(wb.create_sheet("四、复议诉讼"), report, names)
    ws.sheet_view.showGridLines = False
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_2021(ws: Worksheet, report: dict[str, Any], names: list[str]) -> None:
    ws.title = "三、收到和处理申请"
    columns = report["columns"]
    _title(ws, report["title"], subtitle(report, names), 1 + len(columns))
    # The national form's header: the corner note, 申请人情况 over 自然人 | 法人或其他组织 (5) | 总计.
    _merge(ws, 3, 1, 5, 1, report["corner_note"])
    _merge(ws, 3, 2, 3, 1 + len(columns), APPLICANT_HEADING, bold=True)
    _merge(ws, 4, 2, 5, 2, columns[0], bold=True)
    _merge(ws, 4, 3, 4, 7, ORGANISATIONS_HEADING, bold=True)
    for col, label in enumerate(columns[1:6], start=3):
        _cell(ws, 5, col, label, bold=True)
    _merge(ws, 4, 8, 5, 8, columns[6], bold=True)
    for i, row in enumerate(report["rows"], start=6):
        heading = row["values"] is None
        _cell(ws, i, 1, row["label"], align=LEFT, bold=heading)
        for col in range(len(columns)):
            _cell(ws, i, 2 + col, None if heading else row["values"][col])
    ws.column_dimensions["A"].width = 52
    for col in range(2, 2 + len(columns)):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.row_dimensions[3].height = 30
    ws.freeze_panes = "B6"


def _xlsx_section_four(ws: Worksheet, report: dict[str, Any], names: list[str]) -> None:
    four = report["review_litigation"]
    results = four["columns"]
    n = len(results)
    _title(ws, four["title"], subtitle(report, names), 3 * n)
    review, direct, after = four["groups"]
    _merge(ws, 3, 1, 4, n, REVIEW_HEADING, bold=True)
    _merge(ws, 3, n + 1, 3, 3 * n, LITIGATION_HEADING, bold=True)
    _merge(ws, 4, n + 1, 4, 2 * n, direct["label"], bold=True)
    _merge(ws, 4, 2 * n + 1, 4, 3 * n, after["label"], bold=True)
    for g, group in enumerate((review, direct, after)):
        for c, label in enumerate(results):
            _cell(ws, 5, g * n + c + 1, label, bold=True)
            _cell(ws, 6, g * n + c + 1, group["values"][c])
    for col in range(1, 3 * n + 1):
        ws.column_dimensions[get_column_letter(col)].width = 10


# -- PDF ----------------------------------------------------------------------------------------------


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=20, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, fontSize=9, alignment=1, spaceAfter=8),
        "cell": base,
        "head": ParagraphStyle("head", parent=base, alignment=1),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=10, alignment=1),
    }


def _grid(font: str, extra: list[tuple[Any, ...]] | None = None) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            *(extra or []),
        ]
    )


def to_pdf(report: dict[str, Any], names: list[str]) -> bytes:
    font = cjk_font()
    st = _styles(font)
    buffer = io.BytesIO()
    page = A4 if report["form"] == "2013" else landscape(A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=clean(f"{report['title']} {report['year']}"),
        author="政府信息公开申请办理系统",
    )
    story: list[Any] = [
        para(report["title"], st["title"]),
        para(subtitle(report, names), st["sub"]),
    ]
    if report["form"] == "2013":
        data: list[list[Any]] = [list(HEADER_2013)]
        data += [[para(r["label"], st["cell"]), r["unit"], str(r["value"])] for r in report["rows"]]
        head = [
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3eeee")),
        ]
        story.append(
            Table(data, colWidths=[100 * mm, 25 * mm, 30 * mm], style=_grid(font, head), repeatRows=1)
        )
    else:
        story += _pdf_2021(report, font, st, doc.width)
    with RENDER_LOCK:
        doc.build(story)
    return buffer.getvalue()


def _pdf_2021(report: dict[str, Any], font: str, st: dict[str, ParagraphStyle], width: float) -> list[Any]:
    columns = report["columns"]
    head = [
        [para(report["corner_note"], st["note"]), APPLICANT_HEADING, "", "", "", "", "", ""],
        ["", columns[0], ORGANISATIONS_HEADING, "", "", "", "", columns[6]],
        ["", "", *(para(c, st["head"]) for c in columns[1:6]), ""],
    ]
    body = [
        [para(r["label"], st["cell"]), *(_figure(v) for v in (r["values"] or [None] * len(columns)))]
        for r in report["rows"]
    ]
    label_width = width - 7 * 25 * mm
    spans = [
        ("SPAN", (0, 0), (0, 2)),
        ("SPAN", (1, 0), (7, 0)),
        ("SPAN", (1, 1), (1, 2)),
        ("SPAN", (2, 1), (6, 1)),
        ("SPAN", (7, 1), (7, 2)),
    ]
    table = Table(
        head + body, colWidths=[label_width] + [25 * mm] * 7, style=_grid(font, spans), repeatRows=3
    )
    four = report["review_litigation"]
    results = four["columns"]
    n = len(results)
    review, direct, after = four["groups"]
    four_rows = [
        [REVIEW_HEADING, *[""] * (n - 1), LITIGATION_HEADING, *[""] * (2 * n - 1)],
        ["", *[""] * (n - 1), direct["label"], *[""] * (n - 1), after["label"], *[""] * (n - 1)],
        [*(para(c, st["head"]) for c in results * 3)],
        [str(v) for g in (review, direct, after) for v in g["values"]],
    ]
    four_spans = [
        ("SPAN", (0, 0), (n - 1, 1)),
        ("SPAN", (n, 0), (3 * n - 1, 0)),
        ("SPAN", (n, 1), (2 * n - 1, 1)),
        ("SPAN", (2 * n, 1), (3 * n - 1, 1)),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]
    four_table = Table(four_rows, colWidths=[width / (3 * n)] * (3 * n), style=_grid(font, four_spans))
    return [
        table,
        Spacer(1, 10 * mm),
        para(four["title"], ParagraphStyle("h2", parent=st["title"], fontSize=12, leading=16)),
        four_table,
    ]
