"""A lost access code sent again (docs/rules.md §Lost access code): the new code reaches the applicant's
e-mail at the SMTP sink and the mobile number by SMS, the old code stops opening the request, the change is
in the history, and no code stays in the outbox once sent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import citizen_body
from tests.workers.services import SmtpSink
from tests.workers.test_notices import run_relay
from webapp.domain.sms import compose_sms
from webapp.models import OutboxMessage
from workers.notices import RelaySettings
from workers.sms import SmsDropTransport, relay_sms_rows

CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){3}")


def submitted(client: FlaskClient, delivery: str = "email", **applicant: Any) -> dict[str, Any]:
    body = citizen_body(delivery=delivery)
    body["applicant"] = {k: v for k, v in (body["applicant"] | applicant).items() if v}
    r = client.post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def opens(client: FlaskClient, number: str, code: str) -> bool:
    return client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": code}).status_code == 200


def test_the_new_code_reaches_the_mail_sink_and_the_old_one_stops_working(
    client: FlaskClient, people: Any, session: Any, worker_config: Any, sink: SmtpSink
):
    first = submitted(client, phone="")
    number, old = first["tracking_number"], first["access_code"]
    run_relay(worker_config, session)  # the receipt
    before = len(sink.messages())
    r = client.post("/api/v1/access-codes", json={"tracking_number": number.lower()})
    assert (r.status_code, r.json) == (202, {})
    assert run_relay(worker_config, session).sent == 1
    (mail,) = sink.messages()[before:]
    assert mail.recipients == ["zhangsan@example.cn"]
    assert str(mail.message["Subject"]) == f"政府信息公开申请{number}的新查询码"
    text = mail.message.get_body(("plain",)).get_content()
    assert "原查询码自即刻起失效" in text and f"tracking_number={number}" in text
    (new,) = CODE.findall(text)
    assert new != old
    assert not opens(client, number, old)
    assert opens(client, number, new)
    # the history says so (the applicant sees it too), and the outbox no longer holds the code
    events = client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": new}).json["events"]
    assert events[-1]["type"] == "access_code_reissued"
    assert "原查询码即时失效" in events[-1]["note"]
    row = session.execute(
        select(OutboxMessage).where(OutboxMessage.delivery_key.like("access_code:%"))
    ).scalar_one()
    assert row.sent_at is not None and "code" not in row.payload


def test_the_sms_form_carries_the_new_code_to_the_mobile_on_file_only(
    client: FlaskClient, people: Any, session: Any, tmp_path: Path
):
    first = submitted(client, "online", email="", phone="139-0000-0000")
    number = first["tracking_number"]
    # a typed contact the request does not have: nothing is made, nothing sent
    r = client.post("/api/v1/access-codes", json={"tracking_number": number, "phone": "13800000000"})
    assert (r.status_code, r.json) == (202, {})
    assert opens(client, number, first["access_code"])
    r = client.post("/api/v1/access-codes", json={"tracking_number": number, "phone": "13900000000"})
    assert (r.status_code, r.json) == (202, {})
    rows = session.execute(
        select(OutboxMessage).where(OutboxMessage.delivery_key.like("access_code:%"))
    ).scalars()
    (row,) = list(rows)
    assert row.kind == "sms"
    sms = compose_sms(row, base_url="https://ysqgk.example.gov.cn", notify="email")  # asked for: sent anyway
    assert sms.to == "13900000000" and sms.template == "access_code"
    assert sms.text.startswith(f"您的政府信息公开申请{number}的新查询码为") and "原查询码已失效" in sms.text
    base = "https://ysqgk.example.gov.cn"
    sent = relay_sms_rows(session, SmsDropTransport(tmp_path), RelaySettings(), base_url=base, per_hour=10)
    assert sent.sent >= 1
    texts = [json.loads(p.read_text())["text"] for p in tmp_path.glob("*.json")]
    (text,) = [t for t in texts if "新查询码" in t]
    (new,) = CODE.findall(text)
    assert opens(client, number, new) and not opens(client, number, first["access_code"])
    session.refresh(row)
    assert "code" not in row.payload
