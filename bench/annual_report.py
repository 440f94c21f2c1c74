"""The whole annual report at 1M requests: drafting every agency's report against annex two alone.

Run: .venv/bin/python bench/annual_report.py [--database gd_bench] [--year 2025] [--repeat 3]

For each of the 100 agencies, in turn, in the same run (interleaved rounds, medians):

- product: drafting the agency's whole report — `domain.reports.annual.annual_report(…, full=False)`:
  every section's tables (annex two of 2021 with section 四, the Art. 20 table, the fees), the figures the
  narrative quotes (received by channel, last year's count, replies on time, the topics), the drafts of
  总体情况, 三 and 六, and every quoted number checked against the tables; what the January job does per
  agency before it saves the drafts;
- baseline: annex two alone for the same agency — `domain.reports.annex_two(…, "2021")`.

Target: drafting ≤ 2 × annex two. Printed beside it (no target): the report as the API answers it
(`full=True`: the request section holds annex two as GET /reports/annex-two answers it, with the
performance figures, charts and snapshot status) against that GET's own `full_report()`.
The drafts' figures are checked against the tables (no flags) for every agency.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from common import bench_app, interleaved, verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", default="gd_bench")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from sqlalchemy import text

    from webapp.domain.reports import Scope, annex_two, full_report
    from webapp.domain.reports.annual import annual_report, report_scope
    from webapp.extensions import db
    from webapp.models import Agency

    app = bench_app(args.database)
    ok = True
    with app.app_context():
        session = db.session()
        codes = [a.code for a in session.query(Agency).order_by(Agency.id)]
        total = session.execute(text("SELECT count(*) FROM requests")).scalar_one()
        print(f"{args.database}: {total:,} requests, {len(codes)} agencies, year {args.year}")

        flagged = 0
        t0 = time.perf_counter()
        for code in codes:
            report = annual_report(session, report_scope(session, [code]), args.year, "2021", full=False)
            flagged += report["flags"]
        session.rollback()
        took = time.perf_counter() - t0
        print(f"  first pass: {len(codes)} reports drafted in {took:.1f} s, {flagged} flags")
        ok &= flagged == 0

        def drafting() -> None:
            for code in codes:
                annual_report(session, report_scope(session, [code]), args.year, "2021", full=False)
            session.rollback()

        def annex() -> None:
            for code in codes:
                agency = session.execute(select_agency(code)).scalar_one()
                annex_two(session, Scope((agency,)), args.year, "2021")
            session.rollback()

        def whole() -> None:
            for code in codes:
                annual_report(session, report_scope(session, [code]), args.year, "2021", full=True)
            session.rollback()

        def annex_full() -> None:
            for code in codes:
                agency = session.execute(select_agency(code)).scalar_one()
                full_report(session, Scope((agency,)), args.year, "2021")
            session.rollback()

        ms = interleaved({"drafting": drafting, "annex_two": annex}, args.repeat, warmup=1)
        t_d, t_a = ms["drafting"], ms["annex_two"]
        print(
            f"  {len(codes)} agencies: drafting the whole report {t_d / 1000:7.2f} s "
            f"({t_d / len(codes):6.1f} ms each), annex two alone {t_a / 1000:7.2f} s "
            f"({t_a / len(codes):6.1f} ms each)"
        )
        ok &= verdict(f"drafting {len(codes)} agencies' reports vs annex two alone", t_d / t_a, 2.0)
        full = interleaved({"whole": whole, "annex_full": annex_full}, max(1, args.repeat - 1), warmup=0)
        print(
            f"  (no target) the report as the API answers it {full['whole'] / 1000:7.2f} s, "
            f"GET annex-two's full_report() {full['annex_full'] / 1000:7.2f} s: "
            f"ratio {full['whole'] / full['annex_full']:.2f}"
        )
    sys.exit(0 if ok else 1)


def select_agency(code: str) -> Any:
    from sqlalchemy import select

    from webapp.models import Agency

    return select(Agency).where(Agency.code == code)


if __name__ == "__main__":
    main()
