"""Public-log search (公开答复库) at 1M published entries: the product's search against the same query written
by hand, and against a 10k log.

Run: .venv/bin/python bench/public_log_search.py [--large gd_public_1m] [--small gd_public_10k] [--repeat 40]
     [--backend postgresql|sqlite|both] [--sqlite-large /tmp/public_100k.db]
     [--sqlite-small /tmp/public_10k.db] [--series search|similar|both]
(the data: bench/generate_public.py; SQLite compares 100k with 10k)

For each query of QUERIES (common topics, an occasional one, a rare one, one that matches most of the
log), on each database, in turn (interleaved rounds), --repeat times:

- product: `domain.public_log.search(session, Query(q=…), limit=20)` — the first page, best matches first,
  as GET /api/v1/public/answers calls it, the entries loaded as ORM objects;
- hand: the same steps written by hand, each one SQL statement run as text() on the same kind of
  session (as bench/annex_two.py's hand-written query), against the same indexes: `PG_RECENT`,
  `PG_YEAR`, `PG_GIN`, `PG_RANK` (on SQLite `SQLITE_HAND`, against the FTS5 table), the same columns;
- api: the whole GET /api/v1/public/answers?q=… through the app (informational: it adds each entry's
  agency and released files, the same at any size).

Printed first, once per query: its matches, and on PostgreSQL what the search did before (every match
ranked, the vector computed from search_tokens for each: `PG_RANK_ALL`) with its time. Then p50 and p95
per query and case, and over all queries together. Targets, per query and over all, at p50 and at p95:
product ≤ 2 × hand (same database, same run), and product at 1M ≤ 3 × product at 10k. Before timing, the
product's and the hand query's first pages are checked to be the same entries.

The "similar" series (the citizen's "ask once", the staff page): for each draft of DRAFTS, on each
database, interleaved, --repeat times: `domain.public_log.similar_to(session, draft)` (product) and the
whole GET /api/v1/public/answers/similar?text=… (api). Printed first, once per draft: its suggestions,
and on PostgreSQL what similar did before (every entry holding any of the draft's pairs ranked by
ts_rank_cd: `PG_SIMILAR_BEFORE`) with its time. Target: product at 1M ≤ 3 × product at 10k, per draft and
over all, at p50 and p95.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from common import bench_app, interleaved_runs, percentile, url, verdict
from sqlalchemy import text

QUERIES = [
    "养老保险",
    "征收补偿",
    "环境影响评价",
    "财政预算",
    "行政处罚决定书",
    "消防验收",
    "古树名木",
    "公开",
]
LIMIT = 20
DRAFTS = [  # drafts as citizens type them: common, occasional and rare topics, and one the log lacks
    "申请公开本市2025年城镇职工基本养老保险基金收支情况",
    "申请公开北山区国有土地上房屋征收补偿方案及补偿标准",
    "想了解职业技能培训补贴的发放名单",
    "申请公开某路段道路改造工程的环境影响评价报告",
    "申请公开古树名木迁移审批的相关文件",
    "申请公开学校食堂食品安全检查记录",
]
# what similar did before: any of the draft's pairs, every entry holding one ranked (informational)
PG_SIMILAR_BEFORE = (
    "SELECT id FROM public_answers WHERE search_vector @@ to_tsquery('simple', :q) "
    "ORDER BY ts_rank_cd(search_vector, to_tsquery('simple', :q)) DESC, id DESC LIMIT 5"
)
COLUMNS = "id, request_id, agency_id, subject, outcome, replied_on, year, search_tokens, published_at"

# The product's steps (domain/public_log.py), by hand in plain SQL on a plain DB-API connection
PG_RECENT = (
    "SELECT id FROM (SELECT id, search_vector FROM public_answers ORDER BY id DESC LIMIT :window) w "
    "WHERE search_vector @@ to_tsquery('simple', :q) ORDER BY id DESC LIMIT :pool"
)
PG_GIN = (
    "SELECT id FROM public_answers WHERE search_vector @@ to_tsquery('simple', :q) "
    "ORDER BY id DESC LIMIT :pool"
)
PG_YEAR = (
    "SELECT id FROM public_answers "
    "WHERE search_vector @@ (to_tsquery('simple', :q) && CAST(:year AS tsquery)) "
    "ORDER BY id DESC LIMIT :pool"
)
PG_RANK = (
    "SELECT id, request_id, agency_id, subject, outcome, replied_on, year, search_tokens, published_at"
    " FROM public_answers WHERE id = ANY(:ids) "
    "ORDER BY ts_rank_cd(search_vector, to_tsquery('simple', :q)) DESC, id DESC LIMIT :limit"
)
# what the search did before: every match ranked, the vector computed from search_tokens (informational)
PG_RANK_ALL = (
    "SELECT id FROM public_answers WHERE search_vector @@ to_tsquery('simple', :q) "
    "ORDER BY ts_rank_cd(to_tsvector('simple', search_tokens), to_tsquery('simple', :q)) DESC, id DESC "
    "LIMIT :limit"
)
SQLITE_HAND = (
    "SELECT id, request_id, agency_id, subject, outcome, replied_on, year, search_tokens, published_at"
    " FROM public_answers JOIN ("
    "  SELECT rowid AS hit, bm25(public_answers_fts) AS score FROM public_answers_fts"
    "  WHERE public_answers_fts MATCH :q ORDER BY rowid DESC LIMIT :pool"
    ") ON hit = id ORDER BY score, id DESC LIMIT :limit"
)


def hand_search(session: Any, dialect: str, q: str) -> list[int]:
    """The first page's ids, by hand: the same steps as the product's search, each one SQL statement
    (text(), on the same session, as bench/annex_two.py's hand-written query)."""
    from webapp.domain.public_log import MAX_QUERY_PAIRS, RANKED_POOL, RECENT_WINDOW, tokens

    words = list(dict.fromkeys(tokens(q)))[:MAX_QUERY_PAIRS]
    if dialect == "sqlite":
        match = " ".join(f'"{w}"' for w in words)
        params = {"q": match, "pool": RANKED_POOL, "limit": LIMIT}
        return [r[0] for r in session.execute(text(SQLITE_HAND), params)]
    p: dict[str, Any] = {"q": " & ".join(words), "window": RECENT_WINDOW, "pool": RANKED_POOL, "limit": LIMIT}
    ids = list(session.execute(text(PG_RECENT), p).scalars())
    if len(ids) < RANKED_POOL:
        year = session.execute(text("SELECT year FROM public_answers ORDER BY id DESC LIMIT 1")).scalar()
        ids = list(session.execute(text(PG_YEAR), p | {"year": f"'@{year}'"}).scalars())
    if len(ids) < RANKED_POOL:
        ids = list(session.execute(text(PG_GIN), p).scalars())
    return [r[0] for r in session.execute(text(PG_RANK), p | {"ids": ids})] if ids else []


def cases(database_url: str, label: str) -> dict[str, Callable[[], Any]]:
    """{name: call} on one database: product, hand and api per query."""
    from webapp.domain.public_log import Query, search, tokens
    from webapp.extensions import db

    if database_url.startswith("sqlite"):
        os.environ["DATABASE_URL"] = database_url
        from webapp import create_app

        app = create_app({"RATELIMIT_ENABLED": False})
    else:
        app = bench_app(database_url.rsplit("/", 1)[1])
    quiet()
    client = app.test_client()
    out: dict[str, Callable[[], Any]] = {}
    with app.app_context():
        session = db.session()
        dialect = session.get_bind().dialect.name
        total = session.execute(text("SELECT count(*) FROM public_answers")).scalar_one()
        print(f"{label}: {total:,} published entries ({dialect})")
        for q in QUERIES:
            words = list(dict.fromkeys(tokens(q)))
            mine = [e.id for e in search(session, Query(q=q), limit=LIMIT)]
            theirs = hand_search(session, dialect, q)
            if dialect == "postgresql":
                count = "SELECT count(*) FROM public_answers WHERE search_vector @@ to_tsquery('simple', :q)"
                matches = session.execute(text(count), {"q": " & ".join(words)}).scalar_one()
            else:
                count = "SELECT count(*) FROM public_answers_fts WHERE public_answers_fts MATCH :q"
                matches = session.execute(text(count), {"q": " ".join(f'"{w}"' for w in words)}).scalar_one()
            same = "same entries" if mine == theirs else "DIFFERENT ENTRIES"
            before = ""
            if dialect == "postgresql":
                p = {"q": " & ".join(words), "limit": LIMIT}
                t0 = time.perf_counter()
                everything = list(session.execute(text(PG_RANK_ALL), p).scalars())
                session.rollback()
                took = (time.perf_counter() - t0) * 1000
                common = len(set(everything) & set(mine))
                before = (
                    f"; every match ranked (before): {took:,.1f} ms, {common}/{len(mine)} of its first page"
                )
            print(f"  {q}: {matches:,} matches; product and hand: {same}{before}")
            if mine != theirs:
                sys.exit(f"the hand-written query does not match the product's for {q!r}")

            def product(q: str = q) -> None:
                with app.app_context():
                    s = db.session()
                    search(s, Query(q=q), limit=LIMIT)
                    s.rollback()

            def hand(q: str = q, dialect: str = dialect) -> None:
                with app.app_context():
                    s = db.session()
                    hand_search(s, dialect, q)
                    s.rollback()

            def api(q: str = q) -> None:
                r = client.get("/api/v1/public/answers", query_string={"q": q, "limit": LIMIT})
                assert r.status_code == 200, r.get_data(as_text=True)

            out[f"{label} {q} product"] = product
            out[f"{label} {q} hand"] = hand
            out[f"{label} {q} api"] = api
        session.rollback()
    return out


def similar_cases(database_url: str, label: str) -> dict[str, Callable[[], Any]]:
    """{name: call} on one database: product (similar_to) and api per draft."""
    from webapp.domain.public_log import MAX_QUERY_PAIRS, similar_to, tokens
    from webapp.extensions import db

    app = sqlite_or_bench_app(database_url)
    client = app.test_client()
    out: dict[str, Callable[[], Any]] = {}
    with app.app_context():
        session = db.session()
        dialect = session.get_bind().dialect.name
        total = session.execute(text("SELECT count(*) FROM public_answers")).scalar_one()
        print(f"{label}: {total:,} published entries ({dialect}), similar")
        for n, draft in enumerate(DRAFTS):
            t0 = time.perf_counter()
            found = similar_to(session, draft)
            took = (time.perf_counter() - t0) * 1000
            before = ""
            if dialect == "postgresql":
                words = list(dict.fromkeys(tokens(draft)))[:MAX_QUERY_PAIRS]
                t0 = time.perf_counter()
                session.execute(text(PG_SIMILAR_BEFORE), {"q": " | ".join(words)}).all()
                ms = (time.perf_counter() - t0) * 1000
                before = f"; before (every entry holding a pair ranked): {ms:,.0f} ms"
            session.rollback()
            shown = " / ".join(e.subject for e in found[:2]) or "nothing"
            print(f"  [{n}] {draft}: {len(found)} suggested ({took:,.0f} ms first), {shown}{before}")

            def product(draft: str = draft) -> None:
                with app.app_context():
                    s = db.session()
                    similar_to(s, draft)
                    s.rollback()

            def api(draft: str = draft) -> None:
                r = client.get("/api/v1/public/answers/similar", query_string={"text": draft})
                assert r.status_code == 200, r.get_data(as_text=True)

            out[f"{label} [{n}] product"] = product
            out[f"{label} [{n}] api"] = api
        session.rollback()
    return out


def sqlite_or_bench_app(database_url: str) -> Any:
    if database_url.startswith("sqlite"):
        os.environ["DATABASE_URL"] = database_url
        from webapp import create_app

        app = create_app({"RATELIMIT_ENABLED": False})
    else:
        app = bench_app(database_url.rsplit("/", 1)[1])
    quiet()
    return app


def similar_report(runs: dict[str, list[float]], small: str, large: str) -> bool:
    """Print p50/p95 per draft and case, and the verdicts (large ≤ 3 × small); True when all are met."""
    keys = [f"[{n}]" for n in range(len(DRAFTS))]

    def values(label: str, key: str, case: str) -> list[float]:
        return (
            runs[f"{label} {key} {case}"]
            if key != "all"
            else [v for k in keys for v in runs[f"{label} {k} {case}"]]
        )

    print(f"\n  {'draft':6} {'case':8} {small + ' p50':>11} {'p95':>8} {large + ' p50':>11} {'p95':>8}")
    for key in [*keys, "all"]:
        for case in ("product", "api"):
            figs = [percentile(values(label, key, case), p) for label in (small, large) for p in (50, 95)]
            print(f"  {key:6} {case:8} {figs[0]:11.2f} {figs[1]:8.2f} {figs[2]:11.2f} {figs[3]:8.2f}")
    ok = True
    for key in [*keys, "all"]:
        for p in (50, 95):
            big, base = (
                percentile(values(large, key, "product"), p),
                percentile(values(small, key, "product"), p),
            )
            ok &= verdict(f"similar {key} p{p} {large}/{small} ({big:.2f} / {base:.2f} ms)", big / base, 3)
    return ok


def report(runs: dict[str, list[float]], small: str, large: str) -> bool:
    """Print p50/p95 per query and case, and the verdicts; True when every target is met."""
    print(f"\n  {'query':14} {'case':8} {small + ' p50':>11} {'p95':>8} {large + ' p50':>11} {'p95':>8}")
    for q in [*QUERIES, "all"]:
        for case in ("product", "hand", "api"):
            figs = []
            for label in (small, large):
                values = (
                    runs[f"{label} {q} {case}"]
                    if q != "all"
                    else [v for qq in QUERIES for v in runs[f"{label} {qq} {case}"]]
                )
                figs += [percentile(values, 50), percentile(values, 95)]
            print(f"  {q:14} {case:8} {figs[0]:11.2f} {figs[1]:8.2f} {figs[2]:11.2f} {figs[3]:8.2f}")
    ok = True
    for q in [*QUERIES, "all"]:
        for p in (50, 95):

            def at(label: str, case: str, q: str = q, p: int = p) -> float:
                values = (
                    runs[f"{label} {q} {case}"]
                    if q != "all"
                    else [v for qq in QUERIES for v in runs[f"{label} {qq} {case}"]]
                )
                return percentile(values, p)

            prod, hand, base = at(large, "product"), at(large, "hand"), at(small, "product")
            ok &= verdict(f"{q} p{p} product/hand @{large} ({prod:.2f} / {hand:.2f} ms)", prod / hand, 2)
            ok &= verdict(f"{q} p{p} {large}/{small} ({prod:.2f} / {base:.2f} ms)", prod / base, 3)
    return ok


def quiet() -> None:
    import logging

    logging.getLogger("webapp.access").setLevel(logging.WARNING)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", default="gd_public_1m")
    ap.add_argument("--small", default="gd_public_10k")
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    ap.add_argument("--sqlite-large", default="/tmp/public_100k.db", help="generate_public.py --sqlite")  # noqa: S108
    ap.add_argument("--sqlite-small", default="/tmp/public_10k.db")  # noqa: S108
    ap.add_argument("--series", choices=("search", "similar", "both"), default="both")
    args = ap.parse_args()
    ok = True
    if args.series != "search":
        if args.backend != "sqlite":
            both = similar_cases(url(args.small), "10k") | similar_cases(url(args.large), "1M")
            print("PostgreSQL, similar, interleaved rounds:")
            ok &= similar_report(interleaved_runs(both, args.repeat), "10k", "1M")
        if args.backend != "postgresql":
            both = similar_cases(f"sqlite:///{args.sqlite_small}", "10k") | similar_cases(
                f"sqlite:///{args.sqlite_large}", "100k"
            )
            print("SQLite (FTS5), similar, interleaved rounds:")
            ok &= similar_report(interleaved_runs(both, args.repeat), "10k", "100k")
        if args.series == "similar":
            sys.exit(0 if ok else 1)
    if args.backend != "sqlite":
        both = cases(url(args.small), "10k") | cases(url(args.large), "1M")
        print("PostgreSQL, interleaved rounds:")
        ok &= report(interleaved_runs(both, args.repeat), "10k", "1M")
    if args.backend != "postgresql":
        both = cases(f"sqlite:///{args.sqlite_small}", "10k") | cases(
            f"sqlite:///{args.sqlite_large}", "100k"
        )
        print("SQLite (FTS5), interleaved rounds:")
        ok &= report(interleaved_runs(both, args.repeat), "10k", "100k")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
