"""The queue's every order and every filter at 1M rows: page 1 and page 500 against page 1 at 10k rows.

Run: .venv/bin/python bench/queue_orders.py [--large gd_queue_1m] [--small gd_queue_10k] [--limit 20]
     [--repeat 15] [--page 500]

The data: bench/generate.py, 1M requests with a quarter of them open (`--open 250000`: the deepest
backlog the queue can have, so that every order and most filters have a 500th page), and the 10k dataset
(250 open). The viewer is the city's supervisor, a member of all 100 agencies. Each case is one call of
`domain.queue.queue_page` (what GET /api/v1/queue and the staff page call) with one `sort`, or the
default order with one filter; the cursor of page 500 is the key of the row just before it (built once
by OFFSET, as the API would have handed it out). A filter whose view has fewer than 500 pages is timed at
its last page, and said so. Each figure is the median of --repeat calls, all cases timed in turn.
Baseline: the same case's page 1 at 10k rows, in the same run. Target: every 1M figure ≤ 1.5 × it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from common import TODAY, bench_app, interleaved, verdict
from sqlalchemy import select, text

SUPERVISOR = "supervisor@bench"
SORT_CASES = ["due_on", "received_on", "-received_on", "applicant", "status", "assignee"]


def filter_cases(busiest_officer: str) -> dict[str, dict[str, Any]]:
    return {
        "channel=online": {"channel": "online"},
        "channel=fax": {"channel": "fax"},
        "applicant_type=natural_person": {"applicant_type": "natural_person"},
        "status=in_progress": {"status": "in_progress"},
        f"assignee={busiest_officer}": {"assignee": busiest_officer},
        "received 2026-10-20..2026-11-10": {
            "received_from": dt.date(2026, 10, 20),
            "received_to": dt.date(2026, 11, 10),
        },
        "overdue": {"overdue": True},
        "due_soon": {"due_soon": True},
        "q=行政处罚决定书": {"search": "行政处罚决定书"},
        "channel=email & applicant_type=natural_person & sort=applicant": {
            "channel": "email",
            "applicant_type": "natural_person",
            "sort": "applicant",
        },
    }


def cases(
    database: str, limit: int, page: int, explain: bool = False
) -> tuple[dict[str, Any], dict[str, str], dict[str, int]]:
    """{case: function} on one database, the page each case's deep call reads, and each view's rows."""
    from webapp.domain.calendar import current_calendar
    from webapp.domain.queue import QueueFilter, _after, _decode, _encode, order_by, queue_page, queue_select
    from webapp.extensions import db
    from webapp.models import Request, User

    app = bench_app(database)
    out: dict[str, Any] = {}
    deep_page: dict[str, str] = {}
    sizes: dict[str, int] = {}
    with app.app_context():
        session = db.session()
        cal = current_calendar(session)
        viewer = session.execute(select(User).where(User.email == SUPERVISOR)).scalar_one()
        specs: dict[str, dict[str, Any]] = {f"sort={s}": {"sort": s} for s in SORT_CASES}
        specs |= filter_cases("u2@a001.bench")
        for name, spec in specs.items():
            flt = QueueFilter(**spec)
            stmt = queue_select(session, viewer, flt, today=TODAY, cal=cal)
            count = session.execute(stmt.with_only_columns(Request.id).order_by(None)).all()
            pages = max(1, (len(count) + limit - 1) // limit)
            deep = min(page, pages)
            cursor = None
            if deep > 1:
                row = session.execute(
                    stmt.order_by(*order_by(flt.sort)).offset((deep - 1) * limit - 1).limit(1)
                )
                cursor = _encode(row.scalar_one(), flt.sort)
            deep_page[name] = f"{deep:,}" + ("" if deep == page else f" (the last of {pages:,})")
            sizes[name] = len(count)
            if explain:
                paged = stmt.order_by(*order_by(flt.sort)).limit(limit + 1)
                if cursor:
                    paged = paged.where(_after(flt.sort, _decode(cursor, flt.sort)))
                sql = str(paged.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
                plan = [r[0] for r in session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
                scans = [line.strip() for line in plan if "Index" in line or "Scan" in line or "Sort" in line]
                print(f"    plan of page {deep}: " + " | ".join(scans[:3]) + " | " + plan[-1].strip())
            print(f"  {name}: {len(count):,} rows, {pages:,} pages")
            for label, cur in (("page 1", None), ("page N", cursor)):

                def call(flt: QueueFilter = flt, cur: str | None = cur, n: int = len(count)) -> None:
                    with app.app_context():
                        s = db.session()
                        me = s.execute(select(User).where(User.email == SUPERVISOR)).scalar_one()
                        rows, _ = queue_page(s, me, flt, limit=limit, cursor=cur, today=TODAY, cal=cal)
                        assert rows or not n

                out[f"{name} | {label}"] = call
        session.rollback()
    return out, deep_page, sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", default="gd_queue_1m")
    ap.add_argument("--small", default="gd_queue_10k")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--page", type=int, default=500)
    ap.add_argument("--explain", action="store_true", help="print each 1M deep page's plan")
    args = ap.parse_args()
    small, _, small_sizes = cases(args.small, args.limit, 1)
    large, deep, _ = cases(args.large, args.limit, args.page, args.explain)
    small = {k: v for k, v in small.items() if k.endswith("page 1")}
    both = {f"10k {k}": v for k, v in small.items()} | {f"1M {k}": v for k, v in large.items()}
    ms = interleaved(both, args.repeat)
    ok = True
    print("\n| case | 10k page 1 | 1M page 1 | 1M page N (N) | ratios |\n|---|---|---|---|---|")
    # The baseline: the case's own page 1 at 10k when it is a whole page; a view with fewer rows at 10k
    # (the 10k data has 250 open requests) is compared with the default order's page 1 at 10k instead.
    baseline = {
        name: f"10k {name} | page 1" if small_sizes[name] >= args.limit else "10k sort=due_on | page 1"
        for name in deep
    }
    own = {name: "" if baseline[name].startswith(f"10k {name} ") else " (default order)" for name in deep}
    for name in deep:
        base = ms[baseline[name]]
        p1, pn = ms[f"1M {name} | page 1"], ms[f"1M {name} | page N"]
        print(
            f"| {name} | {base:.1f} ms{own[name]} | {p1:.1f} ms | {pn:.1f} ms ({deep[name]}) | "
            f"{p1 / base:.2f} / {pn / base:.2f} |"
        )
    for name in deep:
        base = ms[baseline[name]]
        for label in ("page 1", "page N"):
            ratio = ms[f"1M {name} | {label}"] / base
            ok &= verdict(
                f"queue {name} {label.replace('N', deep[name].split()[0])} @1M vs page 1 @10k", ratio, 1.5
            )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
