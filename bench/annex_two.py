"""Annex two at 1M rows: the product's `annex_two()` against one hand-written SQL query (same tables, run).

Run: .venv/bin/python bench/annex_two.py [--database gd_bench] [--years 2024 2026] [--repeat 10]

For one agency-year (the busiest agency) and for the roll-up over all 100 agencies, both forms:

- product: `domain.reports.annex_two(session, scope, year, form)` — its grouped ORM query folded into the
  form's rows (the 2021 form by applicant type, plus its section 四 over the appeals, a second query);
- baseline: what one would write by hand for the same figures — a single statement grouping the year's
  requests by (applicant type or channel, outcome, received-in-year, finished-in-year), with the appeals'
  section 四 in the same statement (2021), folded into the table in Python.

The baseline's totals are checked against the product's (一 received, 二 carried in, 三(七) finished,
四 carried out, and each outcome row), so both compute the same thing. Target: product ≤ 1.5 × baseline.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from common import bench_app, interleaved, verdict
from sqlalchemy import text

BASELINE = """
SELECT {dim} AS dim, outcome, received_on >= :start AS new, finished_on <= :end AS done, count(*) AS n
FROM requests
WHERE agency_id = ANY(:ids) AND received_on <= :end AND (finished_on IS NULL OR finished_on >= :start)
GROUP BY 1, 2, 3, 4
"""
BASELINE_2021 = (
    BASELINE.replace("{dim}", "applicant_type")
    + """
UNION ALL
SELECT 'appeal:' || a.kind, CASE WHEN a.decided_on <= :end THEN a.result ELSE 'pending' END,
    NULL, NULL, count(*)
FROM appeals a JOIN requests r ON r.id = a.request_id
WHERE r.agency_id = ANY(:ids) AND a.filed_on <= :end AND (a.decided_on IS NULL OR a.decided_on >= :start)
GROUP BY 1, 2
"""
)
BASELINE_2013 = BASELINE.replace("{dim}", "channel")


def fold(rows: list[Any]) -> Counter[str]:
    """The baseline's groups as the form's totals."""
    from webapp.domain.reports import OUTCOME_ROWS

    c: Counter[str] = Counter()
    for dim, outcome, new, done, n in rows:
        if str(dim).startswith("appeal:"):
            c[f"{dim}:{outcome}"] += n
            continue
        if new:
            c["received"] += n
            c[f"received:{dim}"] += n  # the 2013 form's channel rows (dim is the channel there)
        else:
            c["carried_in"] += n
        if done:
            c["finished"] += n
            row = OUTCOME_ROWS[outcome]
            for key in {row.row_2021, row.row_2013, row.sub_2013} - {None}:
                c[str(key)] += n
        else:
            c["carried_out"] += n
    return c


def product_totals(report: dict[str, Any]) -> Counter[str]:
    c: Counter[str] = Counter()
    for row in report["rows"]:
        if row.get("key") is None:
            continue
        c[row["key"]] = row["values"][-1] if "values" in row else row["value"]
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", default="gd_bench")
    ap.add_argument("--years", type=int, nargs="+", default=[2024, 2026])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()

    from webapp.domain.reports import Scope, annex_two, year_bounds
    from webapp.extensions import db
    from webapp.models import Agency

    app = bench_app(args.database)
    ok = True
    with app.app_context():
        session = db.session()
        agencies = list(session.query(Agency).order_by(Agency.id))
        total = session.execute(text("SELECT count(*) FROM requests")).scalar_one()
        busiest = session.execute(
            text("SELECT agency_id FROM requests GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
        print(f"{args.database}: {total:,} requests, {len(agencies)} agencies")
        scopes = [
            ("one agency", Scope(tuple(a for a in agencies if a.id == busiest))),
            ("all agencies", Scope(tuple(agencies))),
        ]
        for year in args.years:
            start, end = year_bounds(year)
            for label, scope in scopes:
                params = {"ids": scope.ids, "start": start, "end": end}
                touched = session.execute(
                    text(
                        "SELECT count(*) FROM requests WHERE agency_id = ANY(:ids) AND received_on <= :end "
                        "AND (finished_on IS NULL OR finished_on >= :start)"
                    ),
                    params,
                ).scalar_one()
                for form, sql in (("2021", BASELINE_2021), ("2013", BASELINE_2013)):
                    report = annex_two(session, scope, year, form)
                    mine = product_totals(report)
                    theirs = fold(session.execute(text(sql), params).all())
                    keys = [k for k in mine if k != "catalogue"]
                    wrong = [k for k in keys if mine[k] != theirs[k]]
                    if wrong:
                        print(
                            f"  MISMATCH {label} {year} {form}: "
                            + ", ".join(f"{k}: {mine[k]} vs {theirs[k]}" for k in wrong)
                        )
                        ok = False

                    def product(scope: Any = scope, year: int = year, form: str = form) -> None:
                        annex_two(session, scope, year, form)
                        session.rollback()

                    def baseline(sql: str = sql, params: dict[str, Any] = params) -> None:
                        fold(session.execute(text(sql), params).all())
                        session.rollback()

                    repeat = args.repeat if len(scope.ids) == 1 else max(3, args.repeat // 2)
                    ms = interleaved({"product": product, "baseline": baseline}, repeat)
                    t_p, t_b = ms["product"], ms["baseline"]
                    print(
                        f"  {label:12} {year} form {form}: {touched:>8,} rows touch the year; "
                        f"annex_two {t_p:8.2f} ms, hand-written SQL {t_b:8.2f} ms"
                    )
                    ok &= verdict(f"annex two {label} {year} form {form}", t_p / t_b, 1.5)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
