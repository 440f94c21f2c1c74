"""The email channel in the domain: a message becomes a request once, with its attachments and the receipt
that fixes its received-on date; what is not a request waits for review. Polling a real IMAP server and
sending the receipt are in tests/workers/test_mailbox.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import at, mail, make_agency
from webapp.domain.mailbox import dismiss_mail, ingest, mail_for_review, review_label
from webapp.models import InboundEmail, OutboxMessage, Request

DAY = dt.date(2024, 6, 14)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


OWN = "disclosure.test"


@pytest.fixture
def agency(session: Any) -> Any:
    return make_agency(session, at(DAY), code="MAIL", name="白城市财政局")


def take(session: Any, agency: Any, raw: bytes, tmp_path: Path) -> InboundEmail | None:
    row = ingest(
        session,
        agency,
        raw,
        now=at(DAY),
        inbound_dir=tmp_path / "inbound",
        attachment_dir=tmp_path / "attachments",
        own_domain=OWN,
    )
    session.commit()
    return row


def test_an_email_becomes_a_request_with_its_attachments(session: Any, agency: Any, tmp_path: Path):
    raw = mail(
        attachments=(
            ("身份证.pdf", PDF, "application/pdf"),
            ("说明.docx", b"PK\x03\x04xx", "application/zip"),
        )
    )
    row = take(session, agency, raw, tmp_path)
    assert row is not None and row.status == "request"
    req = session.get(Request, row.request_id)
    assert (req.channel, req.received_on, req.status, req.registered_by_id) == (
        "email",
        DAY,
        "received",
        None,
    )
    assert (req.applicant_name, req.applicant_email, req.delivery) == ("李四", "lisi@example.cn", "email")
    assert req.description.startswith("申请公开2023年度部门预算\n\n您好：")
    assert [(a.filename, a.content_type) for a in req.attachments] == [("身份证.pdf", "application/pdf")]
    assert row.skipped_attachments == ["说明.docx"]
    assert any(e.type == "commented" and "说明.docx" in e.note and not e.public for e in req.events)
    assert (tmp_path / "inbound" / row.raw_key[:2] / row.raw_key).read_bytes() == raw
    notices = session.execute(
        select(OutboxMessage.payload).where(OutboxMessage.request_id == req.id)
    ).scalars()
    assert [p["notice"] for p in notices] == ["receipt"]


def test_a_message_is_never_taken_twice(session: Any, agency: Any, tmp_path: Path):
    first = mail()
    assert take(session, agency, first, tmp_path) is not None
    assert take(session, agency, first, tmp_path) is None  # the same bytes again: a re-delivery
    anonymous = mail(message_id=None)
    assert take(session, agency, anonymous, tmp_path) is not None
    assert take(session, agency, anonymous, tmp_path) is None  # no Message-ID: the same bytes
    assert session.execute(select(func.count()).select_from(Request)).scalar_one() == 2
    other = make_agency(session, at(DAY), code="MAIL2")
    assert take(session, other, mail(), tmp_path) is not None  # another agency's mailbox: its own


def test_another_message_reusing_a_message_id_waits_for_review(session: Any, agency: Any, tmp_path: Path):
    """Not dropped silently: kept for an officer as "重复的 Message-ID", with its sender and subject, once."""
    assert take(session, agency, mail(), tmp_path).status == "request"  # type: ignore[union-attr]
    reused = mail(subject="另一份申请", body="请公开其他文件", sender="王五 <wangwu@example.cn>")
    row = take(session, agency, reused, tmp_path)
    assert row is not None
    assert (row.status, row.reason, row.request_id) == ("review", "duplicate_message_id", None)
    assert (row.from_address, row.subject) == ("wangwu@example.cn", "另一份申请")
    assert review_label(row).startswith("重复的 Message-ID")
    assert (tmp_path / "inbound" / row.raw_key[:2] / row.raw_key).read_bytes() == reused
    assert take(session, agency, reused, tmp_path) is None  # that message delivered again: still one row
    assert [r.id for r in mail_for_review(session, [agency.id])] == [row.id]
    assert session.execute(select(func.count()).select_from(Request)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1  # 1 receipt


REPORT = (
    b"From: MAILER-DAEMON@mx.example.cn\r\nTo: ysqgk@agency.test\r\nSubject: failure\r\n"
    b"Message-ID: <dsn-1@mx.example.cn>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n--b--\r\n"
)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (mail(headers={"Auto-Submitted": "auto-replied"}, message_id="<a1@x.cn>"), "auto_submitted"),
        (mail(subject="自动回复：我正在休假", message_id="<a2@x.cn>"), "auto_submitted"),
        (mail(subject="Out of Office: back Monday", message_id="<a3@x.cn>"), "auto_submitted"),
        (mail(headers={"X-Autoreply": "yes"}, message_id="<a4@x.cn>"), "auto_submitted"),
        (mail(sender="Mail Delivery System <MAILER-DAEMON@mx.example.cn>", message_id="<b1@x.cn>"), "bounce"),
        (REPORT, "bounce"),
        (
            mail(
                headers={"In-Reply-To": "<notice.MAIL-2024-000001.1@disclosure.test>"}, message_id="<r1@x.cn>"
            ),
            "reply_to_notice",
        ),
        (mail(subject="", body="", message_id="<e1@x.cn>"), "empty"),
        (mail(sender="no address", message_id="<i1@x.cn>"), "invalid"),
    ],
)
def test_what_is_not_a_request_waits_for_review(
    session: Any, agency: Any, tmp_path: Path, raw: bytes, reason: str
):
    row = take(session, agency, raw, tmp_path)
    assert row is not None
    assert (row.status, row.reason, row.request_id) == ("review", reason, None)
    assert session.execute(select(func.count()).select_from(Request)).scalar_one() == 0
    assert (
        session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0
    )  # no auto-answer
    assert [r.id for r in mail_for_review(session, [agency.id])] == [row.id]
    dismiss_mail(session, row.id, actor=None, now=at(DAY))
    assert mail_for_review(session, [agency.id]) == []
