"""Every file the product writes, in one wing: PDFs (`pdf`: the embedded Chinese font, the render lock,
escaped text; `letters`: the official documents and the application form), annex two as CSV, XLSX and
PDF (`annex_two`), lists of rows as CSV and XLSX (`tables`: the staff queue's exports), the report page
with inline SVG charts (`page`, `charts`), the whole annual report as PDF, DOCX and page (`annual`), and
`export()`, the one function that turns a report or a table into a file of any format.

Renderers take what the domain computed and lay it out; the domain never imports them (the application
plugs the letters' renderer into webapp.domain.documents when it is created).
"""

from webapp.render.formats import (
    ANNUAL_FORMATS,
    CONTENT_TYPES,
    FORMATS,
    FULL_REPORT_FORMATS,
    TABLE_FORMATS,
    Export,
    export,
)

__all__ = [
    "ANNUAL_FORMATS",
    "CONTENT_TYPES",
    "FORMATS",
    "FULL_REPORT_FORMATS",
    "TABLE_FORMATS",
    "Export",
    "export",
]
