"""The annual report's DOCX as Word and WPS open it (webapp/render/annual.py): an A4 page with the
official margins, the Chinese text in named East Asian fonts (w:eastAsia, never the theme's), black
headings, and real tables with the PDF's column widths whose heading rows repeat on each page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.factories import People, make_request
from webapp.domain.reports.annual import annual_report, report_scope
from webapp.render import export


def test_the_docx_is_an_a4_document_with_chinese_fonts_and_real_tables(session: Any, people: People):
    now = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    make_request(session, now, people.agency, received_on=dt.date(2025, 4, 1), officer=people.officer)
    session.flush()
    report = annual_report(session, report_scope(session, ["CITYHR"]), 2025, "2021")
    file = export(report, "docx", names=[people.agency.name], now=now)
    doc = Document(io.BytesIO(file.body))

    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert (round(page.left_margin.mm), round(page.right_margin.mm)) == (28, 26)

    def east_asian(element: Any) -> str | None:
        fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the named one
        return fonts.get(qn("w:eastAsia"))

    assert east_asian(doc.styles["Normal"].element) == "宋体"
    assert east_asian(doc.styles["Heading 2"].element) == "黑体"
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(east_asian(r._element) in ("宋体", "黑体") for r in runs)
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].text == "一、总体情况"
    assert all(r.font.color.rgb == (0, 0, 0) for h in headings for r in h.runs)

    requests = next(t for t in doc.tables if "（七）总计" in {c.text for c in t.columns[0].cells})
    widths = [c.width for c in requests.columns]
    assert abs(sum(widths) - Mm(156)) < Mm(1) and widths[0] > 4 * widths[1]
    repeated = [
        row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in requests.rows
    ]
    assert repeated[:4] == [True, True, True, False]  # its three heading rows
