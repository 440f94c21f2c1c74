"""The users of issue 9's load test, for locust; run.py starts it and does the faults and the checks.

    locust -f bench/loadtest/locustfile.py --headless -u 12 -r 12 --run-time 150s --stop-timeout 90 \\
        --host http://127.0.0.1:<port>

(`pip install -e ".[load]"` first.) run.py passes, in the environment:

- GD_LOAD_CITIZENS: how many citizens (CitizenUser.fixed_count);
- GD_LOAD_OFFICERS: a JSON list of [agency code, bearer token], one OfficerUser each;
- GD_LOAD_AGENCIES: the agency codes citizens apply to, comma-separated;
- GD_LOAD_RECORDS: a folder; each locust process appends JSON lines to records-<pid>.jsonl there (flushed
  per line): every acknowledged submission (key, body, answer), every one given up, every error with its
  time, the double clicks' answers, the officers' outcomes and anything unexpected, for run.py's checks.

A citizen submits (POST /api/v1/requests with an Idempotency-Key; on a connection error, a timeout, a 429 or
a 5xx it retries with the same key and body after a backoff, until it is acknowledged or, once the load is
stopping, 60 s have passed), now and then sends an acknowledged submission again (a double click) and reads
it back with its access code. An officer pages through a queue of one agency and acts on one of its requests
(accept, reply, comment; a 409 is a normal race). `--stop-timeout` lets each user finish the submission it
is retrying when the run time is over. Locust's failures are grouped by kind: timeout, refused, reset,
http_<status>, unexpected <status>.
"""

# ruff: noqa: S311  (random load, not secrets)
from __future__ import annotations

import itertools
import json
import math
import os
import random
import secrets
import time
import uuid
from pathlib import Path
from typing import IO, Any

import requests
from locust import HttpUser, between, events, task

AGENCIES = [code for code in os.environ.get("GD_LOAD_AGENCIES", "LOADA,LOADB").split(",") if code]
OFFICERS: list[list[str]] = json.loads(os.environ.get("GD_LOAD_OFFICERS", "[]"))
RECORDS = Path(os.environ.get("GD_LOAD_RECORDS", "."))
TIMEOUT = 10.0
NAMES = ["张三", "李四", "王五", "赵六", "陈晓明", "刘芳", "周杰", "吴敏"]
TOPICS = ["年度部门预算及其说明", "行政处罚决定书", "城市规划许可材料", "社保基金收支情况", "政府采购合同"]

give_up_at = math.inf  # while the load runs a citizen retries for ever; once it stops, for 60 s more
seeds = itertools.count()
officer_numbers = itertools.count()
_out: IO[str] | None = None


@events.test_start.add_listener
def _started(**_: Any) -> None:
    record("start")


@events.test_stopping.add_listener
def _stopping(**_: Any) -> None:
    global give_up_at
    give_up_at = time.monotonic() + 60
    record("stopping")


def record(kind: str, **fields: Any) -> None:
    """One JSON line for run.py, written through at once (a killed process loses nothing it recorded)."""
    global _out
    if _out is None:
        RECORDS.mkdir(parents=True, exist_ok=True)
        _out = (RECORDS / f"records-{os.getpid()}.jsonl").open("a", encoding="utf-8")
    _out.write(json.dumps({"kind": kind, "at": time.time(), **fields}, ensure_ascii=False) + "\n")
    _out.flush()


class Unreachable(Exception):
    """No HTTP answer: refused, reset, closed or timed out (kind in args[0])."""


def unreachable_kind(error: BaseException) -> str:
    if isinstance(error, requests.Timeout):
        return "timeout"
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return "refused"
        seen = seen.__cause__ or seen.__context__
    return "reset"


def call(
    user: HttpUser,
    method: str,
    path: str,
    name: str,
    ok: tuple[int, ...],
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request, in locust's statistics under `name`: a success if its status is in `ok`, else a failure
    named by its kind. Raises Unreachable when no answer came."""
    with user.client.request(
        method,
        path,
        name=name,
        json=body,
        headers={"Accept": "application/json", **(headers or {})},
        timeout=TIMEOUT,
        catch_response=True,
    ) as response:
        if response.status_code == 0:
            kind = unreachable_kind(response.error or Exception())
            response.failure(kind)
        else:
            status = response.status_code
            try:
                answer = response.json() if response.content else None
            except ValueError:
                answer = response.text
            if status in ok:
                response.success()
            else:
                response.failure(
                    f"http_{status}" if status >= 500 or status == 429 else f"unexpected {status}"
                )
            return status, answer
    raise Unreachable(kind)


def citizen_body(rng: random.Random) -> dict[str, Any]:
    return {
        "agency": rng.choice(AGENCIES),
        "applicant": {
            "type": "natural_person",
            "name": rng.choice(NAMES),
            "id_number": "11010519491231002X",
            "phone": f"139{rng.randrange(10**8):08d}",
            "email": f"citizen{rng.randrange(10**6)}@example.cn",
        },
        "description": f"申请公开{rng.randint(2015, 2024)}年{rng.choice(TOPICS)}（{uuid.uuid4().hex[:8]}）",
        "delivery": "email",
    }


def backoff(attempt: int, rng: random.Random) -> float:
    return float(min(2.0, 0.2 * 2 ** min(attempt, 4)) * (0.5 + rng.random()))


class CitizenUser(HttpUser):
    fixed_count = int(os.environ.get("GD_LOAD_CITIZENS", "8"))
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.rng = random.Random(next(seeds))

    def submit(self) -> dict[str, Any] | None:
        """One submission, retried with the same Idempotency-Key until it is acknowledged."""
        # the key is the client's secret: random, 32+ characters (webapp/domain/idempotency.py)
        key, body = secrets.token_urlsafe(32), citizen_body(self.rng)
        attempt = 0
        while True:
            attempt += 1
            try:
                status, answer = call(
                    self, "POST", "/api/v1/requests", "submit", (200, 201), body, {"Idempotency-Key": key}
                )
                if status in (200, 201):
                    ack = {"key": key, "body": body, "status": status, "answer": answer, "attempts": attempt}
                    record("ack", **ack)
                    return ack
                if status < 500 and status != 429:
                    record("unexpected", what=f"submit {status}: {answer}", attempts=attempt)
                    return None
                kind = f"http_{status}"
            except Unreachable as exc:
                kind = exc.args[0]
            record("failure", role="citizen", error=kind)
            if time.monotonic() > give_up_at:
                record("abandoned", key=key, body=body, attempts=attempt)
                return None
            time.sleep(backoff(attempt, self.rng))

    @task
    def apply(self) -> None:
        ack = self.submit()
        if ack is None:
            return
        if self.rng.random() < 0.25:  # a double click: the same key and body again
            try:
                status, answer = call(
                    self,
                    "POST",
                    "/api/v1/requests",
                    "submit again",
                    (200, 201),
                    ack["body"],
                    {"Idempotency-Key": ack["key"]},
                )
                if status < 500:
                    record("replay", key=ack["key"], same=(status, answer) == (ack["status"], ack["answer"]))
                    if (status, answer) != (ack["status"], ack["answer"]):
                        record("mismatch", what=f"in load {ack['key']}: {status} {answer}")
            except Unreachable:
                pass
        if self.rng.random() < 0.3:
            number = ack["answer"]["tracking_number"]
            try:
                status, _ = call(
                    self,
                    "GET",
                    f"/api/v1/requests/{number}",
                    "view",
                    (200,),
                    headers={"X-Access-Code": ack["answer"]["access_code"]},
                )
                if status >= 500:
                    record("failure", role="citizen", error=f"http_{status}")
                elif status != 200:
                    record("unexpected", what=f"view {number}: {status}")
            except Unreachable:
                pass


class OfficerUser(HttpUser):
    fixed_count = len(OFFICERS)
    wait_time = between(0.1, 0.3)

    def on_start(self) -> None:
        number = next(officer_numbers)
        self.rng = random.Random(1000 + number)
        self.agency, token = OFFICERS[number % len(OFFICERS)]
        self.auth = {"Authorization": f"Bearer {token}"}

    @task
    def work(self) -> None:
        status_filter = self.rng.choice(["received", "received", "in_progress"])
        try:
            status, page = call(
                self,
                "GET",
                f"/api/v1/queue?agency={self.agency}&status={status_filter}&limit=50",
                "queue",
                (200,),
                headers=self.auth,
            )
            if status >= 500:
                record("failure", role="officer", error=f"http_{status}")
                return
            if status != 200:
                record("unexpected", what=f"queue {status}: {page}")
                return
            items = page["items"]
            if not items:
                return
            item = self.rng.choice(items)
            if item["status"] == "received":
                action: dict[str, Any] = self.rng.choice(
                    [
                        {"action": "accept"},
                        {"action": "accept"},
                        {"action": "comment", "note": "已登记，待分办"},
                    ]
                )
            else:
                action = self.rng.choice(
                    [
                        {"action": "reply", "outcome": "disclosed", "note": "予以公开"},
                        {"action": "comment", "note": "办理中"},
                    ]
                )
            action["version"] = item["version"]
            status, answer = call(
                self,
                "POST",
                f"/api/v1/requests/{item['tracking_number']}/actions",
                f"action {action['action']}",
                (200, 409),
                action,
                self.auth,
            )
            record("outcome", what=f"{action['action']} {status}")
            if status >= 500:
                record("failure", role="officer", error=f"http_{status}")
            elif status not in (200, 409):
                record("unexpected", what=f"action {action} {status}: {answer}")
        except Unreachable as exc:
            record("failure", role="officer", error=exc.args[0])
