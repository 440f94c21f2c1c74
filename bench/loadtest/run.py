"""Load test under failures (issue 9): nothing acknowledged is lost or doubled, and the service heals itself.

    .venv/bin/pip install -e ".[load]"                           # locust (the users), once
    .venv/bin/python bench/loadtest/run.py                       # about 4-5 minutes in all
    .venv/bin/python bench/loadtest/run.py --citizens 12 --officers 6 --duration 180
    .venv/bin/python bench/loadtest/run.py --quick               # 40 s of load, shorter faults (a smoke run)

Everything runs on this machine, on loopback, on services of the run's own (the shared PostgreSQL on 5432 and
Redis on 6379 are never touched):

1. a private PostgreSQL 15 cluster (initdb into a temporary folder, as the `postgres` user when run as root,
   on a free port) and a private `redis-server` on a free port (no persistence), an SMTP sink (aiosmtpd);
2. `flask db upgrade`, two agencies, officers and their bearer tokens made with the CLI (README.md §Command
   line);
3. the product as in production: `gunicorn "webapp:create_app()"` (APP_ENV=production, a SECRET_KEY, the
   rate limits kept in Redis but raised far above what one loopback address sends), a `celery worker` and
   `celery beat`;
4. locust (`locust -f bench/loadtest/locustfile.py --headless`, a process of its own, for --duration seconds)
   runs N citizens and M officers (the users are locustfile.py's). Citizens submit requests (POST
   /api/v1/requests with an Idempotency-Key; on a connection error, a timeout or a 5xx they retry with the
   same key and body after a backoff, as a real client should; now and then they send an acknowledged
   submission again, as a double click would) and read them back with their access code; officers page
   through their queue with their bearer token and act (accept, reply, comment; a 409 is a normal race). The
   tokens and agency codes reach locust in GD_LOAD_* variables; every acknowledged submission (key, body,
   answer), every error with its time and every double click's answer is appended to a JSON-lines file in the
   run's folder, which this script reads once locust has exited;
5. during the load PostgreSQL is restarted once (`pg_ctl restart -m fast`) and Redis is stopped for
   --redis-outage seconds (60 by default, as the issue asks) and started again on the same port;
6. afterwards, with nothing restarted: every acknowledged tracking number is in the database exactly once
   with the body that was sent, the database holds no request nobody acknowledged, every request's events are
   numbered 1..n without gaps, every Idempotency-Key sent again answers exactly what it answered first,
   /readyz (/healthz where there is none) and a database-backed call answer 200 again after each fault, and
   the outbox drains: every notice is sent (the sink got it once), none failed. A relay that lost the
   database in the middle of a delivery leaves its row leased; the run sets the lease to 30 s
   (NOTICE_LEASE_SECONDS; 5 minutes by default) so that such a row is taken again within the run. And the
   users' records are complete: they account for every POST /api/v1/requests in locust's own table.

It prints locust's own tables (requests, failures and requests/s per kind of call, response-time percentiles,
errors) and its failures by kind, errors during each fault, retries, the time to recover after each fault and
the checks' results, and exits 1 if a check failed. Logs of the services (and locust's: locust.log, its CSV
files and the users' records) stay in the printed folder with --keep (and whenever a check failed). Needs the
PostgreSQL 15 server binaries (PG_BIN, default /usr/lib/postgresql/15/bin) and redis-server; the dev extra
(aiosmtpd, psycopg) and the load extra (locust) in .venv.
"""

# ruff: noqa: S603  (the commands run are this script's own)
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
AGENCIES = {"LOADA": "负载测试甲局", "LOADB": "负载测试乙局"}
SENDER = "notices@load.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- private services ----------------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of the run's own. initdb refuses root: then the cluster belongs to `postgres`."""

    def __init__(self, root: Path) -> None:
        self.root = root / "pg"
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        self.root.mkdir()
        if os.getuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/gd_load"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, cwd="/")

    def start(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "pg.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self._run(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "gd_load"
        )

    def restart(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop")


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.log = root / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    REDIS_SERVER,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: listening(self.port), 10, "redis-server")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


class Process:
    """A service process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], root: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = root / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.args,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


class SmtpSink:
    """Accepts every message and keeps its Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: list[str] = []
        self.lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email

        message = email.message_from_bytes(bytes(envelope.content))
        with self.lock:
            self.ids.append(str(message["Message-ID"]))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()


# -- HTTP client ---------------------------------------------------------------------------------------


class Unreachable(Exception):
    """No HTTP answer: refused, reset, closed or timed out (kind in args[0])."""


class Client:
    """One keep-alive connection per thread; a failed one is dropped and made anew on the next call."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        all_headers = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            all_headers["Content-Type"] = "application/json"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except TimeoutError as exc:
            self.close()
            raise Unreachable("timeout") from exc
        except ConnectionRefusedError as exc:
            self.close()
            raise Unreachable("refused") from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unreachable("reset") from exc
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# -- the load (the users are locustfile.py's) --------------------------------------------------------------


@dataclass
class Ack:
    key: str
    body: dict[str, Any]
    status: int
    answer: dict[str, Any]
    attempts: int
    at: float


@dataclass
class Stats:
    """The run's timeline (seconds since the load began) and what the locust users recorded."""

    start: float = field(default_factory=time.monotonic)
    wall_start: float = field(default_factory=time.time)  # the same moment as Unix time (the records')
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: list[Ack] = field(default_factory=list)
    abandoned: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)  # key, body, attempts
    failures: list[tuple[float, str, str]] = field(default_factory=list)  # (t, role, kind)
    outcomes: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    submit_attempts: int = 0  # POST /api/v1/requests with a new key or retrying one, as recorded
    replays_in_load: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    probes: list[tuple[float, bool, bool]] = field(default_factory=list)  # (t, ready, db_ok)

    def now(self) -> float:
        return time.monotonic() - self.start


def read_records(folder: Path, stats: Stats) -> None:
    """What the locust users recorded (locustfile.py): acknowledgements, errors, replays, outcomes."""
    for path in sorted(folder.glob("records-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            kind, t = r["kind"], r["at"] - stats.wall_start
            if kind == "ack":
                stats.acks.append(Ack(r["key"], r["body"], r["status"], r["answer"], r["attempts"], t))
                stats.retries += r["attempts"] - 1
                stats.submit_attempts += r["attempts"]
            elif kind == "abandoned":
                stats.abandoned.append((r["key"], r["body"], r["attempts"]))
                stats.retries += r["attempts"] - 1
                stats.submit_attempts += r["attempts"]
            elif kind == "failure":
                stats.failures.append((t, r["role"], r["error"]))
            elif kind == "replay":
                stats.replays_in_load += 1
            elif kind == "mismatch":
                stats.replay_mismatches.append(r["what"])
            elif kind == "outcome":
                stats.outcomes[r["what"]] += 1
            elif kind == "unexpected":
                stats.unexpected.append(r["what"])
                if "attempts" in r:  # a submission answered with a 4xx
                    stats.retries += r["attempts"] - 1
                    stats.submit_attempts += r["attempts"]


def locust_figures(log_file: Path) -> dict[str, int]:
    """Locust's own final tables, as it printed them on exit (requests, failures, requests/s; percentiles;
    errors), and its failures summed by kind. (Its --csv files are written once a second, so they miss the
    requests of the last second; the printed tables are complete.)"""
    lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    shutdown = max((i for i, line in enumerate(lines) if "Shutting down (exit code" in line), default=None)
    if shutdown is None:
        print(f"locust printed no final statistics (see {log_file})")
        return {}
    table = [line.rstrip() for line in lines[shutdown + 1 :] if line.strip() and "/INFO/" not in line]
    print("locust's statistics (response times in ms):")
    for line in table:
        print(f"  {line}")
    by_kind: Counter[str] = Counter()
    if "Error report" in table:
        for line in table[table.index("Error report") + 1 :]:
            parts = line.split(None, 1)
            if len(parts) == 2 and parts[0].isdigit() and ": " in parts[1]:
                by_kind[parts[1].rsplit(": ", 1)[1].strip()] += int(parts[0])
    print(f"locust's failures by kind: {dict(by_kind.most_common()) or 'none'}")
    requests: dict[str, int] = {}  # "POST submit": 494, from the first table
    for line in table:
        if line.startswith("Response time percentiles"):
            break
        row = re.match(r"^(GET|POST)\s+(.+?)\s{2,}(\d+)\s+\d+\(", line)
        if row:
            requests[f"{row[1]} {row[2]}"] = int(row[3])
    return requests


def prober(port: int, token: str, stats: Stats, stop: threading.Event, ready_path: str) -> None:
    """Every 0.25 s: is the service ready, and does a database-backed call answer?"""
    client = Client(port, timeout=3)
    while not stop.is_set():
        ready = db_ok = False
        with contextlib.suppress(Unreachable, TypeError, KeyError):
            ready = client.call("GET", ready_path)[0] == 200
        with contextlib.suppress(Unreachable, TypeError, KeyError):
            db_ok = (
                client.call("GET", "/api/v1/queue?limit=1", headers={"Authorization": f"Bearer {token}"})[0]
                == 200
            )
        with stats.lock:
            stats.probes.append((stats.now(), ready, db_ok))
        time.sleep(0.25)
    client.close()


# -- the run -------------------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    began: float
    ended: float  # the service it broke is back (pg_ctl restart returned; redis-server listens again)
    wall_began: float  # the same two moments as Unix time, to compare with the database's timestamps
    wall_ended: float


# The Flask commands (README.md §Command line), run in one process (one app start instead of one per command).
CLI_BATCH = """
import json, sys
from webapp import create_app
runner = create_app().test_cli_runner()
out = []
for args in json.loads(sys.argv[1]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output}{result.exception!r}")
    lines = result.stdout.strip().splitlines()
    out.append(lines[-1] if lines else "")
print(json.dumps(out))
"""


def flask(env: dict[str, str], *commands: list[str]) -> list[str]:
    """Run `flask --app webapp <command>` for each command; the last line each printed."""
    done = subprocess.run(
        [sys.executable, "-c", CLI_BATCH, json.dumps(commands)],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def recovered_at(stats: Stats, fault: Fault, index: int) -> float | None:
    """The first probe after the fault ended from which on `index` (1 ready, 2 database call) held for 2 s."""
    probes = [p for p in stats.probes if p[0] >= fault.ended]
    for i, p in enumerate(probes):
        if p[index] and all(q[index] for q in probes[i:] if q[0] <= p[0] + 2):
            return p[0]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=8)
    parser.add_argument("--officers", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--duration", type=float, default=150, help="seconds of load")
    parser.add_argument("--pg-restart-at", type=float, default=20)
    parser.add_argument("--redis-stop-at", type=float, default=45)
    parser.add_argument("--redis-outage", type=float, default=60)
    parser.add_argument("--quick", action="store_true", help="40 s of load, Redis down 10 s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.pg_restart_at, args.redis_stop_at, args.redis_outage = 40, 8, 18, 10
    if not (BIN / "locust").exists():
        sys.exit(f'locust is not installed in {BIN.parent}: .venv/bin/pip install -e ".[load]" first')

    root = Path(tempfile.mkdtemp(prefix="gd-loadtest-"))
    os.chmod(root, 0o755)  # noqa: S103  (the postgres user must reach its cluster inside)
    log(f"working folder {root}")
    pg, redis, sink = Postgres(root), Redis(root), SmtpSink()
    processes: list[Process] = []
    locust: Process | None = None
    failed: list[str] = []
    try:
        pg.start()
        redis.start()
        sink.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "PYTEST"))}
        env.update(
            APP_ENV="production",
            SECRET_KEY=secrets.token_hex(32),
            METRICS_TOKEN=secrets.token_hex(16),  # production refuses to start without one
            DATABASE_URL=pg.url,
            REDIS_URL=redis.url,
            DATA_DIR=str(root / "data"),
            # The limits stay on, in Redis (so its outage is felt), but far above what loopback sends.
            RATELIMIT_SUBMISSION="100000 per minute",
            RATELIMIT_TRACKING="100000 per minute",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(sink.port),
            SMTP_SECURITY="none",
            SMTP_FROM=SENDER,
            NOTICE_RELAY_INTERVAL_SECONDS="2",
            NOTICE_RETRY_BASE_SECONDS="5",
            # A relay that lost the database mid-delivery leaves its row leased: the next takes it when the
            # lease ends. The sink is local, so a send takes milliseconds: 30 s instead of 5 minutes.
            NOTICE_LEASE_SECONDS="30",
            SMTP_TIMEOUT="10",
            PYTHONUNBUFFERED="1",
        )
        subprocess.run(
            [str(BIN / "flask"), "--app", "webapp", "db", "upgrade"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
        commands = [["create-agency", code, name] for code, name in AGENCIES.items()]
        staff = [(f"officer{i}@load.test", list(AGENCIES)[i % len(AGENCIES)]) for i in range(args.officers)]
        for email, code in staff:
            commands += [
                ["create-user", email, "--role", "officer", "--agency", code],
                ["create-token", email],
            ]
        every_agency = [a for code in AGENCIES for a in ("--agency", code)]
        commands += [
            ["create-user", "head@load.test", "--role", "head", *every_agency],
            ["create-token", "head@load.test"],
        ]
        printed = flask(env, *commands)
        tokens = [(code, printed[len(AGENCIES) + 2 * i + 1]) for i, (_, code) in enumerate(staff)]
        head_token = printed[-1]
        log(
            f"PostgreSQL :{pg.port}, Redis :{redis.port}, SMTP sink :{sink.port}; schema, 2 agencies, "
            f"{args.officers} officers ready"
        )

        port = free_port()
        web = Process(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "-w",
                str(args.web_workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "webapp:create_app()",
            ],
            env,
            root,
        )
        celery_args = ["--loglevel", "INFO"]
        worker = Process(
            "celery-worker",
            [
                str(BIN / "celery"),
                "-A",
                "workers",
                "worker",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"load-{os.getpid()}@localhost",
                *celery_args,
            ],
            env,
            root,
        )
        beat = Process("celery-beat", [str(BIN / "celery"), "-A", "workers", "beat", *celery_args], env, root)
        processes = [web, worker, beat]
        for p in processes:
            p.start()
        probe = Client(port, timeout=3)
        wait_until(lambda: probe.call("GET", "/healthz")[0] == 200, 60, "gunicorn")
        ready_path = "/readyz" if probe.call("GET", "/readyz")[0] != 404 else "/healthz"
        log(
            f"gunicorn :{port} with {args.web_workers} workers, celery worker and beat up; "
            f"readiness: {ready_path}"
        )

        # The users are locust's (locustfile.py), in a process of their own; run.py only watches and breaks.
        records = root / "records"
        users = args.citizens + len(tokens)
        load_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "PYTEST"))},
            "GD_LOAD_CITIZENS": str(args.citizens),
            "GD_LOAD_OFFICERS": json.dumps([[code, tok] for code, tok in tokens]),
            "GD_LOAD_AGENCIES": ",".join(AGENCIES),
            "GD_LOAD_RECORDS": str(records),
            "PYTHONUNBUFFERED": "1",
        }
        locust = Process(
            "locust",
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "--run-time",
                f"{round(args.duration)}s",
                "--stop-timeout",  # a citizen finishes the submission it retries (it gives up after 60 s)
                "90",
                "--exit-code-on-error",  # errors are expected during the faults; run.py's checks judge
                "0",
                "--csv",
                str(root / "locust"),
                "--host",
                f"http://127.0.0.1:{port}",
            ],
            load_env,
            root,
        )
        locust.start()
        wait_until(lambda: any(records.glob("records-*.jsonl")), 60, "locust to start its users")
        stats = Stats()
        stop_probe = threading.Event()
        probe_thread = threading.Thread(
            target=prober, args=(port, head_token, stats, stop_probe, ready_path), daemon=True
        )
        probe_thread.start()
        log(f"locust: {args.citizens} citizens, {len(tokens)} officers for {args.duration:.0f} s")

        faults: list[Fault] = []

        def sleep_until(t: float) -> None:
            time.sleep(max(0.0, t - stats.now()))

        sleep_until(args.pg_restart_at)
        began, wall = stats.now(), time.time()
        pg.restart()
        faults.append(Fault("PostgreSQL restart", began, stats.now(), wall, time.time()))
        log(f"PostgreSQL restarted (-m fast) in {stats.now() - began:.1f} s")
        sleep_until(args.redis_stop_at)
        began, wall = stats.now(), time.time()
        redis.stop()
        log(f"Redis stopped for {args.redis_outage:.0f} s")
        sleep_until(began + args.redis_outage)
        redis.start()
        faults.append(Fault("Redis stopped", began, stats.now(), wall, time.time()))
        log("Redis started again on the same port")
        sleep_until(args.duration)
        load_end = stats.now()
        assert locust.proc is not None
        try:
            code = locust.proc.wait(90 + 60)
        except subprocess.TimeoutExpired:
            code = None
            locust.stop()
        if code != 0:
            failed.append(f"locust ended with {code} (log: locust.log)")
        time.sleep(2.5)
        stop_probe.set()
        probe_thread.join(10)
        read_records(records, stats)
        log(f"load stopped (locust exited {stats.now() - load_end:.0f} s after its run time); checking")

        # -- figures -----------------------------------------------------------------------------------
        print()
        print(f"load: {load_end:.0f} s")
        counted = locust_figures(locust.log)
        print(
            f"submissions sent (POST /api/v1/requests, retries included): {counted.get('POST submit')} in "
            f"locust's table, {stats.submit_attempts} in the users' records"
        )
        if counted.get("POST submit") != stats.submit_attempts:
            failed.append("the users' records do not cover every submission locust counted")
        print(
            f"submissions acknowledged: {len(stats.acks)} ({len(stats.acks) / load_end:.1f}/s), "
            f"after a retry: {sum(1 for a in stats.acks if a.attempts > 1)}, "
            f"retries in all: {stats.retries}, "
            f"abandoned: {len(stats.abandoned)}"
        )
        print(f"officers' actions: {dict(sorted(stats.outcomes.items()))}")
        windows = [(f.name, f.began, (recovered_at(stats, f, 2) or f.ended) + 5) for f in faults]
        for name, lo, hi in windows:
            inside = Counter(f"{role} {kind}" for t, role, kind in stats.failures if lo <= t <= hi)
            print(f"errors during '{name}' ({lo:.0f}-{hi:.0f} s): {dict(inside) or 'none'}")
        outside = Counter(
            f"{role} {kind}"
            for t, role, kind in stats.failures
            if not any(lo <= t <= hi for _, lo, hi in windows)
        )
        print(f"errors outside the faults: {dict(outside) or 'none'}")
        for f in faults:
            ready, db_ok = recovered_at(stats, f, 1), recovered_at(stats, f, 2)
            during = [p for p in stats.probes if f.began <= p[0] <= f.ended]
            last_error = max((t for t, _, _ in stats.failures if f.began <= t <= f.ended + 30), default=None)
            print(
                f"recovery after '{f.name}' (fault {f.began:.1f}-{f.ended:.1f} s): {ready_path} 200 "
                + (f"{ready - f.ended:.1f} s" if ready is not None else "NEVER")
                + ", database-backed call 200 "
                + (f"{db_ok - f.ended:.1f} s" if db_ok is not None else "NEVER")
                + " after the service was back; during the fault "
                + f"{sum(1 for p in during if not p[1])}/{len(during)} readiness probes and "
                + f"{sum(1 for p in during if not p[2])}/{len(during)} database-backed probes failed; "
                + (
                    f"last client error {last_error - f.began:.1f} s after the fault began"
                    if last_error is not None
                    else "no client error"
                )
            )
            if ready is None or db_ok is None:
                failed.append(f"no recovery after {f.name}")
        if stats.unexpected:
            print(f"unexpected answers ({len(stats.unexpected)}): {stats.unexpected[:5]}")
            failed.append("unexpected answers")
        for p in processes:
            if not p.alive():
                failed.append(f"{p.name} died")

        # -- checks on the database --------------------------------------------------------------------
        with psycopg.connect(pg.url) as conn:
            rows = conn.execute(
                "SELECT tracking_number, description, applicant_name FROM requests"
            ).fetchall()
            counts = Counter(r[0] for r in rows)
            by_number = {r[0]: r for r in rows}
            acked = Counter(a.answer["tracking_number"] for a in stats.acks)
            doubled = [n for n, c in acked.items() if c > 1]  # two keys answered with one number
            missing = [n for n in acked if counts[n] == 0]
            twice = [n for n, c in counts.items() if c > 1]
            wrong_body = [
                a.answer["tracking_number"]
                for a in stats.acks
                if a.answer["tracking_number"] in by_number
                and by_number[a.answer["tracking_number"]][1:]
                != (a.body["description"], a.body["applicant"]["name"])
            ]
            orphans = [n for n in counts if n not in acked]
            abandoned_descriptions = {b["description"] for _, b, _ in stats.abandoned}
            orphans_abandoned = [n for n in orphans if by_number[n][1] in abandoned_descriptions]
            gaps = conn.execute(
                """SELECT r.tracking_number, count(e.id), min(e.seq), max(e.seq) FROM requests r
                   LEFT JOIN request_events e ON e.request_id = r.id GROUP BY r.tracking_number
                   HAVING count(e.id) = 0 OR min(e.seq) <> 1 OR max(e.seq) <> count(e.id)
                      OR count(DISTINCT e.seq) <> count(e.id)"""
            ).fetchall()
            events = conn.execute("SELECT count(*) FROM request_events").fetchone()
            keys = conn.execute("SELECT count(*) FROM idempotency_records").fetchone()
        print()
        print(f"requests in the database: {len(rows)}; acknowledged tracking numbers: {len(acked)}")
        print(
            f"  acknowledged and found exactly once: {sum(1 for n in acked if counts[n] == 1)}; missing: "
            f"{len(missing)}; in the database twice: {len(twice)}; one number for two keys: {len(doubled)}; "
            f"stored body differs from the one sent: {len(wrong_body)}"
        )
        print(
            f"  in the database but never acknowledged: {len(orphans)} "
            f"(of which the client gave up on: {len(orphans_abandoned)})"
        )
        print(f"  events: {events[0] if events else 0}; requests whose events are not 1..n: {len(gaps)}")
        print(f"  idempotency records: {keys[0] if keys else 0} for {len(stats.acks)} acknowledged keys")
        if missing or twice or doubled or wrong_body or gaps:
            failed.append("lost, doubled or gapped data")
        if len(orphans) > len(orphans_abandoned):
            failed.append("unacknowledged requests in the database")

        # -- every key again ---------------------------------------------------------------------------
        client = Client(port)
        mismatches = list(stats.replay_mismatches)
        for a in stats.acks:
            try:
                status, answer = client.call("POST", "/api/v1/requests", a.body, {"Idempotency-Key": a.key})
            except Unreachable as exc:
                status, answer = 0, exc.args[0]
            if (status, answer) != (a.status, a.answer):
                mismatches.append(f"{a.key}: first {a.status}, now {status} {answer}")
        with psycopg.connect(pg.url) as conn:
            after = conn.execute("SELECT count(*) FROM requests").fetchone()
        print(
            f"Idempotency-Key replays: {len(stats.acks)} after the run + {stats.replays_in_load} "
            "during the load; "
            f"answers differing from the first: {len(mismatches)}; requests created by the replays: "
            f"{(after[0] if after else 0) - len(rows)}"
        )
        for m in mismatches[:5]:
            print(f"  {m}")
        if mismatches or (after and after[0] != len(rows)):
            failed.append("inconsistent replays")

        # -- the outbox --------------------------------------------------------------------------------
        def pending() -> int:
            with psycopg.connect(pg.url) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM outbox"
                    " WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()"
                ).fetchone()
            return int(row[0]) if row else 0

        drain_start = time.monotonic()
        with contextlib.suppress(RuntimeError):
            wait_until(lambda: pending() == 0, 120, "the outbox to drain", interval=1)
        with psycopg.connect(pg.url) as conn:
            box = conn.execute(
                """SELECT count(*), count(sent_at), count(failed_at), sum(attempts),
                          count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) FROM outbox"""
            ).fetchone()
        if box is None:
            raise RuntimeError("no answer counting the outbox")
        with sink.lock:
            ids = list(sink.ids)
        print(
            f"outbox: {box[0]} notices, sent {box[1]}, failed {box[2]}, still queued {box[4]} "
            f"(attempts {box[3] or 0}); drained {time.monotonic() - drain_start:.0f} s after the load; "
            f"SMTP sink got {len(ids)} messages, {len(ids) - len(set(ids))} duplicates"
        )
        if box[2] or box[4] or len(ids) != len(set(ids)):
            failed.append("outbox not delivered exactly once")
        with psycopg.connect(pg.url) as conn:
            for f in faults:
                resumed = conn.execute(
                    """SELECT extract(epoch FROM min(sent_at)
                                            FILTER (WHERE sent_at >= to_timestamp(%(ended)s))),
                              count(*) FILTER (WHERE created_at BETWEEN to_timestamp(%(began)s)
                                                                    AND to_timestamp(%(ended)s)),
                              count(sent_at) FILTER (WHERE created_at BETWEEN to_timestamp(%(began)s)
                                                                          AND to_timestamp(%(ended)s))
                       FROM outbox""",
                    {"began": f.wall_began, "ended": f.wall_ended},
                ).fetchone()
                if resumed is None or resumed[0] is None:
                    print(f"  after '{f.name}': no notice sent since")
                    continue
                print(
                    f"  after '{f.name}': first notice sent {float(resumed[0]) - f.wall_ended:.1f} s after "
                    f"the service was back; notices written during the fault: {resumed[1]}, "
                    f"sent since: {resumed[2]}"
                )
        for p in processes:
            if not p.alive():
                failed.append(f"{p.name} died")
    finally:
        for p in reversed(processes):
            p.stop()
        if locust is not None and locust.alive():
            locust.stop()
        sink.stop()
        redis.stop()
        pg.stop()
        if not args.keep and not failed:
            shutil.rmtree(root, ignore_errors=True)
    print()
    if failed:
        print(f"FAILED: {'; '.join(sorted(set(failed)))} (logs in {root})")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
