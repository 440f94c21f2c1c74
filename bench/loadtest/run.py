"""Load test under failures (issue 9): nothing acknowledged is lost or doubled, and the service heals itself.

    .venv/bin/python bench/loadtest/run.py                       # about 4-5 minutes in all
    .venv/bin/python bench/loadtest/run.py --citizens 12 --officers 6 --duration 180
    .venv/bin/python bench/loadtest/run.py --quick               # 40 s of load, shorter faults (a smoke run)

Everything runs on this machine, on loopback, on services of the run's own (the shared PostgreSQL on 5432 and
Redis on 6379 are never touched):

1. a private PostgreSQL 15 cluster (initdb into a temporary folder, as the `postgres` user when run as root,
   on a free port) and a private `redis-server` on a free port (no persistence), an SMTP sink (aiosmtpd);
2. `flask db upgrade`, two agencies, officers and their bearer tokens made with the CLI (API.md);
3. the product as in production: `gunicorn "webapp:create_app()"` (APP_ENV=production, a SECRET_KEY, the
   rate limits kept in Redis but raised far above what one loopback address sends), a `celery worker` and
   `celery beat`;
4. N citizens submit requests (POST /api/v1/requests with an Idempotency-Key; on a connection error, a
   timeout or a 5xx they retry with the same key and body, as a real client should; now and then they send
   an acknowledged submission again, as a double click would) and read them back with their access code;
   M officers page through their queue and act (accept, reply, comment; a 409 is a normal race);
5. during the load PostgreSQL is restarted once (`pg_ctl restart -m fast`) and Redis is stopped for
   --redis-outage seconds (60 by default, as the issue asks) and started again on the same port;
6. afterwards, with nothing restarted: every acknowledged tracking number is in the database exactly once
   with the body that was sent, the database holds no request nobody acknowledged, every request's events are
   numbered 1..n without gaps, every Idempotency-Key sent again answers exactly what it answered first,
   /readyz (/healthz where there is none) and a database-backed call answer 200 again after each fault, and
   the outbox drains: every notice is sent (the sink got it once), none failed. A relay that lost the
   database in the middle of a delivery leaves its row leased; the run sets the lease to 30 s
   (NOTICE_LEASE_SECONDS; 5 minutes by default) so that such a row is taken again within the run.

It prints requests/s, errors by kind during each fault, retries, the time to recover after each fault and the
checks' results, and exits 1 if a check failed. Logs of the services stay in the printed folder with --keep
(and whenever a check failed). Needs the PostgreSQL 15 server binaries (PG_BIN, default
/usr/lib/postgresql/15/bin) and redis-server; the dev extra (aiosmtpd, psycopg) in .venv.
"""

# ruff: noqa: S311, S603  (random load, not secrets; the commands run are this script's own)
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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


# -- the load ------------------------------------------------------------------------------------------


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
    start: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: list[Ack] = field(default_factory=list)
    abandoned: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)  # key, body, attempts
    failures: list[tuple[float, str, str]] = field(default_factory=list)  # (t, role, kind)
    calls: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    replays_in_load: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    probes: list[tuple[float, bool, bool]] = field(default_factory=list)  # (t, ready, db_ok)

    def now(self) -> float:
        return time.monotonic() - self.start

    def failure(self, role: str, kind: str) -> None:
        with self.lock:
            self.failures.append((self.now(), role, kind))

    def count(self, what: str) -> None:
        with self.lock:
            self.calls[what] += 1


NAMES = ["张三", "李四", "王五", "赵六", "陈晓明", "刘芳", "周杰", "吴敏"]
TOPICS = ["年度部门预算及其说明", "行政处罚决定书", "城市规划许可材料", "社保基金收支情况", "政府采购合同"]


def citizen_body(rng: random.Random) -> dict[str, Any]:
    return {
        "agency": rng.choice(list(AGENCIES)),
        "applicant": {
            "type": "natural_person",
            "name": rng.choice(NAMES),
            "phone": f"139{rng.randrange(10**8):08d}",
            "email": f"citizen{rng.randrange(10**6)}@example.cn",
        },
        "description": f"申请公开{rng.randint(2015, 2024)}年{rng.choice(TOPICS)}（{uuid.uuid4().hex[:8]}）",
        "delivery": "email",
    }


def backoff(attempt: int, rng: random.Random) -> float:
    return float(min(2.0, 0.2 * 2 ** min(attempt, 4)) * (0.5 + rng.random()))


def submit(client: Client, stats: Stats, rng: random.Random, give_up_at: list[float]) -> Ack | None:
    """One submission, retried with the same Idempotency-Key until it is acknowledged."""
    key, body = str(uuid.uuid4()), citizen_body(rng)
    attempt = 0
    while True:
        attempt += 1
        if attempt > 1:
            with stats.lock:
                stats.retries += 1
        kind = None
        try:
            status, answer = client.call("POST", "/api/v1/requests", body, {"Idempotency-Key": key})
            stats.count("submit")
            if status in (200, 201):
                ack = Ack(key, body, status, answer, attempt, stats.now())
                with stats.lock:
                    stats.acks.append(ack)
                return ack
            if status >= 500 or status == 429:
                kind = f"http_{status}"
            else:
                with stats.lock:
                    stats.unexpected.append(f"submit {status}: {answer}")
                return None
        except Unreachable as exc:
            kind = exc.args[0]
        stats.failure("citizen", kind)
        if time.monotonic() > give_up_at[0]:
            with stats.lock:
                stats.abandoned.append((key, body, attempt))
            return None
        time.sleep(backoff(attempt, rng))


def citizen(port: int, stats: Stats, stop: threading.Event, give_up_at: list[float], seed: int) -> None:
    rng = random.Random(seed)
    client = Client(port)
    while not stop.is_set():
        ack = submit(client, stats, rng, give_up_at)
        if ack is not None and rng.random() < 0.25:  # a double click: the same key and body again
            with contextlib.suppress(Unreachable):
                status, answer = client.call(
                    "POST", "/api/v1/requests", ack.body, {"Idempotency-Key": ack.key}
                )
                stats.count("submit_again")
                if status < 500:
                    with stats.lock:
                        stats.replays_in_load += 1
                        if (status, answer) != (ack.status, ack.answer):
                            stats.replay_mismatches.append(f"in load {ack.key}: {status} {answer}")
        if ack is not None and rng.random() < 0.3:
            with contextlib.suppress(Unreachable):
                number = ack.answer["tracking_number"]
                status, _ = client.call(
                    "GET", f"/api/v1/requests/{number}", headers={"X-Access-Code": ack.answer["access_code"]}
                )
                stats.count("view")
                if status >= 500:
                    stats.failure("citizen", f"http_{status}")
                elif status != 200:
                    with stats.lock:
                        stats.unexpected.append(f"view {number}: {status}")
        time.sleep(rng.uniform(0.05, 0.2))
    client.close()


def officer(port: int, token: str, agency: str, stats: Stats, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(port)
    auth = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        time.sleep(rng.uniform(0.1, 0.3))
        status_filter = rng.choice(["received", "received", "in_progress"])
        try:
            status, page = client.call(
                "GET", f"/api/v1/queue?agency={agency}&status={status_filter}&limit=50", headers=auth
            )
            stats.count("queue")
            if status >= 500:
                stats.failure("officer", f"http_{status}")
                continue
            if status != 200:
                with stats.lock:
                    stats.unexpected.append(f"queue {status}: {page}")
                continue
            items = page["items"]
            if not items:
                continue
            item = rng.choice(items)
            if item["status"] == "received":
                action: dict[str, Any] = rng.choice(
                    [
                        {"action": "accept"},
                        {"action": "accept"},
                        {"action": "comment", "note": "已登记，待分办"},
                    ]
                )
            else:
                action = rng.choice(
                    [
                        {"action": "reply", "outcome": "disclosed", "note": "予以公开"},
                        {"action": "comment", "note": "办理中"},
                    ]
                )
            action["version"] = item["version"]
            status, answer = client.call(
                "POST", f"/api/v1/requests/{item['tracking_number']}/actions", action, auth
            )
            stats.count("action")
            with stats.lock:
                stats.outcomes[f"{action['action']} {status}"] += 1
            if status >= 500:
                stats.failure("officer", f"http_{status}")
            elif status not in (200, 409):
                with stats.lock:
                    stats.unexpected.append(f"action {action} {status}: {answer}")
        except Unreachable as exc:
            stats.failure("officer", exc.args[0])
    client.close()


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


# The Flask commands of API.md, run in one process (one app start instead of one per command).
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

    root = Path(tempfile.mkdtemp(prefix="gd-loadtest-"))
    os.chmod(root, 0o755)  # noqa: S103  (the postgres user must reach its cluster inside)
    log(f"working folder {root}")
    pg, redis, sink = Postgres(root), Redis(root), SmtpSink()
    processes: list[Process] = []
    failed: list[str] = []
    try:
        pg.start()
        redis.start()
        sink.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "PYTEST"))}
        env.update(
            APP_ENV="production",
            SECRET_KEY=secrets.token_hex(32),
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

        stats = Stats()
        stop, stop_probe = threading.Event(), threading.Event()
        give_up_at = [float("inf")]
        threads = [
            threading.Thread(target=citizen, args=(port, stats, stop, give_up_at, i), daemon=True)
            for i in range(args.citizens)
        ] + [
            threading.Thread(target=officer, args=(port, tok, code, stats, stop, 1000 + i), daemon=True)
            for i, (code, tok) in enumerate(tokens)
        ]
        probe_thread = threading.Thread(
            target=prober, args=(port, head_token, stats, stop_probe, ready_path), daemon=True
        )
        probe_thread.start()
        for t in threads:
            t.start()
        log(f"load: {args.citizens} citizens, {len(tokens)} officers for {args.duration:.0f} s")

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
        give_up_at[0] = time.monotonic() + 60
        stop.set()
        for t in threads:
            t.join(90)
        time.sleep(2.5)
        stop_probe.set()
        probe_thread.join(10)
        log("load stopped; checking")

        # -- figures -----------------------------------------------------------------------------------
        total_calls = sum(stats.calls.values())
        print()
        print(
            f"load: {load_end:.0f} s, {total_calls} calls ({total_calls / load_end:.1f}/s): "
            f"{dict(stats.calls)}"
        )
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
