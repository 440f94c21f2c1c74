"""The officer's queue at 1M rows against 10k rows: first page and the 1,000th page.

Run: .venv/bin/python bench/queue_paging.py [--large gd_bench] [--small gd_bench_10k] [--limit 20]
     [--repeat 30]

Two viewers: an officer of one agency, and the city's supervisor, a member of all 100 agencies (the only
one whose queue at 1M rows has 1,000 pages: 25,000 open requests at 20 a page). Each figure is the median
of --repeat calls of `domain.queue.queue_page` (what GET /api/v1/queue and the staff page call), and of the
whole GET /api/v1/queue through the app (token check, query, serialisation). The cursor of page k is the
one page k-1 returns; for page 1,000 it is built from the row just before the page (the same key the
API would hand out), so no page is fetched 999 times. Baseline: page 1 at 10k rows, in the same run.
Target: every 1M figure ≤ 1.5 × its 10k baseline.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from common import TODAY, bench_app, ensure_token, interleaved, verdict
from sqlalchemy import select, text


def cursor_before(session: Any, agency_ids: list[int], row_index: int) -> str | None:
    """The cursor the API returns after the first `row_index` rows of the queue (keyset of that row)."""
    if row_index == 0:
        return None
    from webapp.domain.queue import _encode
    from webapp.models import Request

    ids = ",".join(str(i) for i in agency_ids)
    statuses = "'received','in_progress','awaiting_correction','consulting','awaiting_fee'"
    rid = session.execute(
        text(
            f"SELECT id FROM requests WHERE agency_id IN ({ids}) "  # noqa: S608
            f"AND status IN ({statuses}) ORDER BY due_on NULLS LAST, received_on, tracking_number "
            "OFFSET :k LIMIT 1"
        ),
        {"k": row_index - 1},
    ).scalar_one()
    return _encode(session.get(Request, rid), "due_on")


def cases(database: str, limit: int, pages: list[int]) -> dict[str, Any]:
    """The calls to time on one database: {name: function}."""
    from webapp.domain.queue import QueueFilter, queue_page
    from webapp.extensions import db
    from webapp.models import User

    app = bench_app(database)
    token = ensure_token(app)
    client = app.test_client()
    out: dict[str, Any] = {}
    with app.app_context():
        session = db.session()
        open_rows = session.execute(
            text("SELECT count(*) FROM requests WHERE finished_on IS NULL")
        ).scalar_one()
        total = session.execute(text("SELECT count(*) FROM requests")).scalar_one()
        print(f"{database}: {total:,} requests, {open_rows:,} open")
        for email, label in (("u2@a001.bench", "officer of 1 agency"), ("supervisor@bench", "supervisor")):
            user = session.execute(select(User).where(User.email == email)).scalar_one()
            agency_ids = [a.id for a in user.agencies]
            mine = session.execute(
                text("SELECT count(*) FROM requests WHERE finished_on IS NULL AND agency_id = ANY(:ids)"),
                {"ids": agency_ids},
            ).scalar_one()
            last_page = max(1, (mine + limit - 1) // limit)
            print(
                f"  {label} ({len(agency_ids)} agencies): {mine:,} open requests, "
                f"{last_page:,} pages of {limit}"
            )
            for page in pages:
                if page > last_page:
                    continue
                cursor = cursor_before(session, agency_ids, (page - 1) * limit)

                def call(email: str = email, cursor: str | None = cursor) -> None:
                    with app.app_context():
                        s = db.session()
                        viewer = s.execute(select(User).where(User.email == email)).scalar_one()
                        rows, _ = queue_page(
                            s, viewer, QueueFilter(), limit=limit, cursor=cursor, today=TODAY
                        )
                        assert rows

                out[f"{label} page {page}"] = call
                if email == "supervisor@bench":
                    qs = f"/api/v1/queue?limit={limit}" + (f"&cursor={cursor}" if cursor else "")

                    def get(qs: str = qs) -> None:
                        r = client.get(qs, headers={"Authorization": f"Bearer {token}"})
                        assert r.status_code == 200, r.get_data(as_text=True)

                    out[f"{label} page {page} via API"] = get
        session.rollback()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", default="gd_bench")
    ap.add_argument("--small", default="gd_bench_10k")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    small, large = cases(args.small, args.limit, [1, 10]), cases(args.large, args.limit, [1, 500, 1000])
    both = {f"small {k}": v for k, v in small.items()} | {f"large {k}": v for k, v in large.items()}
    ms = interleaved(both, args.repeat)
    for key in both:
        print(f"  {key:38} {ms[key]:8.2f} ms")
    ok = True
    for key in large:
        label, _, rest = key.partition(" page ")
        base = f"small {label} page 1" + (" via API" if rest.endswith("via API") else "")
        ratio = ms[f"large {key}"] / ms[base]
        ok &= verdict(
            f"queue {key} @1M vs page 1 @10k ({ms[f'large {key}']:.2f} / {ms[base]:.2f} ms)", ratio, 1.5
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
