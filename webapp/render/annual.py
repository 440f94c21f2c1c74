"""The whole annual report as files (docs/rules.md §The annual report): PDF (A4, the embedded Chinese
font, the tables ruled like the printed form), DOCX (python-docx, A4: headings, paragraphs and real Word
tables, editable in WPS or Word) and the standalone HTML page. Each takes the report as
webapp.domain.reports.annual builds it (or as a publication froze it)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask import current_app
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from webapp.domain.reports import APPLICANT_HEADING, LITIGATION_HEADING, ORGANISATIONS_HEADING, REVIEW_HEADING
from webapp.render.pdf import RENDER_LOCK, cjk_font, clean, para

Grid = list[list[str]]


def title(report: dict[str, Any], names: list[str]) -> str:
    return f"{'、'.join(names)}{report['year']}年政府信息公开工作年度报告"


def filename(report: dict[str, Any], fmt: str) -> str:
    return f"annual-report-{report['form']}-{report['year']}-{'-'.join(report['agencies'])}.{fmt}"


def _v(value: Any) -> str:
    return "" if value is None else str(value)


def grids(table: dict[str, Any]) -> Iterator[tuple[str, Grid, list[tuple[int, int, int, int]]]]:
    """Every table of a section as (caption, rows of cells, spans (col0, row0, col1, row1)), laid out
    like the printed form: the same grid for the PDF, the DOCX and the page."""
    if "blocks" in table:  # section 二, the Art. 20 table
        for block in table["blocks"]:
            rows = [list(block["columns"])] + [[r["label"], *map(_v, r["values"])] for r in block["rows"]]
            width = len(block["columns"])
            yield "", [[block["heading"], *[""] * (width - 1)], *rows], [(0, 0, width - 1, 0)]
    elif "groups" in table:  # section 四
        yield from _section_four(table)
    elif table.get("form") == "2021":  # section 三
        columns = table["columns"]
        head = [
            [table["corner_note"], APPLICANT_HEADING, "", "", "", "", "", ""],
            ["", columns[0], ORGANISATIONS_HEADING, "", "", "", "", columns[6]],
            ["", "", *columns[1:6], ""],
        ]
        body = [[r["label"], *map(_v, r["values"] or [None] * len(columns))] for r in table["rows"]]
        spans = [(0, 0, 0, 2), (1, 0, 7, 0), (1, 1, 1, 2), (2, 1, 6, 1), (7, 1, 7, 2)]
        yield "", head + body, spans  # section 四 is a section of its own in the whole report
    else:  # 指标 | 单位 | 数量 (the 2013 annexes, section 六's fees)
        rows = [["指标", "单位", "数量"]] + [[r["label"], r["unit"], _v(r["value"])] for r in table["rows"]]
        yield table.get("title", ""), rows, []


def _section_four(four: dict[str, Any]) -> Iterator[tuple[str, Grid, list[tuple[int, int, int, int]]]]:
    results = four["columns"]
    n = len(results)
    review, direct, after = four["groups"]
    rows = [
        [REVIEW_HEADING, *[""] * (n - 1), LITIGATION_HEADING, *[""] * (2 * n - 1)],
        ["", *[""] * (n - 1), direct["label"], *[""] * (n - 1), after["label"], *[""] * (n - 1)],
        results * 3,
        [str(v) for g in (review, direct, after) for v in g["values"]],
    ]
    spans = [(0, 0, n - 1, 1), (n, 0, 3 * n - 1, 0), (n, 1, 2 * n - 1, 1), (2 * n, 1, 3 * n - 1, 1)]
    yield "", rows, spans


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


# -- PDF ----------------------------------------------------------------------------------------------


def to_pdf(report: dict[str, Any], names: list[str]) -> bytes:
    font = cjk_font()
    base = ParagraphStyle(
        "base", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21
    )
    st = {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=16, leading=24, alignment=1, firstLineIndent=0
        ),
        "h": ParagraphStyle(
            "h", parent=base, fontSize=12, leading=20, spaceBefore=8, spaceAfter=4, firstLineIndent=0
        ),
        "p": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, firstLineIndent=0),
        "caption": ParagraphStyle("caption", parent=base, fontSize=9, alignment=1, firstLineIndent=0),
    }
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=clean(title(report, names)),
        author="政府信息公开申请办理系统",
    )
    story: list[Any] = [para(title(report, names), st["title"]), Spacer(1, 4 * mm)]
    for section in report["sections"]:
        story.append(para(section["title"], st["h"]))
        story += [para(p, st["p"]) for p in paragraphs(section.get("text"))]
        for table in section["tables"]:
            for caption, rows, spans in grids(table):
                if caption:
                    story.append(para(caption, st["caption"]))
                story.append(_pdf_table(rows, spans, font, st["cell"], doc.width))
                story.append(Spacer(1, 3 * mm))
    with RENDER_LOCK:
        doc.build(story)
    return buffer.getvalue()


def column_widths(ncols: int, width: float) -> list[float]:
    """The columns' widths in a table `width` wide: the labels' column wide, the figures' equal (section
    四's fifteen columns all equal)."""
    if ncols >= 15:
        return [width / ncols] * ncols
    first = width * (0.42 if ncols > 4 else 0.5) if ncols > 2 else width / 2
    return [first] + [(width - first) / (ncols - 1)] * (ncols - 1) if ncols > 1 else [width]


def _pdf_table(
    rows: Grid, spans: list[tuple[int, int, int, int]], font: str, cell: ParagraphStyle, width: float
) -> Table:
    """The table with every cell's text inside its column: a long label wraps (a Paragraph); section 四's
    fifteen narrow columns set smaller with less padding, and a heading still too wide for its column
    (结果维持 at 11.6 mm) wraps centred instead of running into the next one."""
    ncols = max(len(r) for r in rows)
    widths = column_widths(ncols, width)
    narrow = ncols >= 15
    size, pad = (7.0, 1.5) if narrow else (7.5, 3.0)  # reportlab's default padding is 6 pt a side
    centred = ParagraphStyle("cell-centred", parent=cell, fontSize=size, leading=size + 2, alignment=1)
    across = {(r0, c0): sum(widths[c0 : c1 + 1]) for c0, r0, c1, _ in spans}

    def fitted(i: int, j: int, text: str) -> Any:
        if len(text) > 4:
            return para(text, cell)
        room = across.get((i, j), widths[j]) - 2 * pad
        return para(text, centred) if stringWidth(text, font, size) > room else text

    data = [[fitted(i, j, c) for j, c in enumerate(row)] for i, row in enumerate(rows)]
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, size),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0 if narrow else 1, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            *[("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans],
        ]
    )
    return Table(data, colWidths=widths, style=style, repeatRows=heading_rows(spans))


def heading_rows(spans: list[tuple[int, int, int, int]]) -> int:
    """The rows of a table's heading: the first row and those its spans reach down to (repeated on each
    page the table runs over)."""
    return 1 + max((r1 for _, r0, _, r1 in spans if r0 == 0), default=0)


# -- DOCX ---------------------------------------------------------------------------------------------

FONT_NAME = "宋体"  # the body and tables (w:eastAsia, so Word and WPS use it for the Chinese text)
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
# A4, the margins of GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm): a 156 mm text width.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
BLACK = RGBColor(0, 0, 0)


def _fonts(element: Any, east_asia: str) -> None:
    """Explicit fonts on a run's or a style's properties, the theme's fonts (which would win) removed."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _font(run: Any, size: float, *, bold: bool = False, face: str = FONT_NAME) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = BLACK
    _fonts(run._element, face)


def _setup(doc: Any, report: dict[str, Any], names: list[str]) -> None:
    """A4 with the official margins; the body in 宋体 and the section headings in 黑体, both black."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _fonts(normal.element, FONT_NAME)
    for name in ("Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.color.rgb = BLACK
        _fonts(style.element, HEADING_FONT)
    doc.core_properties.title = title(report, names)
    doc.core_properties.author = "政府信息公开申请办理系统"


def to_docx(report: dict[str, Any], names: list[str]) -> bytes:
    doc = Document()
    _setup(doc, report, names)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(12)
    _font(heading.add_run(title(report, names)), 18, bold=True)
    for section in report["sections"]:
        h = doc.add_heading(level=2)
        _font(h.add_run(section["title"]), 14, face=HEADING_FONT)
        for text in paragraphs(section.get("text")):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(21)
            p.paragraph_format.line_spacing = 1.3
            _font(p.add_run(text), 10.5)
        for table in section["tables"]:
            for caption, rows, spans in grids(table):
                if caption:
                    c = doc.add_paragraph()
                    c.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _font(c.add_run(caption), 10.5, bold=True)
                _docx_table(doc, rows, spans)
                doc.add_paragraph()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc: Any, rows: Grid, spans: list[tuple[int, int, int, int]]) -> None:
    """A Word table with the PDF's column widths, the figures centred, the heading rows (those the
    first row's spans cover) repeated on every page the table runs over."""
    ncols = max(len(r) for r in rows)
    widths = [Mm(w) for w in column_widths(ncols, TEXT_WIDTH_MM)]
    size = 9 if ncols <= 4 else 8 if ncols < 15 else 7
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, width in enumerate(widths):
        table.columns[j].width = width
    heads = heading_rows(spans)
    for i, row in enumerate(rows):
        if i < heads:
            tr_pr = table.rows[i]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        for j, value in enumerate(row):
            _cell(table.cell(i, j), value, size, widths[j], centred=j > 0 or i < heads or ncols >= 15)
    for c0, r0, c1, r1 in spans:
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        _cell(merged, rows[r0][c0], size, sum(widths[c0 : c1 + 1], Mm(0)), centred=True)


def _cell(cell: Any, value: str, size: float, width: Any, *, centred: bool) -> None:
    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for extra in cell.paragraphs[1:]:  # a merge leaves the merged cells' empty paragraphs
        extra._element.getparent().remove(extra._element)
    paragraph = cell.paragraphs[0]
    for run in paragraph.runs:
        run._element.getparent().remove(run._element)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(value), size)


# -- the page -----------------------------------------------------------------------------------------


def render_page(report: dict[str, Any], names: list[str], *, signed: str = "") -> str:
    """The standalone page (the API's format=html and the published page's file)."""
    template = current_app.jinja_env.get_template("reports/annual.html")
    return template.render(**page_context(report, names, signed=signed))


def html_rows(rows: Grid, spans: list[tuple[int, int, int, int]]) -> list[list[tuple[str, int, int]]]:
    """The grid as HTML cells (text, colspan, rowspan), the cells a span covers left out."""
    starts = {(r0, c0): (c1 - c0 + 1, r1 - r0 + 1) for c0, r0, c1, r1 in spans}
    covered = {
        (r, c) for c0, r0, c1, r1 in spans for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
    } - set(starts)
    return [
        [(cell, *starts.get((i, j), (1, 1))) for j, cell in enumerate(row) if (i, j) not in covered]
        for i, row in enumerate(rows)
    ]


def page_context(report: dict[str, Any], names: list[str], *, signed: str = "") -> dict[str, Any]:
    sections = [
        {
            **s,
            "paragraphs": paragraphs(s.get("text")),
            "grids": [
                (caption, html_rows(rows, spans)) for t in s["tables"] for caption, rows, spans in grids(t)
            ],
        }
        for s in report["sections"]
    ]
    return {"report": report, "title": title(report, names), "sections": sections, "signed": signed}
