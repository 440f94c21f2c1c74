"""Shared helpers of the benchmarks: an app on a bench database, timing, and the verdict line."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
TODAY = dt.date(2026, 11, 27)  # the day bench/generate.py's data ends
BENCH_TOKEN = "bench-supervisor-token"  # noqa: S105 - a bench database's token


def url(database: str) -> str:
    return f"{PG}/{database}"


def bench_app(database: str) -> Flask:
    """The product's app on a bench database (rate limits off, as for every bench server)."""
    os.environ["DATABASE_URL"] = url(database)
    os.environ["RATELIMIT_ENABLED"] = "false"
    from webapp import create_app

    return create_app({"RATELIMIT_ENABLED": False})


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 2) -> float:
    """Median wall time of `fn` in milliseconds, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def verdict(name: str, ratio: float, target: float, *, at_most: bool = True) -> bool:
    ok = ratio <= target if at_most else ratio >= target
    sign = "≤" if at_most else "≥"
    print(f"{'PASS' if ok else 'FAIL'} {name}: ratio {ratio:.2f} (target {sign} {target})")
    return ok


def ensure_token(app: Flask, email: str = "supervisor@bench") -> str:
    """An API token for a bench user (created once)."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import ApiToken, User

    digest = hashlib.sha256(BENCH_TOKEN.encode()).hexdigest()
    with app.app_context():
        session = db.session()
        if session.execute(select(ApiToken).where(ApiToken.token_hash == digest)).first() is None:
            user = session.execute(select(User).where(User.email == email)).scalar_one()
            session.add(
                ApiToken(
                    user_id=user.id,
                    token_hash=digest,
                    label="bench",
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            session.commit()
    return BENCH_TOKEN


def interleaved(cases: dict[str, Callable[[], Any]], repeat: int, warmup: int = 2) -> dict[str, float]:
    """Median milliseconds of each case, the cases run in turn in every round: a machine whose load drifts
    (it is shared) slows every case alike, not whichever happened to run during a busy spell."""
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(r) for name, r in runs.items()}


def interleaved_runs(
    cases: dict[str, Callable[[], Any]], repeat: int, warmup: int = 2
) -> dict[str, list[float]]:
    """Every run's milliseconds of each case (for percentiles), the cases run in turn as in `interleaved`."""
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - t0) * 1000)
    return runs


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) of `values`, linearly interpolated."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
