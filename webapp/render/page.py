"""The report page: the table, the figures beyond the form, two charts and the snapshot status.

`render_page()` renders the standalone page (what the API's format=html answers); a web blueprint with
its own layout includes `reports/_annex_two.html` with the same context from `page_context()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from webapp.domain.dates import china_time
from webapp.render import charts
from webapp.render.annex_two import subtitle

MONTHS = [f"{m}月" for m in range(1, 13)]


def _local(moment: Any) -> str:
    if not isinstance(moment, dt.datetime):
        return ""
    return china_time(moment)


def balanced(report: dict[str, Any]) -> bool | None:
    """The 2021 form's check 一 + 二 = 三(七) + 四 in every column (None for the 2013 form)."""
    if report["form"] != "2021":
        return None
    rows = {r["key"]: r["values"] for r in report["rows"] if r["key"]}
    return all(
        a + b == c + d
        for a, b, c, d in zip(
            rows["received"], rows["carried_in"], rows["finished"], rows["carried_out"], strict=True
        )
    )


def page_context(report: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    names = report.get("agency_names") or report["agencies"]
    snapshots = []
    for s in report.get("snapshots", []):
        snap = s.get("snapshot")
        snapshots.append(
            {
                **s,
                "created": _local(snap["created_at"]) if snap else "",
                "signed": _local(snap["signed_off_at"]) if snap else "",
            }
        )
    return {
        "report": report,
        "names": names,
        "subtitle": subtitle(report, names),
        "snapshots": snapshots,
        "balanced": balanced(report),
        "outcome_chart": charts.horizontal_bars(
            [(c["label"], c["value"]) for c in report["outcome_chart"]], title="本年度办理结果（件）"
        ),
        "intake_chart": charts.columns(
            list(zip(MONTHS, report["monthly_intake"], strict=True)), title="各月新收申请数（件）"
        ),
        "generated_at": _local(now),
    }


def render_page(report: dict[str, Any], *, now: dt.datetime) -> str:
    """The standalone page. Rendered from the app's Jinja environment without the context processors
    of the web pages (logins, menus), so the API and the command line render it alike."""
    template = current_app.jinja_env.get_template("reports/annex_two.html")
    return template.render(**page_context(report, now=now))
