"""Intake throughput through the production web server, against a bare insert on the same server.

Run: .venv/bin/python bench/intake.py [--requests 3000] [--clients 16] [--workers 4]

The server is the production one: gunicorn with `--config python:webapp.gunicorn_conf` (its sync workers,
--workers of them) on PostgreSQL, APP_ENV=production, serving `bench.bare_app:create_app()` — the product's
app plus one bench-only route, POST /api/bench/bare-insert, a single INSERT of a request row. Rate limits
are off (RATELIMIT_ENABLED=false): the load comes from one address.

The database is `gd_bench_intake`, a fresh copy of `gd_bench_10k` (CREATE DATABASE … TEMPLATE), dropped
afterwards. --clients threads each send their share of --requests citizen submissions (a new connection
each, as the sync workers close them) to POST /api/v1/requests, then the same number to the bare insert,
alternating the two phases --rounds times (so that a passing disturbance, an autovacuum say, falls on
both). Afterwards: the rows added equal the 201 answers (nothing lost, nothing doubled), and each product
submission has its `submitted` event and receipt notice in the outbox.
Target: product throughput ≥ 0.5 × bare insert throughput.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from common import PG, verdict

ROOT = Path(__file__).resolve().parent.parent
DB = "gd_bench_intake"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(i: int) -> bytes:
    rng = random.Random(i)  # noqa: S311
    return json.dumps(
        {
            "agency": f"A{rng.randint(1, 100):03d}",
            "applicant": {
                "type": "natural_person",
                "name": f"申请人{i}",
                "id_number": "11010519491231002X",
                "email": f"a{i}@example.cn",
            },
            "description": f"申请公开2025年度国有土地上房屋征收补偿方案（第{i}号）",
            "delivery": "email",
        },
        ensure_ascii=False,
    ).encode()


def load(port: int, path: str, n: int, clients: int, offset: int) -> tuple[float, dict[int, int]]:
    """POST n bodies over `clients` threads; returns the wall time and the count of each status."""
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def worker(k: int) -> None:
        mine: dict[int, int] = {}
        for i in range(offset + k, offset + n, clients):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("POST", path, body=body(i), headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                mine[resp.status] = mine.get(resp.status, 0) + 1
            except OSError:
                mine[0] = mine.get(0, 0) + 1
            finally:
                conn.close()
        with lock:
            for k2, v in mine.items():
                counts[k2] = counts.get(k2, 0) + v

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, counts


def count(sql: str) -> int:
    with psycopg.connect(f"{PG}/{DB}") as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=3000, help="per endpoint, over both rounds")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=4, help="alternations of the two endpoints")
    ap.add_argument("--template", default="gd_bench_10k")
    args = ap.parse_args()

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}" TEMPLATE "{args.template}"')
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "RATELIMIT_ENABLED": "false",
        "APP_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 40,
        "METRICS_TOKEN": "bench-metrics",  # production refuses to start without one
        "PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(args.workers),
    }
    # The production settings (webapp/gunicorn_conf.py: sync workers, JSON logs, metrics); the number of
    # workers and the bind are given here. BENCH_GUNICORN_CONF=0 runs gunicorn with its defaults instead.
    conf = [] if os.environ.get("BENCH_GUNICORN_CONF") == "0" else ["--config", "python:webapp.gunicorn_conf"]
    log = open(ROOT / "instance" / "bench-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            *conf,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "bench.bare_app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/api/v1/requests/none")
                c.getresponse().read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    sys.exit("gunicorn did not start; see instance/bench-gunicorn.log")
                time.sleep(0.5)
        # warm every worker (imports, connection pools) on both routes
        load(port, "/api/v1/requests", args.workers * 8, args.clients, 10_000_000)
        load(port, "/api/bench/bare-insert", args.workers * 8, args.clients, 11_000_000)

        rows0 = count("SELECT count(*) FROM requests")
        events0 = count("SELECT count(*) FROM request_events")
        notices0 = count("SELECT count(*) FROM outbox")
        totals = {"product": [0.0, 0], "bare": [0.0, 0]}
        ok_total = 0
        per = args.requests // args.rounds
        print(
            f"gunicorn, {args.workers} sync workers, on {DB} (a copy of {args.template}); "
            f"{args.clients} client threads; {per} submissions per endpoint per round, {args.rounds} rounds"
        )
        for rnd in range(args.rounds):
            for name, path in (("product", "/api/v1/requests"), ("bare", "/api/bench/bare-insert")):
                secs, codes = load(port, path, per, args.clients, (rnd * 2 + (name == "bare")) * per)
                created = codes.get(201, 0)
                ok_total += created
                totals[name][0] += secs
                totals[name][1] += created
                print(
                    f"  round {rnd + 1} {name:7} {path:20} {created:>6} × 201 in {secs:6.2f} s "
                    f"= {created / secs:7.1f}/s   other answers: "
                    f"{ {k: v for k, v in codes.items() if k != 201} }"
                )
        rows = count("SELECT count(*) FROM requests") - rows0
        events = count("SELECT count(*) FROM request_events") - events0
        notices = count("SELECT count(*) FROM outbox") - notices0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')

    product_rate = totals["product"][1] / totals["product"][0]
    bare_rate = totals["bare"][1] / totals["bare"][0]
    print(
        f"product POST /api/v1/requests: {product_rate:7.1f} submissions/s;  bare insert: {bare_rate:7.1f}/s"
    )
    print(
        f"rows added {rows} = 201 answers {ok_total}; product submissions {totals['product'][1]}: "
        f"{events} events, {notices} receipt notices"
    )
    lost = rows != ok_total or events != totals["product"][1] or notices != totals["product"][1]
    print(f"{'FAIL' if lost else 'PASS'} intake nothing lost or doubled (row counts)")
    ok = verdict("intake product / bare insert throughput", product_rate / bare_rate, 0.5, at_most=False)
    sys.exit(0 if ok and not lost else 1)


if __name__ == "__main__":
    main()
