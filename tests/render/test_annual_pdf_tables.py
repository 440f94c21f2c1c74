"""The annual report's PDF tables (webapp/render/annual.py): every heading and figure inside its cell —
section 四's fifteen narrow columns included, where 结果维持 ran into 结果纠正."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from tests.factories import People, make_request
from webapp.domain.reports.annual import annual_report, report_scope
from webapp.render import annual as render
from webapp.render.pdf import cjk_font

TEXT_WIDTH = 174 * mm  # A4 less the PDF's 18 mm margins


def overflowing(report: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Each unwrapped cell whose text is wider than its column (or the columns it spans) less padding."""
    font = cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK")
    found = []
    for section in report["sections"]:
        for table in section["tables"]:
            for _, rows, spans in render.grids(table):
                built = render._pdf_table(rows, spans, font, cell, TEXT_WIDTH)
                widths = render.column_widths(max(len(r) for r in rows), TEXT_WIDTH)
                across = {(r0, c0): sum(widths[c0 : c1 + 1]) for c0, r0, c1, _ in spans}
                for i, row in enumerate(built._cellvalues):
                    for j, value in enumerate(row):
                        if isinstance(value, Paragraph) or not value:
                            continue
                        style = built._cellStyles[i][j]
                        need = stringWidth(value, style.fontname, style.fontsize)
                        room = across.get((i, j), widths[j]) - style.leftPadding - style.rightPadding
                        if need > room + 0.01:
                            found.append((value, round(need, 1), round(room, 1)))
    return found


def test_every_cell_of_the_pdf_tables_holds_its_text(session: Any, people: People):
    now = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    make_request(session, now, people.agency, received_on=dt.date(2025, 4, 1), officer=people.officer)
    session.flush()
    for form in ("2021", "2013"):
        report = annual_report(session, report_scope(session, ["CITYHR"]), 2025, form)
        assert overflowing(report) == [], form
    four = next(s for s in report_2021(session) if s["key"] == "appeals")["tables"][0]
    _, rows, _ = next(render.grids(four))
    assert rows[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def report_2021(session: Any) -> list[dict[str, Any]]:
    return annual_report(session, report_scope(session, ["CITYHR"]), 2025, "2021")["sections"]
