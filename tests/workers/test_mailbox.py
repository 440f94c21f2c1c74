"""The email channel's workers: the receipt that fixes an e-mailed request's received-on date, sent by the
relay; polling a real IMAP server (Dovecot); the mailbox commands. What the domain makes of one message is in
tests/domain/test_mailbox.py."""

from __future__ import annotations

import imaplib
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.domain import test_mailbox as domain
from tests.domain.test_mailbox import DAY, OWN, take
from tests.factories import at, mail
from tests.workers.services import Dovecot, SmtpSink, free_port
from webapp.domain.mailbox import mail_for_review, set_mailbox
from webapp.models import AgencyMailbox, InboundEmail, Request
from workers.mailbox import PollSettings, poll_mailbox
from workers.notices import RelaySettings, relay, transport_from_config

agency = domain.agency  # the domain tests' agency, a fixture here too


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
