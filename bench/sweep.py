"""The deadline sweep at 1M rows against 100k rows with the same due items.

Run: .venv/bin/python bench/sweep.py [--large gd_bench] [--small gd_bench_100k] [--repeat 3]

bench/generate.py gives both databases the same 25,000 open requests (`--open 25000`, their own random
stream), so the same corrections and fee notices lapse, the same consultations end by themselves and the
same requests are due soon or overdue as of TODAY; the 1M database has ten times the finished ones.

Each run is `workers.deadlines.run_sweeps(session, today=TODAY, …)` in full — each lapsed wait closed
through `domain.requests.act` in its own transaction, the due-soon/overdue notices and the agencies'
digests inserted into the outbox — inside one outer transaction that is rolled back afterwards (the
session turns the sweep's commits into savepoints), so every run finds the same work. The two databases
are run alternately. Target: 1M ≤ 2 × 100k.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from typing import Any

from common import TODAY, bench_app, verdict
from sqlalchemy import text
from sqlalchemy.orm import Session


def _selects(session: Session) -> float:
    t0 = time.perf_counter()
    for status in ("awaiting_correction", "awaiting_fee", "consulting"):
        session.execute(
            text(
                "SELECT id FROM requests WHERE status = :s AND wait_ends_on <= :t ORDER BY wait_ends_on, id"
            ),
            {"s": status, "t": TODAY},
        ).all()
    session.execute(
        text(
            "SELECT id, tracking_number, agency_id, due_on FROM requests WHERE finished_on IS NULL "
            "AND due_on IS NOT NULL AND due_on <= :t ORDER BY due_on, id"
        ),
        {"t": TODAY + dt.timedelta(days=5)},
    ).all()
    return time.perf_counter() - t0


def one_sweep(app: Any) -> tuple[float, dict[str, int], float]:
    """A full sweep as of TODAY, rolled back; (seconds, its summary, seconds of its selecting queries)."""
    from webapp.extensions import db
    from workers.deadlines import noon, run_sweeps

    with app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            # the selecting queries alone (what could grow with the table): the waits and the due dates,
            # before the sweep changes anything, the best of five
            select_secs = min(_selects(session) for _ in range(5))
            t0 = time.perf_counter()
            result = run_sweeps(session, today=TODAY, now=noon(TODAY + dt.timedelta(days=1)), due_soon_days=3)
            secs = time.perf_counter() - t0
        finally:
            session.close()
            outer.rollback()
            conn.close()
    return secs, result.summary(), select_secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", default="gd_bench")
    ap.add_argument("--small", default="gd_bench_100k")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    apps = {name: bench_app(name) for name in (args.small, args.large)}
    from webapp.extensions import db

    for name, app in apps.items():
        with app.app_context():
            total, due = db.session.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE finished_on IS NULL AND (wait_ends_on <= :t "
                    "OR due_on <= :t)) FROM requests"
                ),
                {"t": TODAY},
            ).one()
            db.session.rollback()
        print(f"{name}: {total:,} requests, {due:,} open with a wait ended or a due date passed by {TODAY}")
    times: dict[str, list[float]] = {n: [] for n in apps}
    selects: dict[str, list[float]] = {n: [] for n in apps}
    summaries: dict[str, dict[str, int]] = {}
    for run in range(args.repeat):
        for name, app in apps.items():
            secs, summary, sel = one_sweep(app)
            times[name].append(secs)
            selects[name].append(sel)
            summaries[name] = summary
            print(
                f"  run {run + 1} {name:14} sweep {secs:7.2f} s  "
                f"(selecting queries {sel * 1000:6.1f} ms)  {summary}"
            )
    if summaries[args.small] != summaries[args.large]:
        print("FAIL the two databases' sweeps did different work")
        sys.exit(1)
    small, large = statistics.median(times[args.small]), statistics.median(times[args.large])
    s_sel, l_sel = statistics.median(selects[args.small]), statistics.median(selects[args.large])
    print(
        f"median sweep: {args.large} {large:.2f} s, {args.small} {small:.2f} s; "
        f"selecting queries {l_sel * 1000:.1f} ms vs {s_sel * 1000:.1f} ms"
    )
    ok = verdict("deadline sweep 1M vs 100k, same due items", large / small, 2.0)
    verdict("deadline sweep's selecting queries 1M vs 100k", l_sel / s_sel, 2.0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
