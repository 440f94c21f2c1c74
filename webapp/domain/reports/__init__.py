"""Annex two (附表二), the annual report's request tables, by concern:

- `layout`: the two forms as printed, and each outcome's row (docs/rules.md §Annex two);
- `scope`: the agencies, year and form asked for, and who may read them;
- `tables`: the tables aggregated in SQL (one grouped query each), section 四, the charts' counts;
- `performance`: replies on time or late and the working days they took;
- `appeals`: the review and litigation records section 四 counts;
- `snapshots`: year-end snapshots, their checksums, sign-off and differences;
- `fees`: the year's fee notices and payments (section 六);
- `full`: everything the report page shows;
- `enquiries`: the enquiry log (咨询) and annex three of the 2013 form;
- `figures`: the figures an agency enters per year: the Art. 20 table (section 二), annex one.

The names below are the package's API for the web pages, the HTTP API, the command line and the workers.
"""

from webapp.domain.reports.appeals import MAX_TEXT, decide_appeal, record_appeal
from webapp.domain.reports.enquiries import (
    ANNEX_THREE_ROWS,
    ANNEX_THREE_TITLE,
    annex_three_rows,
    day_counts,
    enquiry_counts,
    enquiry_summary,
    may_log_enquiry,
    recent_enquiries,
    record_enquiry,
    tally_enquiries,
)
from webapp.domain.reports.fees import FeeFigures, fee_figures
from webapp.domain.reports.figures import (
    ANNEX_ONE_ROWS,
    ANNEX_ONE_TITLE,
    FIGURE_LABELS,
    GROUP_ARTICLES,
    GROUP_LABELS,
    PROACTIVE_SHAPE,
    annex_one_rows,
    annual_figures,
    entered_groups,
    figures_json,
    may_enter_figures,
    set_annual_figures,
    stored_figures,
)
from webapp.domain.reports.full import full_report
from webapp.domain.reports.layout import (
    APPLICANT_HEADING,
    EARLIEST_YEAR,
    FORM_2013,
    FORM_2021,
    FORMS,
    HEADER_2013,
    LITIGATION_HEADING,
    ORGANISATIONS_HEADING,
    OUTCOME_ROWS,
    REVIEW_HEADING,
    OutcomeRow,
    outcomes_for,
)
from webapp.domain.reports.performance import performance
from webapp.domain.reports.scope import (
    Scope,
    check_form,
    check_year,
    may_read_reports,
    parse_codes,
    resolve_scope,
    year_bounds,
)
from webapp.domain.reports.snapshots import (
    create_snapshot,
    data_checksum,
    differences,
    get_snapshot,
    latest_snapshot,
    sign_off,
    snapshot_json,
    snapshot_status,
    snapshot_year,
)
from webapp.domain.reports.tables import (
    annex_two,
    monthly_intake,
    outcome_categories,
    outcome_counts,
    section_four,
    table_2013,
    table_2021,
)

__all__ = [
    "ANNEX_ONE_ROWS",
    "ANNEX_ONE_TITLE",
    "ANNEX_THREE_ROWS",
    "ANNEX_THREE_TITLE",
    "APPLICANT_HEADING",
    "EARLIEST_YEAR",
    "FIGURE_LABELS",
    "FORMS",
    "FORM_2013",
    "FORM_2021",
    "GROUP_ARTICLES",
    "GROUP_LABELS",
    "HEADER_2013",
    "LITIGATION_HEADING",
    "MAX_TEXT",
    "ORGANISATIONS_HEADING",
    "OUTCOME_ROWS",
    "PROACTIVE_SHAPE",
    "REVIEW_HEADING",
    "FeeFigures",
    "OutcomeRow",
    "Scope",
    "annex_one_rows",
    "annex_three_rows",
    "annex_two",
    "annual_figures",
    "check_form",
    "check_year",
    "create_snapshot",
    "data_checksum",
    "day_counts",
    "decide_appeal",
    "differences",
    "enquiry_counts",
    "enquiry_summary",
    "entered_groups",
    "fee_figures",
    "figures_json",
    "full_report",
    "get_snapshot",
    "latest_snapshot",
    "may_enter_figures",
    "may_log_enquiry",
    "may_read_reports",
    "monthly_intake",
    "outcome_categories",
    "outcome_counts",
    "outcomes_for",
    "parse_codes",
    "performance",
    "recent_enquiries",
    "record_appeal",
    "record_enquiry",
    "resolve_scope",
    "section_four",
    "set_annual_figures",
    "sign_off",
    "snapshot_json",
    "snapshot_status",
    "snapshot_year",
    "stored_figures",
    "table_2013",
    "table_2021",
    "tally_enquiries",
    "year_bounds",
]
