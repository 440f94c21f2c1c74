"""The whole annual report (docs/rules.md §The annual report), by concern:

- `layout`: the sections of both forms as printed, the Art. 20 table, the 2013 annexes, the deadlines;
- `sources`: the figures beyond the requests, one function each (entered figures, enquiries, fees);
- `scope`: whose report it is and whose figures a government's report adds up;
- `facts`: the figures the narrative quotes, and the words that name them;
- `drafts`: the product's first draft of the narrative;
- `checks`: every number a sentence quotes, checked against the tables;
- `build`: the report assembled, its tables and texts;
- `publish`: the office's text saved, the head's sign-off and its corrections, the published reports;
"""

from webapp.domain.reports.annual import year_end
from webapp.domain.reports.annual.build import annual_report
from webapp.domain.reports.annual.checks import flags
from webapp.domain.reports.annual.layout import (
    FORM_2013,
    FORM_2021,
    SECTIONS_2013,
    SECTIONS_2021,
    TEXT_KEYS,
    publication_deadline,
)
from webapp.domain.reports.annual.publish import (
    earlier_versions,
    get_publication,
    open_correction,
    publication_status,
    publications,
    report_checksum,
    save_drafts,
    save_texts,
    sign_off,
)
from webapp.domain.reports.annual.scope import ReportScope, below, is_government, report_scope

__all__ = [
    "FORM_2013",
    "FORM_2021",
    "SECTIONS_2013",
    "SECTIONS_2021",
    "TEXT_KEYS",
    "ReportScope",
    "annual_report",
    "below",
    "earlier_versions",
    "flags",
    "get_publication",
    "is_government",
    "open_correction",
    "publication_deadline",
    "publication_status",
    "publications",
    "report_checksum",
    "report_scope",
    "save_drafts",
    "save_texts",
    "sign_off",
    "year_end",
]
