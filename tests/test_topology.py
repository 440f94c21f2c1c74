"""The production topology of docker-compose.yml, checked twice: the file itself (services, replicas, health
checks, volumes, environment), and its commands started as local processes — the migration, two gunicorn
web servers, two celery workers and one beat — against a private PostgreSQL database and the test Redis,
with an SMTP sink. A citizen applies through web #1, an officer acts through web #2 with a token made by
the CLI, the notices arrive by the workers, the beat's sweep runs, both servers are ready and report the
counts, and after one worker is killed the other still delivers. No log line holds personal data."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, app_config, private_database
from tests.factories import VALID_RESIDENT_ID
from tests.workers.services import SmtpSink, free_port, smtp_sink, wait_for
from webapp import create_app
from webapp.domain import accounts
from webapp.extensions import db

PROJECT_DIR = Path(__file__).resolve().parents[1]
COMPOSE = PROJECT_DIR / "docker-compose.yml"
BIN = Path(sys.executable).parent
APP_SERVICES = ("migrate", "web", "worker", "beat")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution."""

    def one(m: re.Match[str]) -> str:
        name, kind, rest = m.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise AssertionError(f"{name} must be set: {rest}")
        return rest if kind == "-" else ""

    return _VARIABLE.sub(one, value)


# -- the file --------------------------------------------------------------------------------------


def test_the_compose_file_describes_the_production_topology():
    spec = compose()
    services = spec["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "proxy", "worker", "beat"}
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["beat"]["deploy"]["replicas"] == 1  # exactly one scheduler
    for name in APP_SERVICES:
        service = services[name]
        assert service["image"] == "gov-disclosure:latest" and service["build"] == "."
        env = service["environment"]
        assert env["APP_ENV"] == "production" and env["LOG_FORMAT"] == "json"
        assert env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert "${SECRET_KEY:?" in env["SECRET_KEY"]  # no default secret: compose refuses to start
        assert "${METRICS_TOKEN:?" in env["METRICS_TOKEN"]  # production requires it (webapp/config.py)
        assert "appdata:/data" in service["volumes"] and env["DATA_DIR"] == "/data"
        if name != "migrate":  # everything waits for the schema
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
            assert service["restart"] == "unless-stopped"
            assert service["healthcheck"]["test"][0] == "CMD"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"][-2:] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"][-2:] == ["workers.health", "worker"]
    assert services["beat"]["healthcheck"]["test"][-2:] == ["workers.health", "beat"]
    for name in ("db", "redis"):
        assert services[name]["healthcheck"] and services[name]["volumes"]
    assert {"pgdata", "redisdata", "appdata"} <= set(spec["volumes"])
    assert services["web"]["command"][:3] == ["gunicorn", "--config", "python:webapp.gunicorn_conf"]


def published(service: dict[str, Any]) -> list[str]:
    return [str(p) for p in service.get("ports") or []]


def test_only_the_proxy_publishes_ports_and_the_web_believes_exactly_it():
    """gunicorn is reachable only through the proxy (no client can send it an X-Forwarded-For of its own);
    the proxy overwrites X-Forwarded-For, and the web replicas believe one proxy (TRUSTED_PROXIES=1)."""
    services = compose()["services"]
    web, proxy = services["web"], services["proxy"]
    assert published(web) == [] and web["expose"] == ["8000"]
    assert {name for name, service in services.items() if published(service)} == {"proxy"}
    assert published(proxy) == ["${HTTP_PORT:-80}:80", "${HTTPS_PORT:-443}:443"]
    assert web["environment"]["TRUSTED_PROXIES"] == "1"
    for name in ("migrate", "worker", "beat"):  # nothing else serves HTTP: nothing else believes headers
        assert "TRUSTED_PROXIES" not in services[name]["environment"]
    assert proxy["image"].startswith("nginx:") and proxy["depends_on"]["web"] == {
        "condition": "service_healthy"
    }
    mounts = {(v := interpolate(m, {})).split(":")[1]: v.split(":")[0] for m in proxy["volumes"]}
    assert mounts == {
        "/etc/nginx/conf.d/default.conf": "./deploy/nginx.conf",
        "/etc/nginx/certs": "./deploy/certs",
    }
    conf = (PROJECT_DIR / "deploy" / "nginx.conf").read_text()
    directives = [line.split("#")[0].strip() for line in conf.splitlines()]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives  # overwritten, never appended
    assert not any("proxy_add_x_forwarded_for" in d for d in directives)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in directives
    assert "server web:8000;" in directives and "proxy_pass http://disclosure_web;" in directives
    assert "location = /metrics {" in directives
    assert "deploy/certs/" in (PROJECT_DIR / ".gitignore").read_text().split()


def test_the_image_runs_as_a_user_with_the_cjk_font():
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "fonts-wqy-microhei" in dockerfile and "pip install --no-cache-dir -e ." in dockerfile
    assert re.search(r"^USER disclosure$", dockerfile, re.M)
    ignored = (PROJECT_DIR / ".dockerignore").read_text().split()
    assert {".venv", "instance", "tests"} <= set(ignored)


# -- the same commands as processes -----------------------------------------------------------------

needs_services = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="the production topology needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis)",
)

NAME, PHONE, EMAIL = "司马拓扑", "13811112222", "sima.topology@example.cn"
PERSONAL = (NAME, VALID_RESIDENT_ID, PHONE, EMAIL)
METRICS_TOKEN = "topology-scrape-token"


@dataclass
class Topology:
    env: dict[str, str]
    logs: Path
    sink: SmtpSink
    web_ports: list[int] = field(default_factory=list)
    procs: dict[str, subprocess.Popen[Any]] = field(default_factory=dict)

    def command(self, service: str) -> list[str]:
        return [interpolate(part, self.env) for part in compose()["services"][service]["command"]]

    def service_env(self, service: str, **extra: str) -> dict[str, str]:
        """The service's environment from the file, then this test's local addresses over it."""
        declared = compose()["services"][service]["environment"]
        env = {**self.env, **{k: interpolate(str(v), self.env) for k, v in declared.items()}}
        env.update(self.local)
        env.update(extra)
        return env

    @property
    def local(self) -> dict[str, str]:
        keys = (
            "DATABASE_URL",
            "REDIS_URL",
            "DATA_DIR",
            "SMTP_HOST",
            "SMTP_PORT",
            "SMTP_SECURITY",
            "SMTP_FROM",
        )
        return {k: self.env[k] for k in keys}

    def run(self, service: str, argv: list[str] | None = None) -> str:
        """A one-shot command in the service's environment: its own (the migration), or `argv`."""
        argv = argv or self.command(service)
        done = subprocess.run(
            argv, cwd=PROJECT_DIR, env=self.service_env(service), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        (self.logs / f"{service}-{uuid.uuid4().hex[:6]}.log").write_text(done.stdout + done.stderr)
        return done.stdout

    def start(self, name: str, service: str, **extra: str) -> None:
        out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            self.command(service),
            cwd=PROJECT_DIR,
            env=self.service_env(service, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()

    def kill9(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.procs.clear()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def http(
        self, web: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.web_ports[web]}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        text = raw.decode()
        try:
            return status, json.loads(text)
        except json.JSONDecodeError:
            return status, text


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[Topology]:
    assert TEST_DATABASE_URL and TEST_REDIS_URL
    queue = f"gd-topology-{uuid.uuid4().hex[:10]}"
    with private_database(TEST_DATABASE_URL, "topology") as url, smtp_sink() as sink:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST", "REDIS_URL"))}
        base.update(
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            POSTGRES_PASSWORD="unused-here",
            SECRET_KEY="topology-secret",
            METRICS_TOKEN=METRICS_TOKEN,
            DATABASE_URL=url,
            REDIS_URL=TEST_REDIS_URL,
            DATA_DIR=str(tmp_path / "data"),
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(sink.port),
            SMTP_SECURITY="none",
            SMTP_FROM="notices@topology.test",
            CELERY_QUEUE=queue,
            WEB_HOST="127.0.0.1",
            WEB_CONCURRENCY="2",
            WORKER_CONCURRENCY="1",
            SWEEP_INTERVAL_SECONDS="2",
            NOTICE_RELAY_INTERVAL_SECONDS="1",
            MAIL_POLL_INTERVAL_SECONDS="60",
            NOTICE_LEASE_SECONDS="5",
            RATELIMIT_ENABLED="false",
            PYTHONUNBUFFERED="1",
        )
        logs = tmp_path / "logs"
        logs.mkdir()
        topo = Topology(base, logs, sink)
        try:
            yield topo
        finally:
            topo.stop_all()
            import redis

            client = redis.Redis.from_url(TEST_REDIS_URL)
            client.delete(queue, f"_kombu.binding.{queue}", f"{queue}:metrics:tasks")
            client.close()


def add_officer(url: str, data_dir: Path) -> None:
    app = create_app(app_config(url, data_dir))
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        session = db.session()
        agency = accounts.create_agency(session, "TOPO", "拓扑测试局", now=now)
        accounts.create_user(session, "officer@topo.test", role="officer", agencies=[agency], now=now)
        session.commit()
        db.session.remove()
        db.engine.dispose()


def parsed_lines(topo: Topology, name: str) -> list[dict[str, Any]]:
    """The JSON lines of a process's log (a worker started as root also prints celery's warning)."""
    return [json.loads(line) for line in topo.log(name).splitlines() if line.startswith("{")]


def until(topo: Topology, predicate: Any, timeout: float, what: str, *logs: str) -> None:
    """wait_for, showing the tail of the named processes' logs (as they are then) when it times out."""
    try:
        wait_for(predicate, timeout, what)
    except AssertionError as exc:
        tails = "".join(f"\n--- {name}:\n{topo.log(name)[-2500:]}" for name in logs)
        raise AssertionError(f"{exc}{tails}") from None


def ready(topo: Topology, web: int) -> bool:
    try:
        return topo.http(web, "GET", "/readyz")[0] == 200
    except OSError:
        return False


def metrics(topo: Topology, web: int) -> dict[str, float]:
    status, text = topo.http(web, "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


def task_count(found: dict[str, float], task: str) -> float:
    return found.get(f'celery_tasks_total{{outcome="success",task="{task}"}}', 0.0)


@pytest.mark.e2e
@needs_services
def test_the_compose_commands_run_the_product_across_processes(topology: Topology):
    topo = topology
    topo.run("migrate")
    topo.web_ports = [free_port(), free_port()]
    for i, port in enumerate(topo.web_ports):
        topo.start(f"web{i + 1}", "web", PORT=str(port))
    topo.start("worker1", "worker")
    topo.start("worker2", "worker")
    topo.start("beat", "beat")
    # while they start: an agency and its officer, whose bearer token the CLI makes
    add_officer(topo.env["DATABASE_URL"], Path(topo.env["DATA_DIR"]))
    made = topo.run("migrate", ["flask", "--app", "webapp", "create-token", "officer@topo.test"])
    token = made.strip().splitlines()[-1]
    officer = {"Authorization": f"Bearer {token}"}
    for i in (0, 1):
        until(topo, lambda i=i: ready(topo, i), 60, f"web #{i + 1} ready", f"web{i + 1}")

    # a citizen applies through web #1
    status, created = topo.http(
        0,
        "POST",
        "/api/v1/requests",
        {
            "agency": "TOPO",
            "applicant": {
                "type": "natural_person",
                "name": NAME,
                "id_number": VALID_RESIDENT_ID,
                "phone": PHONE,
                "email": EMAIL,
            },
            "description": "申请公开本局2025年度部门预算",
            "delivery": "email",
        },
    )
    assert status == 201, created
    number = created["tracking_number"]
    # and reads it back on web #2 with the access code
    status, read = topo.http(
        1, "GET", f"/api/v1/requests/{number}", headers={"X-Access-Code": created["access_code"]}
    )
    assert status == 200 and read["status"] == "received", read

    def notices() -> list[str]:
        return [str(m.message["Subject"]) for m in topo.sink.messages() if m.recipients == [EMAIL]]

    until(topo, lambda: len(notices()) >= 1, 60, "the receipt", "worker1", "worker2", "beat")

    # the officer, on web #2, asks for a correction: the notice goes out through the workers
    status, acted = topo.http(
        1,
        "POST",
        f"/api/v1/requests/{number}/actions",
        {"action": "request_correction", "items": "请写明文件名称", "period_days": 5},
        officer,
    )
    assert status == 200 and acted["status"] == "awaiting_correction", acted
    until(topo, lambda: len(notices()) >= 2, 60, "the correction notice", "worker1", "worker2")

    # the beat's sweep runs (on a worker), counted in Redis and reported by both web servers
    sweep = "workers.deadlines.sweep"
    until(topo, lambda: task_count(metrics(topo, 0), sweep) >= 1, 60, "a sweep", "beat", "worker1")
    for web in (0, 1):
        assert ready(topo, web)
        found = metrics(topo, web)
        assert found["disclosure_requests_open"] == 1
        assert found["disclosure_requests_overdue"] == 0
        assert found["disclosure_outbox_failed"] == 0
        assert task_count(found, "workers.notices.relay") >= 2
        assert f'celery_queue_length{{queue="{topo.env["CELERY_QUEUE"]}"}}' in found
    # each server adds up its own worker processes: web #1 took the application, web #2 the action
    first, second = metrics(topo, 0), metrics(topo, 1)
    posted = [k for k in first if k.startswith("http_requests_total{") and 'status="201"' in k]
    assert sum(first[k] for k in posted) == 1
    assert not any(k.startswith("http_requests_total{") and 'status="201"' in k for k in second)
    assert any('method="POST"' in k and 'status="200"' in k for k in second if k.startswith("http_requests"))

    # the health checks of the compose file, run as the containers run them
    checks = {
        service: subprocess.Popen(
            compose()["services"][service]["healthcheck"]["test"][1:],
            cwd=PROJECT_DIR,
            env=topo.service_env(service),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for service in ("worker", "beat")
    }
    for service, check in checks.items():
        output, _ = check.communicate(timeout=60)
        assert check.returncode == 0, f"{service}: {output[-2000:]}"

    # one worker dies; the other still delivers
    topo.kill9("worker1")
    status, acted = topo.http(
        1, "POST", f"/api/v1/requests/{number}/actions", {"action": "receive_correction"}, officer
    )
    assert status == 200, acted
    status, acted = topo.http(
        1, "POST", f"/api/v1/requests/{number}/actions", {"action": "reply", "outcome": "disclosed"}, officer
    )
    assert status == 200 and acted["status"] == "replied", acted
    until(topo, lambda: len(notices()) >= 3, 60, "the reply by the other worker", "worker2")
    until(topo, lambda: metrics(topo, 1)["disclosure_requests_open"] == 0, 10, "the count to drop")

    # the logs: JSON lines from the web servers, and nowhere any personal data
    topo.stop_all()
    for name in ("web1", "web2"):
        lines = [line for line in topo.log(name).splitlines() if line.strip()]
        parsed = [json.loads(line) for line in lines]
        assert any(p["logger"] == "webapp.access" and p.get("request_id") for p in parsed)
        assert all({"timestamp", "level", "logger", "message"} <= set(p) for p in parsed)
    for name in ("worker2", "beat"):
        parsed = parsed_lines(topo, name)
        assert parsed and all({"timestamp", "level", "logger", "message"} <= set(p) for p in parsed)
    done = [p for p in parsed_lines(topo, "worker2") if p["logger"] == "workers.notices"]
    assert done and all(p["task"] == "workers.notices.relay" and p["task_id"] for p in done)
    for path in topo.logs.iterdir():
        text = path.read_text(errors="replace")
        for value in PERSONAL:
            assert value not in text, f"{value} in {path.name}"
