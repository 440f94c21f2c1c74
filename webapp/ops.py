"""Operations endpoints: liveness, readiness, Prometheus metrics; and the per-request log line.

- `GET /healthz` — liveness: the process answers; touches nothing else.
- `GET /readyz` — readiness: `SELECT 1` on the database and, when REDIS_URL is set, a Redis PING, each
  with a short timeout (READY_TIMEOUT_SECONDS, default 2). 200 `{"status": "ok", "checks": {...}}`, or
  503 `{"status": "unavailable", "checks": {"database": "down: OperationalError", ...}}`.
- `GET /metrics` — Prometheus text. Readable with `Authorization: Bearer <METRICS_TOKEN>` when
  METRICS_TOKEN is set (production refuses to start without it); without METRICS_TOKEN only from the
  loopback address of the connection itself, never one taken from X-Forwarded-For. Anyone else gets 404.

Where the figures live:
- HTTP requests and latencies are counted in each web process. Under gunicorn (webapp/gunicorn_conf.py)
  prometheus_client's multiprocess mode adds up all worker processes of one gunicorn server (files in
  PROMETHEUS_MULTIPROC_DIR, a fresh folder per server), so each web replica is one scrape target.
  Labels: the Flask endpoint name (never the path, which holds tracking numbers), method, status.
- Open requests, overdue requests, outbox pending/failed are counted in the database at scrape time;
  the Celery queue length is read from Redis at scrape time. Every replica reports the same values.
- Task successes and failures happen in the celery worker processes: each worker adds to a Redis hash
  (`<CELERY_QUEUE>:metrics:tasks`, see workers/celery_app.py), which every web replica reports. Without
  Redis (the embedded default) task counters are not kept.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from webapp import logs
from webapp.domain.calendar import china_today
from webapp.domain.states import Status
from webapp.extensions import db
from webapp.models import OutboxMessage, Request

log = logging.getLogger(__name__)
access_log = logging.getLogger("webapp.access")

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by Flask endpoint, method and status",
    ["endpoint", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by Flask endpoint and method",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)

TASKS_KEY = "{queue}:metrics:tasks"  # a Redis hash: "<task name>|success" / "<task name>|failure" → count
# kombu's Redis transport keeps a queue as a list under its name, plus one list per priority step
PRIORITY_SEPARATOR = "\x06\x16"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_checks = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def init_ops(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    app.add_url_rule("/metrics", "metrics", metrics)


# -- per request: id, latency, metrics, one log line ------------------------------------------------


def _start() -> None:
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    # A client's own id is kept only when it is short, plain and carries nothing redaction would hide
    # (an ID number, a phone number, an e-mail address); otherwise the request gets a new one.
    usable = _REQUEST_ID.fullmatch(incoming) and logs.redact(incoming) == incoming
    g.request_id = incoming if usable else new_request_id()
    logs.request_id.set(g.request_id)


def new_request_id() -> str:
    """A random id that the logs' redaction leaves as it is (a hex id may hold a run of 11 digits that
    looks like a phone number)."""
    while True:
        rid = uuid.uuid4().hex
        if logs.redact(rid) == rid:
            return rid


def _forget(_exc: BaseException | None) -> None:
    logs.request_id.set(None)


def _finish(response: Response) -> Response:
    started = g.get("started")
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint, request.method).observe(elapsed)
    response.headers["X-Request-ID"] = g.request_id
    # the endpoint name, never the path or the query string (tracking numbers, search words)
    access_log.info(
        "%s %s %s",
        request.method,
        endpoint,
        response.status_code,
        extra={
            "endpoint": endpoint,
            "method": request.method,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
        },
    )
    return response


# -- health ----------------------------------------------------------------------------------------


def healthz() -> Any:
    return {"status": "ok"}


def _database(engine: Engine) -> None:
    # below SQLAlchemy's transaction: on SQLite its BEGIN IMMEDIATE would wait for any writer
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchone()
        cursor.close()
    finally:
        conn.close()


def _redis(url: str, timeout: float) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def readyz() -> Any:
    timeout = float(current_app.config.get("READY_TIMEOUT_SECONDS") or 2.0)
    probes: dict[str, Callable[[], None]] = {"database": functools.partial(_database, db.engine)}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        probes["redis"] = functools.partial(_redis, redis_url, timeout)
    running = {name: _checks.submit(probe) for name, probe in probes.items()}
    checks: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    for name, future in running.items():
        try:
            future.result(timeout=max(deadline - time.monotonic(), 0.01))
            checks[name] = "ok"
        except concurrent.futures.TimeoutError:
            checks[name] = "down: timeout"
        except Exception as exc:
            checks[name] = f"down: {type(exc).__name__}"
    down = [name for name, state in checks.items() if state != "ok"]
    if down:
        log.warning("not ready: %s", ", ".join(f"{n} {checks[n]}" for n in down))
        return jsonify(status="unavailable", down=down, checks=checks), 503
    return jsonify(status="ok", checks=checks)


# -- metrics ---------------------------------------------------------------------------------------


LOOPBACK = ("127.0.0.1", "::1")


def socket_address() -> str | None:
    """The address of the connection itself, never one a header named: with TRUSTED_PROXIES, ProxyFix
    keeps the original beside the one it took from X-Forwarded-For."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR")


def metrics_allowed() -> bool:
    """The token holder; without METRICS_TOKEN (never in production: webapp.config.ensure_metrics_token)
    a process on this host talking to the server itself — the socket's address is the loopback and no
    X-Forwarded-For names anyone else (a proxy on this host forwarding an outsider, or a forged header)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return socket_address() in LOOPBACK and "X-Forwarded-For" not in request.headers


def metrics() -> Any:
    if not metrics_allowed():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(StateCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def queue_keys(queue: str) -> list[str]:
    return [queue] + [f"{queue}{PRIORITY_SEPARATOR}{step}" for step in (3, 6, 9)]


class StateCollector(Collector):
    """Figures read at scrape time: the database's open/overdue requests and outbox, Redis's queue and
    the workers' task counters."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        yield from self._database()
        if self.app.config.get("REDIS_URL"):
            yield from self._redis()

    def _database(self) -> Iterator[Metric]:
        today = china_today(dt.datetime.now(dt.UTC))
        unfinished = Request.status != Status.REPLIED
        unsent = OutboxMessage.sent_at.is_(None)
        queries = {
            "open": select(func.count()).select_from(Request).where(unfinished),
            "overdue": select(func.count()).select_from(Request).where(unfinished, Request.due_on < today),
            "pending": select(func.count())
            .select_from(OutboxMessage)
            .where(unsent, OutboxMessage.failed_at.is_(None)),
            "failed": select(func.count())
            .select_from(OutboxMessage)
            .where(unsent, OutboxMessage.failed_at.is_not(None)),
        }
        session = db.session()  # the scrape's own request session, ended with the request
        try:
            counts = {name: session.execute(query).scalar_one() for name, query in queries.items()}
        except Exception as exc:
            session.rollback()
            log.warning("metrics: database not readable: %s", type(exc).__name__)
            return
        open_, overdue, pending, failed = (counts[k] for k in ("open", "overdue", "pending", "failed"))
        yield GaugeMetricFamily("disclosure_requests_open", "Requests not yet finished", value=open_)
        yield GaugeMetricFamily(
            "disclosure_requests_overdue", "Unfinished requests past their due date", value=overdue
        )
        yield GaugeMetricFamily(
            "disclosure_outbox_pending", "Notices waiting to be sent by the relay", value=pending
        )
        yield GaugeMetricFamily(
            "disclosure_outbox_failed", "Notices given up on after the last attempt", value=failed
        )

    def _redis(self) -> Iterator[Metric]:
        import redis

        queue = self.app.config["CELERY_QUEUE"]
        client = redis.Redis.from_url(
            self.app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2
        )
        try:
            with client.pipeline() as pipe:
                for key in queue_keys(queue):
                    pipe.llen(key)
                pipe.hgetall(TASKS_KEY.format(queue=queue))
                *lengths, counts = pipe.execute()
        except Exception as exc:
            log.warning("metrics: Redis not readable: %s", type(exc).__name__)
            return
        finally:
            client.close()
        length = GaugeMetricFamily("celery_queue_length", "Tasks waiting in the broker", labels=["queue"])
        length.add_metric([queue], sum(lengths))
        yield length
        tasks = CounterMetricFamily(
            "celery_tasks", "Tasks run by the workers, by task and outcome", labels=["task", "outcome"]
        )
        for field, value in sorted(counts.items()):
            name, _, outcome = field.decode().rpartition("|")
            tasks.add_metric([name, outcome], float(value))
        yield tasks


def count_task(config: dict[str, Any], name: str, outcome: str) -> None:
    """Called in the worker processes (celery signals): one more success or failure of a task."""
    url = config.get("REDIS_URL")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.hincrby(TASKS_KEY.format(queue=config["CELERY_QUEUE"]), f"{name}|{outcome}", 1)
    except Exception as exc:
        log.warning("could not count task %s %s: %s", name, outcome, type(exc).__name__)
    finally:
        client.close()
