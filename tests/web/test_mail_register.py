"""A message of the mail review list registered as a request in one step: the form filled from the
message (sender, subject and body, the day of registration as received-on), its attachments stored
with the request, and the message and the request linked both ways."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import VALID_RESIDENT_ID, People, mail
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today
from webapp.domain.mailbox import ingest
from webapp.models import Event, InboundEmail, Request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def held(app: Flask, session: Any, people: People, arrived: dt.datetime) -> InboundEmail:
    """A request that came as an auto-submitted message, so it waits for review."""
    raw = mail(
        subject="申请公开2023年度部门预算",
        body="您好：\n\n请公开贵局2023年度部门预算及其说明。\n\n李四",
        sender="李四 <lisi@example.cn>",
        attachments=(
            ("身份证明.pdf", PDF, "application/pdf"),
            ("script.exe", b"MZ\x90\x00", "application/octet-stream"),
        ),
        headers={"Auto-Submitted": "auto-generated"},
    )
    row = ingest(
        session,
        people.agency,
        raw,
        now=arrived,
        inbound_dir=Path(app.config["DATA_DIR"]) / "inbound",
        attachment_dir=app.config["ATTACHMENT_DIR"],
        own_domain="agency.test",
    )
    assert row is not None and row.status == "review"
    session.commit()
    return row


def value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return found.group(1) if found else ""


def test_an_officer_registers_a_held_message_in_one_step(app: Flask, client: FlaskClient, people, session):
    arrived = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    row = held(app, session, people, arrived)
    login(client, people.officer)
    listing = client.get("/staff/mail").get_data(as_text=True)
    assert f'href="/staff/register?mail={row.id}"' in listing and "登记为申请" in listing

    page = client.get(f"/staff/register?mail={row.id}").get_data(as_text=True)
    assert value(page, "name") == "李四" and value(page, "email") == "lisi@example.cn"
    assert "请公开贵局2023年度部门预算及其说明" in page and "申请公开2023年度部门预算" in page
    assert value(page, "received_on") == china_today(dt.datetime.now(dt.UTC)).isoformat()
    assert '<option selected value="email">' in page or 'value="email" selected' in page
    assert "身份证明.pdf" in page and "双方确认之日" in page

    r = post(
        client,
        f"/staff/register?mail={row.id}",
        {
            "agency": "CITYHR",
            "channel": "email",
            "received_on": value(page, "received_on"),
            "applicant_type": "natural_person",
            "name": "李四",
            "id_kind": "resident_id",
            "id_number": VALID_RESIDENT_ID,  # read off the attached 身份证明 (staff registration needs it)
            "email": "lisi@example.cn",
            "description": "申请公开2023年度部门预算\n\n请公开贵局2023年度部门预算及其说明。",
            "delivery": "email",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    req = session.execute(select(Request)).scalar_one()
    session.refresh(row)
    assert (row.status, row.request_id, row.reviewed_by_id) == ("request", req.id, people.officer.id)
    assert req.channel == "email" and req.registered_by_id == people.officer.id
    assert [a.filename for a in req.attachments] == ["身份证明.pdf"]
    note = session.execute(
        select(Event).where(Event.request_id == req.id, Event.type == "commented")
    ).scalar_one()
    assert "script.exe" in note.note and "lisi@example.cn" in note.note
    # linked both ways
    request_page = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert f'href="/staff/mail/{row.id}"' in request_page
    message_page = client.get(f"/staff/mail/{row.id}").get_data(as_text=True)
    assert f'href="/staff/requests/{req.tracking_number}"' in message_page and "已登记为申请" in message_page
    assert "请公开贵局2023年度部门预算及其说明" in message_page
    assert "登记为申请</a>" not in client.get("/staff/mail").get_data(as_text=True)
    # a second registration of the same message is refused, and nothing is written
    r = post(client, f"/staff/register?mail={row.id}", {"agency": "CITYHR"})
    assert r.status_code == 409
    assert len(session.execute(select(Request)).scalars().all()) == 1


def test_another_agencys_message_is_not_found(app: Flask, client: FlaskClient, people, session):
    row = held(app, session, people, dt.datetime.now(dt.UTC))
    login(client, people.stranger)
    assert client.get(f"/staff/register?mail={row.id}").status_code == 404
    assert client.get(f"/staff/mail/{row.id}").status_code == 404
    assert (
        client.get("/staff/register?mail=99999999999999999999").status_code == 200
    )  # not a message: plain form
