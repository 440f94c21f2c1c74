"""Personal data stays where it is needed: ID numbers masked outside the request's own page (see also
tests/test_authz_matrix.py), and no applicant's data in the workers' task arguments, the outbox's
payloads or the logs."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import make_agency, make_user
from webapp.domain import accounts
from webapp.domain.calendar import china_today
from webapp.domain.identity import mask_id_number, resident_id_check_digit
from webapp.models import OutboxMessage
from workers import schedule
from workers.deadlines import run_sweeps

ID_NUMBER = "44030519850303" + "003" + resident_id_check_digit("44030519850303003")
APPLICANT = {
    "type": "natural_person",
    "name": "欧阳隐私",
    "id_kind": "resident_id",
    "id_number": ID_NUMBER,
    "phone": "13987654321",
    "email": "ouyang.private@example.cn",
    "address": "示范市隐私路88号",
}
PERSONAL = [v for k, v in APPLICANT.items() if k not in ("type", "id_kind")]


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("91350100M000100Y43", "913501********0Y43"),  # 统一社会信用代码: 18 characters too
        ("E12345678", "E1*****78"),  # a passport
        ("1234567", "*******"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_id_number(number: str | None, masked: str | None):
    assert mask_id_number(number) == masked


def test_no_task_takes_personal_data():
    """Tasks take only what identifies work (a day), never a person: the beat passes no arguments."""
    tasks = {}
    for name in schedule.TASK_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            try:
                task_name = getattr(value, "name", None)
            except RuntimeError:  # a proxy such as flask.current_app, outside an app context
                continue
            if isinstance(task_name, str) and task_name.startswith("workers.") and hasattr(value, "run"):
                tasks[task_name] = inspect.signature(value.run)
    assert set(tasks) >= {entry["task"] for entry in schedule.beat_schedule(_config()).values()}
    for name, signature in tasks.items():
        assert set(signature.parameters) <= {"today"}, (name, signature)
    for entry in schedule.beat_schedule(_config()).values():
        assert not entry.get("args") and not entry.get("kwargs"), entry


def _config() -> dict[str, Any]:
    return {
        "SWEEP_INTERVAL_SECONDS": 300,
        "NOTICE_RELAY_INTERVAL_SECONDS": 5,
        "MAIL_POLL_INTERVAL_SECONDS": 60,
    }


def test_the_outbox_and_the_logs_hold_no_applicants_data(
    app: Flask, client: FlaskClient, session: Any, caplog: pytest.LogCaptureFixture
):
    now = dt.datetime.now(dt.UTC)
    agency = make_agency(session, now, code="PRIV")
    officer = make_user(session, now, agency, "officer", "officer@priv.example")
    token = accounts.issue_token(session, officer, now=now)
    session.commit()
    staff = {"Authorization": f"Bearer {token}"}

    caplog.set_level(logging.DEBUG)
    submitted = client.post(
        "/api/v1/requests",
        json={"agency": "PRIV", "applicant": APPLICANT, "description": "申请公开预算", "delivery": "email"},
    )
    assert submitted.status_code == 201, submitted.text
    number, code = submitted.json["tracking_number"], submitted.json["access_code"]
    applicant = {"X-Access-Code": code}
    assert client.get(f"/api/v1/requests/{number}", headers=applicant).status_code == 200
    assert client.get(f"/api/v1/requests/{number}", headers=staff).json["applicant"]["id_number"] == ID_NUMBER
    for action in (
        {"action": "accept"},
        {"action": "request_correction", "items": "请补充说明", "period_days": 15},
    ):
        assert (
            client.post(f"/api/v1/requests/{number}/actions", headers=staff, json=action).status_code == 200
        )
    assert client.post(
        f"/api/v1/requests/{number}/correction", headers=applicant, json={"text": "补充"}
    ).status_code
    assert client.post("/track", data={"tracking_number": number, "access_code": code}).status_code in (
        302,
        400,
    )
    assert client.get("/api/v1/queue", headers=staff).status_code == 200
    assert (
        client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": "WRONG-CODE"}).status_code == 404
    )
    with app.app_context():
        run_sweeps(session, today=china_today(now), now=now)

    payloads = [json.dumps(p, ensure_ascii=False) for p in session.scalars(select(OutboxMessage.payload))]
    assert payloads, "the flow wrote no notices"
    for payload in payloads:
        for value in PERSONAL:
            assert value not in payload, payload

    logged = [_record_text(r) for r in caplog.records]
    assert logged, "nothing was logged"
    for text in logged:
        for value in [*PERSONAL, code]:
            assert value not in text, text


def _record_text(record: logging.LogRecord) -> str:
    """The message and every extra field a formatter might write."""
    return record.getMessage() + " " + " ".join(f"{k}={v!r}" for k, v in vars(record).items())
