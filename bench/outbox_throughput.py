"""The outbox relays' throughput: e-mail notices alone, and with SMS notices on.

Run: .venv/bin/python bench/outbox_throughput.py [--requests 200] [--rounds 5] [--history 0] [--backlog 0]

The database `gd_outbox_bench` is made afresh (`flask db upgrade`) and --requests citizens' requests are
submitted through the product's `submit()` (online, delivery by e-mail, each applicant with an e-mail
address and a mobile number of their own): each queues its receipt notice as an e-mail row and as an SMS
row of the outbox, as the product does. --history N adds N rows sent two days ago (half of them SMS, to
N/2 numbers), an outbox that has been in use; --backlog N adds N SMS rows due but not sent (an SMS
provider away for a while), waiting in the "email, SMS waiting" phase.

The relays are the product's, each in a process of its own as two Celery workers would be, looping on
`workers.notices.relay` / `workers.sms.relay_sms_rows` until nothing is due; e-mail to the mail drop
(`MailDropTransport`, one file per message, the embedded default), SMS to the file sink (`SmsDropTransport`)
— no network in the way. Each number gets one SMS, so the per-number hourly cap (SMS_PER_NUMBER_PER_HOUR)
is checked for every message and never holds one back.

Phases, in turn in every round (the outbox's rows made due again before each; rows another phase does
not send are marked sent two days ago, out of the way):

- email alone: only the e-mail rows are due (SMS off: what the outbox held before SMS notices);
- email, SMS waiting: the SMS rows due too, and the backlog, no SMS relay running (the e-mail relay's
  claims must not pass over them);
- email + SMS relays: both due, both relays running at once: each one's rate while the other works;
- SMS alone: only the SMS rows due, the SMS relay alone.

Printed: messages per second of each (the median over rounds). Targets: e-mail with SMS rows waiting
≥ 0.9 × e-mail alone, and e-mail with the SMS relay running ≥ 0.9 × e-mail alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from common import PG, bench_app, verdict

ROOT = Path(__file__).resolve().parent.parent
DB = "gd_outbox_bench"
HISTORY = (
    "INSERT INTO outbox (kind, delivery_key, payload, created_at, next_attempt_at, attempts, sent_at, "
    "delivered_via) SELECT CASE WHEN g %% 2 = 0 THEN 'sms' ELSE 'notice' END, 'history:' || g, "
    "json_build_object('notice', 'receipt', 'to', '137' || lpad((g / 2)::text, 8, '0')), "
    "now() - interval '2 days', now() - interval '2 days', 1, now() - interval '2 days', "
    "CASE WHEN g %% 2 = 0 THEN 'smsdrop' ELSE 'maildrop' END FROM generate_series(1, %s) g"
)
MAKE_DUE = (
    "UPDATE outbox SET claimed_until = NULL, attempts = 0, failed_at = NULL, last_error = NULL, "
    "next_attempt_at = now() - interval '1 second', "
    "sent_at = CASE WHEN (kind = 'sms' AND %(sms)s) OR (kind <> 'sms' AND %(email)s) THEN NULL "
    "ELSE now() - interval '2 days' END, "
    "delivered_via = CASE WHEN (kind = 'sms' AND %(sms)s) OR (kind <> 'sms' AND %(email)s) THEN NULL "
    "ELSE 'bench' END WHERE delivery_key NOT LIKE 'history:%%' AND delivery_key NOT LIKE 'backlog:%%'"
)
BACKLOG = (
    "INSERT INTO outbox (kind, delivery_key, payload, created_at, next_attempt_at, attempts) "
    "SELECT 'sms', 'backlog:' || g, json_build_object('notice', 'receipt'), now() - interval '1 day', "
    "now() - interval '1 day', 1 FROM generate_series(1, %s) g"
)
BACKLOG_DUE = (
    "UPDATE outbox SET sent_at = CASE WHEN %(waiting)s THEN NULL ELSE now() - interval '2 days' END, "
    "delivered_via = CASE WHEN %(waiting)s THEN NULL ELSE 'bench' END WHERE delivery_key LIKE 'backlog:%%'"
)


def setup(n: int, history: int, backlog: int) -> None:
    from generate import recreate

    recreate(DB)
    from webapp.domain import accounts
    from webapp.domain.requests import Applicant, submit
    from webapp.extensions import db

    app = bench_app(DB)
    t0 = time.perf_counter()
    with app.app_context():
        session = db.session()
        now = dt.datetime.now(dt.UTC)
        agency = accounts.create_agency(session, "BENCH", "基准市人民政府办公室", now=now)
        session.commit()
        for i in range(n):
            submit(
                session,
                agency=agency,
                applicant=Applicant(
                    type="natural_person",
                    name=f"申请人{i}",
                    id_number="11010519491231002X",
                    phone=f"139{i:08d}",
                    email=f"applicant{i}@example.cn",
                ),
                description=f"申请公开2025年度国有土地上房屋征收补偿方案（第{i}号）",
                delivery="email",
                now=now,
            )
            if i % 100 == 99:
                session.commit()
        session.commit()
    print(f"{DB}: {n:,} requests submitted through submit() in {time.perf_counter() - t0:.1f} s")
    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        if history:
            conn.execute(HISTORY, (history,))
        if backlog:
            conn.execute(BACKLOG, (backlog,))
        conn.execute("VACUUM ANALYZE outbox")
        for kind, count in conn.execute("SELECT kind, count(*) FROM outbox GROUP BY kind ORDER BY kind"):
            print(f"  outbox: {count:,} {kind} rows")


def make_due(kinds: set[str], backlog: bool) -> tuple[int, int]:
    """The bench's rows of `kinds` due now and unsent, the others sent two days ago, the backlog waiting
    or not; (e-mail, SMS) due."""
    sms = "sms" in kinds
    email = "email" in kinds
    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        conn.execute(MAKE_DUE, {"sms": sms, "email": email})
        conn.execute(BACKLOG_DUE, {"waiting": backlog})
        conn.execute("VACUUM ANALYZE outbox")
        due = dict(
            conn.execute(
                "SELECT kind = 'sms', count(*) FROM outbox WHERE sent_at IS NULL GROUP BY kind = 'sms'"
            ).fetchall()
        )
    return due.get(False, 0), due.get(True, 0)


def worker(kind: str, start_at: float, directory: str) -> None:
    """One relay, from `start_at` until nothing is due: prints {"sent", "seconds"} as JSON."""
    import logging

    from webapp.extensions import db
    from workers.notices import MailDropTransport, RelaySettings, relay
    from workers.sms import SmsDropTransport, relay_sms_rows

    app = bench_app(DB)
    logging.getLogger("workers").setLevel(logging.WARNING)
    with app.app_context():
        session = db.session()
        settings = RelaySettings.from_config(app.config)
        time.sleep(max(0.0, start_at - time.time()))
        sent = failed = 0
        t0 = time.perf_counter()
        while True:
            if kind == "email":
                result = relay(session, MailDropTransport(directory), settings, max_messages=200)
            else:
                result = relay_sms_rows(
                    session,
                    SmsDropTransport(directory),
                    settings,
                    base_url=app.config["PUBLIC_URL"],
                    per_hour=int(app.config["SMS_PER_NUMBER_PER_HOUR"]),
                )
            sent, failed = sent + result.sent, failed + result.failed + result.retrying
            if result.handled == 0:
                break
        took = time.perf_counter() - t0
    print(json.dumps({"sent": sent, "not_sent": failed, "seconds": took}))


def run(kinds: list[str], sink: Path) -> dict[str, dict[str, float]]:
    """The relays of `kinds`, started together in their own processes; each one's figures."""
    start_at = time.time() + 4  # after both processes have made their app
    procs = {
        kind: subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--worker",
                kind,
                "--start-at",
                str(start_at),
                "--sink",
                str(sink / kind),
            ],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        for kind in kinds
    }
    out = {}
    for kind, proc in procs.items():
        stdout, _ = proc.communicate()
        if proc.returncode:
            sys.exit(f"the {kind} relay failed")
        out[kind] = json.loads(stdout.decode().strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--history", type=int, default=0)
    ap.add_argument("--backlog", type=int, default=0)
    ap.add_argument("--worker", choices=("email", "sms"), help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--sink", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.start_at, args.sink)
        return
    setup(args.requests, args.history, args.backlog)
    phases = {
        "email alone": ({"email"}, ["email"]),
        "email, SMS waiting": ({"email", "sms"}, ["email"]),
        "email + SMS relays": ({"email", "sms"}, ["email", "sms"]),
        "SMS alone": ({"sms"}, ["sms"]),
    }
    rates: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="outbox-bench-") as tmp:
        for r in range(args.rounds):
            names = list(phases)
            for name in names[r % len(names) :] + names[: r % len(names)]:  # each round starts elsewhere
                due_kinds, relays = phases[name]
                email_due, sms_due = make_due(due_kinds, backlog=name == "email, SMS waiting")
                sms_due = 0 if name == "email, SMS waiting" else sms_due
                figures = run(relays, Path(tmp) / f"{r}-{name.replace(' ', '_')}")
                line = []
                for kind, fig in figures.items():
                    expected = email_due if kind == "email" else sms_due
                    if fig["sent"] != expected or fig["not_sent"]:
                        sys.exit(
                            f"{name}: {kind} relay sent {fig['sent']} of {expected} ({fig['not_sent']} not)"
                        )
                    rate = fig["sent"] / fig["seconds"]
                    rates.setdefault(f"{name}: {kind}", []).append(rate)
                    line.append(f"{kind} {fig['sent']:,} in {fig['seconds']:.1f} s = {rate:,.1f}/s")
                print(f"  round {r + 1} {name:20} " + "; ".join(line), flush=True)
    print("\nmedian over rounds (messages per second):")
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print(f"  {k:32} {v:8.1f}/s")
    alone = med["email alone: email"]
    waiting = med["email, SMS waiting: email"]
    ok = verdict(
        f"e-mail with SMS rows waiting / e-mail alone ({waiting:.1f} / {alone:.1f}/s)",
        waiting / alone,
        0.9,
        at_most=False,
    )
    ok &= verdict(
        f"e-mail with the SMS relay running / e-mail alone ({med['email + SMS relays: email']:.1f} / "
        f"{alone:.1f}/s)",
        med["email + SMS relays: email"] / alone,
        0.9,
        at_most=False,
    )
    print(
        f"SMS relay alone {med['SMS alone: sms']:.1f}/s, beside the e-mail relay "
        f"{med['email + SMS relays: sms']:.1f}/s (each SMS to its own number: the hourly cap holds none back)"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
