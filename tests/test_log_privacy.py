"""What the logs must not carry: a client's X-Request-ID holding an ID number, a phone number or an
e-mail address (the id is replaced, and every structured field of a JSON line is redacted as the message
is), and the query string of a staff search in the development server's request log (`flask run`)."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from webapp import logs
from webapp.logs import JsonFormatter

ID_NUMBER, PHONE, EMAIL = "11010519491231002X", "13912345678", "zhangsan@example.cn"


@pytest.mark.parametrize(
    "given", [ID_NUMBER, PHONE, EMAIL, f"req-{ID_NUMBER}", f"tel.{PHONE}", "+8613912345678"]
)
def test_a_request_id_carrying_personal_data_never_reaches_the_log(client: FlaskClient, given: str):
    written = io.StringIO()
    handler = logs.handler("json", written)  # the production handler: JSON lines, redaction filter
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        response = client.get("/healthz", headers={"X-Request-ID": given})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])  # a new one instead
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    assert any(line.get("request_id") == response.headers["X-Request-ID"] for line in lines), lines
    for part in (ID_NUMBER, PHONE, "zhangsan@", "3912345678"):
        assert part not in written.getvalue()


def test_a_plain_request_id_is_still_kept(client: FlaskClient):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "edge-42.a"}).headers["X-Request-ID"] == "edge-42.a"
    )


def test_every_structured_field_of_a_json_line_is_redacted():
    """Whatever sets the id (a worker, a future caller), the line is redacted field by field."""
    record = logging.LogRecord("webapp.test", logging.INFO, __file__, 1, "done", None, None)
    record.endpoint = f"x {EMAIL}"
    token = logs.request_id.set(ID_NUMBER)
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        logs.request_id.reset(token)
    assert line["request_id"] == "[id-number]"
    assert line["endpoint"] == "x [email]"


def test_the_development_server_logs_no_query_string(
    app: Flask, session: Any, caplog: pytest.LogCaptureFixture
):
    """The server `flask run` (scripts/start.sh) starts, answering a staff search by a name."""
    caplog.set_level(logging.INFO)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/staff/queue?q={quote('张三')}&id={ID_NUMBER}"
        with urllib.request.urlopen(url) as answer:
            assert answer.status == 200  # the login page it was sent to
    finally:
        server.shutdown()
        thread.join(10)
    colourless = (
        re.sub(r"\x1b\[[0-9;]*m", "", r.getMessage()) for r in caplog.records if r.name == "werkzeug"
    )
    lines = list(colourless)
    assert any('"GET /staff/queue HTTP/1.1" 302' in line for line in lines), lines
    # the login page it redirected to, whose ?next= carried the search, is logged without it too
    assert any('"GET /staff/login HTTP/1.1" 200' in line for line in lines), lines
    written = "\n".join(lines) + caplog.text
    for part in ("张三", "%E5%BC%A0", "q=", ID_NUMBER):
        assert part not in written
