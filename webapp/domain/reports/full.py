"""Everything the report page shows: the table, the figures beyond the form, the charts' data, the
snapshot status of each agency and the year's enquiries (the enquiry log)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp.domain.reports.enquiries import enquiry_summary
from webapp.domain.reports.performance import performance
from webapp.domain.reports.scope import Scope
from webapp.domain.reports.snapshots import snapshot_status
from webapp.domain.reports.tables import annex_two, monthly_intake, outcome_categories, outcome_counts


def full_report(session: Session, scope: Scope, year: int, form: str) -> dict[str, Any]:
    """The table in the shape of docs/api.md §Reports, plus the figures beyond the form, the charts' data,
    the snapshot status of each agency and the year's enquiries by channel and outcome."""
    report = annex_two(session, scope, year, form)
    report["agency_names"] = scope.names
    report["performance"] = performance(session, scope, year)
    report["outcome_chart"] = [
        {"label": label, "value": n} for label, n in outcome_categories(outcome_counts(session, scope, year))
    ]
    report["monthly_intake"] = monthly_intake(session, scope, year)
    report["snapshots"] = snapshot_status(session, scope, year, form)
    report["enquiries"] = enquiry_summary(session, scope.ids, year)
    return report
