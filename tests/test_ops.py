"""Operations: liveness and readiness, the Prometheus metrics and who may read them, the structured log
lines, and no personal data in the logs when a citizen applies through the API or the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_REDIS_URL, app_config
from tests.factories import VALID_RESIDENT_ID, People, applicant, make_agency
from tests.web.conftest import login, post
from tests.workers.services import free_port
from webapp import create_app
from webapp.domain.calendar import china_today
from webapp.domain.requests import submit
from webapp.logs import JsonFormatter, RedactFilter, redact
from workers.notices import RelaySettings, relay, transport_from_config

NAME, PHONE, EMAIL = "欧阳测试", "13912345678", "ouyang.private@example.cn"
PERSONAL = (NAME, VALID_RESIDENT_ID, PHONE, EMAIL)


def sample(text: str) -> dict[str, float]:
    """The metric samples of a Prometheus text page: 'name{labels}' → value."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


# -- health ----------------------------------------------------------------------------------------


def test_liveness_and_readiness_when_everything_is_up(client: FlaskClient):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    expected = {"database": "ok", **({"redis": "ok"} if TEST_REDIS_URL else {})}
    assert ready.json == {"status": "ok", "checks": expected}


@pytest.fixture
def broken_app(tmp_path: Path) -> Iterator[Flask]:
    """The app on a database that cannot be opened and a Redis nobody listens on."""
    config = app_config(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}", tmp_path / "data")
    config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(config)
    yield app
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()


def test_readiness_names_what_is_down_while_liveness_still_answers(broken_app: Flask):
    client = broken_app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"
    assert sorted(ready.json["down"]) == ["database", "redis"]
    assert ready.json["checks"]["database"].startswith("down: ")
    assert ready.json["checks"]["redis"].startswith("down: ")


# -- metrics ---------------------------------------------------------------------------------------


def test_metrics_are_for_the_loopback_or_the_token_holder(app: Flask, client: FlaskClient):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 404
    assert client.get("/metrics").status_code == 200  # 127.0.0.1
    app.config["METRICS_TOKEN"] = "scrape-secret"
    try:
        assert client.get("/metrics").status_code == 404
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/metrics", headers=wrong).status_code == 404
        right = {"Authorization": "Bearer scrape-secret"}
        outside = client.get("/metrics", headers=right, environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert outside.status_code == 200
        assert outside.content_type.startswith("text/plain")
    finally:
        app.config["METRICS_TOKEN"] = None


def test_metrics_count_requests_by_endpoint_and_the_open_and_overdue_requests(
    client: FlaskClient, session: Any
):
    now = dt.datetime.now(dt.UTC)
    agency = make_agency(session, now, code="OPSAG")
    long_ago = china_today(now) - dt.timedelta(days=90)
    submit(session, agency=agency, applicant=applicant(), description="旧申请", delivery="post", now=now)
    late, _ = submit(
        session, agency=agency, applicant=applicant(), description="逾期", delivery="post", now=now
    )
    late.due_on = long_ago
    session.commit()

    before = sample(client.get("/metrics").get_data(as_text=True))
    created = client.post(
        "/api/v1/requests",
        json={
            "agency": "OPSAG",
            "applicant": {
                "type": "natural_person",
                "name": NAME,
                "id_number": VALID_RESIDENT_ID,
                "phone": PHONE,
                "address": "示范市解放路8号",
            },
            "description": "申请公开某文件",
            "delivery": "post",
        },
    )
    assert created.status_code == 201, created.json
    number, code = created.json["tracking_number"], created.json["access_code"]
    assert client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": code}).status_code == 200
    assert client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": "WRONG"}).status_code == 404
    page = client.get("/metrics").get_data(as_text=True)
    after = sample(page)

    assert number not in page  # endpoint names, never paths
    endpoint = client.application.url_map.bind("localhost").match(f"/api/v1/requests/{number}")[0]
    ok = f'http_requests_total{{endpoint="{endpoint}",method="GET",status="200"}}'
    missing = ok.replace('status="200"', 'status="404"')
    assert after[ok] - before.get(ok, 0) == 1 and after[missing] - before.get(missing, 0) == 1
    posts = [k for k in after if k.startswith("http_requests_total{") and 'status="201"' in k]
    assert sum(after[k] - before.get(k, 0) for k in posts) == 1
    assert any(k.startswith("http_request_duration_seconds_count{") for k in after)
    assert after["disclosure_requests_open"] - before["disclosure_requests_open"] == 1
    assert after["disclosure_requests_overdue"] >= 1
    assert {"disclosure_outbox_pending", "disclosure_outbox_failed"} <= set(after)
    if TEST_REDIS_URL:
        assert any(k.startswith("celery_queue_length{") for k in after)


# -- log lines -------------------------------------------------------------------------------------


def record(message: str, *args: Any, **extra: Any) -> logging.LogRecord:
    rec = logging.LogRecord("webapp.test", logging.WARNING, __file__, 1, message, args, None)
    rec.__dict__.update(extra)
    return rec


def test_the_redaction_filter_removes_id_numbers_phones_and_emails_but_not_tracking_numbers():
    rec = record(
        "applicant %s, tel %s / 010-87654321, mail %s, old id 110105491231002, request CITYHR-2024-000123 "
        "due 2024-06-14",
        VALID_RESIDENT_ID,
        "+86 139 1234 5678",
        EMAIL,
    )
    RedactFilter().filter(rec)
    message = rec.getMessage()
    assert message == (
        "applicant [id-number], tel [phone] / [phone], mail [email], old id [id-number], "
        "request CITYHR-2024-000123 due 2024-06-14"
    )
    assert redact(f"x{PHONE}y") == "x[phone]y"


def test_a_json_line_carries_the_request_fields(app: Flask, client: FlaskClient):
    rec = record("GET %s %s", "api.get", 200, endpoint="api.get", method="GET", status=200, duration_ms=3.5)
    rec.request_id = "abc123"
    line = json.loads(JsonFormatter().format(rec))
    assert line["message"] == "GET api.get 200" and line["level"] == "WARNING"
    assert (line["logger"], line["request_id"], line["endpoint"], line["status"]) == (
        "webapp.test",
        "abc123",
        "api.get",
        200,
    )
    assert line["duration_ms"] == 3.5 and line["timestamp"].endswith("+00:00")
    # the id given by a proxy is kept and sent back; a malformed one is replaced
    assert client.get("/healthz", headers={"X-Request-ID": "edge-42"}).headers["X-Request-ID"] == "edge-42"
    assert re.fullmatch(
        r"[0-9a-f]{32}", client.get("/healthz", headers={"X-Request-ID": "a b"}).headers["X-Request-ID"]
    )


def test_applying_and_handling_leave_no_personal_data_in_the_logs(
    client: FlaskClient, people: People, session: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    details = {"type": "natural_person", "name": NAME, "id_number": VALID_RESIDENT_ID, "phone": PHONE}
    api = client.post(
        "/api/v1/requests?ref=x",
        json={
            "agency": "CITYHR",
            "applicant": {**details, "email": EMAIL},
            "description": "申请公开",
            "delivery": "email",
        },
    )
    assert api.status_code == 201, api.json
    # a refused one too: the errors are logged without the values
    bad = client.post(
        "/api/v1/requests",
        json={
            "agency": "CITYHR",
            "applicant": {**details, "id_number": VALID_RESIDENT_ID[:-1]},
            "description": "",
        },
    )
    assert bad.status_code == 422
    page = post(
        client,
        "/apply",
        {
            "agency": "CITYHR",
            "applicant_type": "natural_person",
            "name": NAME,
            "id_kind": "resident_id",
            "id_number": VALID_RESIDENT_ID,
            "phone": PHONE,
            "email": EMAIL,
            "address": "",
            "description": "申请公开2025年度部门预算",
            "document_number": "",
            "purpose": "",
            "delivery": "email",
            "attachments": [(io.BytesIO(b"not an image"), "身份证.png")],
        },
        content_type="multipart/form-data",
    )
    assert page.status_code in (302, 422)
    login(client, people.officer)
    assert client.get(f"/staff/queue?q={NAME}").status_code in (200, 302)
    # the worker's side: the relay mails the receipts (to the mail drop here)
    transport = transport_from_config({"DATA_DIR": str(tmp_path)})
    try:
        sent = relay(session, transport, RelaySettings.from_config(client.application.config))
    finally:
        transport.close()
    assert sent.sent >= 1
    assert any(r.name == "workers.notices" for r in caplog.records)
    access = [r for r in caplog.records if r.name == "webapp.access"]
    assert len(access) >= 5  # one line per request
    formatter, redactor = JsonFormatter(), RedactFilter()
    for rec in caplog.records:
        redactor.filter(rec)
        line = json.loads(formatter.format(rec))
        assert {"timestamp", "level", "logger", "message"} <= set(line)
    text = caplog.text + "\n".join(formatter.format(r) for r in caplog.records)
    for value in PERSONAL:
        assert value not in text
    assert "?" not in "".join(r.getMessage() for r in access)  # no query strings


def start_sh_environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """Run scripts/start.sh against stand-in programs (.venv/bin/python, flask, celery) that record the
    environment the web server and workers are started with, and return the web server's."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    start = Path(__file__).resolve().parents[1] / "scripts" / "start.sh"
    (root / "scripts" / "start.sh").write_text(start.read_text(encoding="utf-8"), encoding="utf-8")
    record = 'case "$*" in *" run "*) env > "$(dirname "$0")/run.env" ;; esac\nexit 0\n'
    programs = {"python": record, "flask": record, "celery": "exec sleep 30\n"}  # the server ends first
    for name, body in programs.items():
        (bin_dir / name).write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_URL", "HOST", "PORT")}
    subprocess.run(["bash", str(root / "scripts" / "start.sh")], env={**clean, **env}, check=True, timeout=60)
    lines = (bin_dir / "run.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_start_sh_points_the_links_at_the_port_it_serves(tmp_path: Path):
    """The links in e-mails and SMS go where start.sh's server answers, unless PUBLIC_URL says otherwise."""
    assert start_sh_environment(tmp_path / "a", PORT="5077")["PUBLIC_URL"] == "http://127.0.0.1:5077"
    assert start_sh_environment(tmp_path / "b")["PUBLIC_URL"] == "http://127.0.0.1:5000"
    served = start_sh_environment(tmp_path / "c", HOST="192.168.1.20", PORT="8080")
    assert served["PUBLIC_URL"] == "http://192.168.1.20:8080"
    every = start_sh_environment(tmp_path / "d", HOST="0.0.0.0", PORT="80")  # noqa: S104
    assert every["PUBLIC_URL"] == "http://127.0.0.1:80"
    chosen = start_sh_environment(tmp_path / "e", PORT="5077", PUBLIC_URL="https://ysqgk.example.gov.cn")
    assert chosen["PUBLIC_URL"] == "https://ysqgk.example.gov.cn"
