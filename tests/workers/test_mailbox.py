"""The email channel: a message becomes a request once, with its attachments and the receipt that fixes
its received-on date; what is not a request waits for review; polling a real IMAP server (Dovecot)."""

from __future__ import annotations

import datetime as dt
import imaplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import make_agency
from tests.workers.conftest import at
from tests.workers.services import Dovecot, SmtpSink, free_port
from webapp.domain.mailbox import dismiss_mail, ingest, mail_for_review, review_label, set_mailbox
from webapp.models import AgencyMailbox, InboundEmail, OutboxMessage, Request
from workers.mailbox import PollSettings, poll_mailbox
from workers.notices import RelaySettings, relay, transport_from_config

DAY = dt.date(2024, 6, 14)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OWN = "disclosure.test"


def mail(
    subject: str = "申请公开2023年度部门预算",
    body: str = "您好：\n\n请公开贵局2023年度部门预算及其说明。\n\n李四",
    sender: str = "李四 <lisi@example.cn>",
    message_id: str | None = "<req-1@example.cn>",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "ysqgk@agency.test"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


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


def test_the_receipt_confirms_the_received_on_date(
    session: Any, agency: Any, tmp_path: Path, worker_config: Any, sink: SmtpSink
):
    row = take(session, agency, mail(), tmp_path)
    assert row is not None
    transport = transport_from_config(worker_config)
    relay(session, transport, RelaySettings.from_config(worker_config))
    transport.close()
    (sent,) = sink.messages()
    assert sent.recipients == ["lisi@example.cn"]
    assert sent.message["In-Reply-To"] == "<req-1@example.cn>"
    body = sent.message.get_body(("plain",)).get_content()
    assert "本回执确认收到您的电子邮件申请，收到申请之日为2024年6月14日" in body
    assert "通过电子邮件方式" in body


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


# -- polling Dovecot -----------------------------------------------------------------------------------


def settings(app: Flask, tmp_path: Path) -> PollSettings:
    return PollSettings(
        secret_key=app.config["SECRET_KEY"],
        inbound_dir=tmp_path / "inbound",
        attachment_dir=tmp_path / "attachments",
        own_domain=OWN,
    )


def configure(
    session: Any, app: Flask, agency: Any, imap: Dovecot, user: str, password: str | None = None
) -> Any:
    mailbox = set_mailbox(
        session,
        agency,
        host="127.0.0.1",
        port=imap.port,
        username=user,
        password=password or imap.users[user],
        security="none",
        secret_key=app.config["SECRET_KEY"],
        now=at(DAY),
    )
    session.commit()
    return mailbox


def test_polling_a_real_imap_mailbox(app: Flask, session: Any, agency: Any, imap: Dovecot, tmp_path: Path):
    user = "intake@agency.test"
    mailbox = configure(session, app, agency, imap, user)
    assert "imap-secret" not in mailbox.password_encrypted
    imap.append(user, mail(message_id="<poll-1@example.cn>"))
    imap.append(user, mail(message_id="<poll-2@example.cn>", headers={"Auto-Submitted": "auto-replied"}))

    result = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert (result.requests, result.review, result.error) == (1, 1, None)
    again = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert (again.taken, again.duplicates) == (0, 0)  # nothing above the last UID taken

    imap.append(user, mail(message_id="<poll-3@example.cn>", sender="王五 <wangwu@example.cn>"))
    third = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert third.requests == 1
    emails = session.execute(select(Request.applicant_email).where(Request.channel == "email")).scalars()
    assert sorted(emails) == ["lisi@example.cn", "wangwu@example.cn"]
    session.refresh(mailbox)
    assert (mailbox.last_uid, mailbox.lease_until, mailbox.last_error) == (3, None, None)

    # the mailbox is left as it was: nothing marked read, nothing deleted
    conn = imaplib.IMAP4("127.0.0.1", imap.port)
    conn.login(user, "imap-secret")
    conn.select("INBOX", readonly=True)
    assert conn.search(None, "UNSEEN")[1][0].split() == [b"1", b"2", b"3"]
    conn.logout()

    # a later, different message reusing poll-1's Message-ID waits for review
    imap.append(user, mail(message_id="<poll-1@example.cn>", subject="冒用的邮件", body="另一份正文"))
    fourth = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert (fourth.taken, fourth.requests, fourth.review, fourth.duplicates) == (1, 0, 1, 0)
    reasons = [(r.subject, r.reason) for r in mail_for_review(session, [agency.id])]
    assert ("冒用的邮件", "duplicate_message_id") in reasons

    # a lost watermark (or a new UIDVALIDITY) takes nothing twice: the Message-IDs and hashes are known
    mailbox.last_uid = 0
    session.commit()
    replay = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert (replay.taken, replay.duplicates) == (0, 4)
    assert session.execute(select(func.count()).select_from(InboundEmail)).scalar_one() == 4


def test_a_wrong_password_is_recorded_on_the_mailbox(
    app: Flask, session: Any, agency: Any, imap: Dovecot, tmp_path: Path
):
    mailbox = configure(session, app, agency, imap, "other@agency.test", password="wrong")
    result = poll_mailbox(session, mailbox.id, settings(app, tmp_path), clock=lambda: at(DAY))
    assert result.error is not None and result.taken == 0
    session.refresh(mailbox)
    assert mailbox.last_error and mailbox.lease_until is None

    mailbox.port = free_port()  # nothing listens
    session.commit()
    assert "ConnectionRefusedError" in (
        poll_mailbox(session, mailbox.id, settings(app, tmp_path)).error or ""
    )


def test_the_mailbox_commands(app: Flask, session: Any, agency: Any, imap: Dovecot, tmp_path: Path):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            *("mailbox", "set", "MAIL", "--host", "127.0.0.1", "--port", str(imap.port)),
            *("--user", "other@agency.test", "--security", "none"),
        ],
        env={"MAILBOX_PASSWORD": "imap-secret"},
    )
    assert result.exit_code == 0, result.output
    mailbox = session.execute(select(AgencyMailbox)).scalar_one()
    assert mailbox.username == "other@agency.test" and "imap-secret" not in mailbox.password_encrypted
    imap.append(
        "other@agency.test",
        mail(message_id="<cli-1@example.cn>", headers={"Auto-Submitted": "auto-generated"}),
    )
    app.config["DATA_DIR"], saved = str(tmp_path), app.config["DATA_DIR"]
    try:
        result = runner.invoke(args=["mailbox", "poll"])
    finally:
        app.config["DATA_DIR"] = saved
    assert result.exit_code == 0, result.output
    assert "0 requests, 1 for review, ok" in result.output
    result = runner.invoke(args=["mailbox", "review", "--agency", "MAIL"])
    assert "自动发送的邮件" in result.output
    assert runner.invoke(args=["mailbox", "set", "NOPE", "--host", "h", "--user", "u"]).exit_code != 0
