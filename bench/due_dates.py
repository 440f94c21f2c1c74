"""Due-date computation rate: our precomputed calendar against chinese_calendar's own find_workday.

Run: .venv/bin/python bench/due_dates.py [N]. Prints the rate of each and their ratio (measured in the
same run on the same random received-on dates); both must agree on every date they compute.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

import chinese_calendar

from webapp.domain.calendar import WorkCalendar
from webapp.domain.deadlines import RULES, compute


def main(n: int) -> None:
    rng = random.Random(7)  # noqa: S311
    start = dt.date(2010, 1, 1)
    days = [start + dt.timedelta(days=rng.randrange(0, 365 * 16)) for _ in range(n)]

    t0 = time.perf_counter()
    cal = WorkCalendar()
    build = time.perf_counter() - t0

    t0 = time.perf_counter()
    ours = [cal.add_wd(d, 20) for d in days]
    t_ours = time.perf_counter() - t0

    # find_workday(k, d) counts the first working day on or after d as day 0, so from a rest day the
    # 20th working day strictly after d is find_workday(19, d).
    t0 = time.perf_counter()
    theirs = [chinese_calendar.find_workday(20 if chinese_calendar.is_workday(d) else 19, d) for d in days]
    t_theirs = time.perf_counter() - t0

    t0 = time.perf_counter()
    for d in days:
        compute(RULES["2019"], d, [], cal)
    t_full = time.perf_counter() - t0

    mismatches = sum(a != b for a, b in zip(ours, theirs, strict=True))
    print(f"dates: {n}; calendar built once in {build * 1000:.1f} ms")
    print(f"add_wd(d, 20):                 {n / t_ours:12,.0f}/s  {t_ours / n * 1e6:8.2f} µs each")
    print(f"chinese_calendar.find_workday: {n / t_theirs:12,.0f}/s  {t_theirs / n * 1e6:8.2f} µs each")
    print(f"full due date with explanation:{n / t_full:12,.0f}/s  {t_full / n * 1e6:8.2f} µs each")
    print(f"ratio add_wd / find_workday speed: {t_theirs / t_ours:.1f}x; mismatches: {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
