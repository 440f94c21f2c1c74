"""The outbox relay: notices by SMTP to a local sink, the mail drop, retries with backoff, failures shown
to officers, leases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.factories import applicant, at, make_agency, make_request, make_user
from tests.workers.conftest import SENDER
from tests.workers.services import SmtpSink, free_port
from webapp.domain.notice_states import failed_notices, notices_of_request, retry_notice
from webapp.domain.notices import message_id
from webapp.domain.requests import act, submit
from webapp.models import Document, OutboxMessage, Request
from workers.deadlines import run_sweeps
from workers.notices import RelaySettings, claim_next, relay, transport_from_config

D = dt.date
DAY = D(2024, 6, 3)


def run_relay(config: Any, session: Any, now: dt.datetime | None = None) -> Any:
    transport = transport_from_config(config)
    try:
        kwargs = {"clock": lambda: now} if now else {}
        return relay(session, transport, RelaySettings.from_config(config), **kwargs)
    finally:
        transport.close()


def rows(session: Any, req: Request) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(
                OutboxMessage.request_id == req.id, OutboxMessage.kind != "sms"
            )  # tests/workers/test_sms.py
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


@pytest.fixture
def agency(session: Any) -> Any:
    return make_agency(session, at(DAY), code="NOTE", name="白城市人力资源和社会保障局")


def test_notices_reach_the_smtp_sink_once(session: Any, worker_config: Any, sink: SmtpSink, agency: Any):
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    officer = make_user(session, at(DAY), agency)
    act(
        session,
        req,
        "request_correction",
        officer,
        now=at(D(2024, 6, 4)),
        items="请写明文件名称",
        period_days=5,
    )
    session.commit()

    result = run_relay(worker_config, session)
    assert (result.sent, result.retrying, result.failed) == (2, 0, 0)
    mails = sink.messages()
    assert [m.recipients for m in mails] == [["zhangsan@example.cn"]] * 2
    receipt, correction = (m.message for m in mails)
    assert (
        str(receipt["Subject"])
        == f"【白城市人力资源和社会保障局】政府信息公开申请受理回执（申请编号{req.tracking_number}）"
    )
    assert receipt["Message-ID"] == message_id(f"notice:{req.tracking_number}:1", SENDER)
    assert receipt["Message-ID"] == f"<notice.{req.tracking_number}.1@disclosure.test>"
    assert receipt["Auto-Submitted"] == "auto-generated"
    body = receipt.get_body(("plain",)).get_content()
    assert "2024年6月3日收到" in body and "2024年7月2日前作出答复" in body
    text = correction.get_body(("plain",)).get_content()
    assert "请写明文件名称" in text and "2024年6月12日前" in text and "视为放弃申请" in text

    assert all(r.sent_at and r.delivered_via == "smtp" for r in rows(session, req))
    assert run_relay(worker_config, session).sent == 0
    assert len(sink.messages()) == 2
    # the staff's list also shows the SMS forms, which the SMS relay sends (tests/workers/test_sms.py)
    states = [(n.label, n.status) for n in notices_of_request(session, req)]
    assert states == [
        ("受理回执", "sent"),
        ("短信：受理回执", "pending"),
        ("补正告知书", "sent"),
        ("短信：补正告知书", "pending"),
    ]


def test_every_applicant_notice_reads_right(session: Any, worker_config: Any, sink: SmtpSink, agency: Any):
    officer = make_user(session, at(DAY), agency)
    head = make_user(session, at(DAY), agency, role="head")
    a, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    act(session, a, "start_consultation", officer, now=at(D(2024, 6, 4)), party="某公司")
    act(session, a, "extend", head, now=at(D(2024, 6, 5)), days=10, reason="需要调取档案")
    act(session, a, "end_consultation", officer, now=at(D(2024, 6, 6)))
    act(
        session,
        a,
        "reply",
        officer,
        now=at(D(2024, 6, 7)),
        outcome="not_held",
        referred_agency="市档案馆",
        referred_phone="010-66668888",
    )
    b, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    act(session, b, "request_fee", officer, now=at(D(2024, 6, 5)), basis="per_page", pages=35)
    c, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    act(session, c, "withdraw", None, now=at(D(2024, 6, 5)), reason="不再需要")
    session.commit()
    run_relay(worker_config, session)
    by_subject = {
        str(m.message["Subject"]): m.message.get_body(("plain",)).get_content() for m in sink.messages()
    }

    def body(title: str, req: Request) -> str:
        return by_subject[f"【白城市人力资源和社会保障局】{title}（申请编号{req.tracking_number}）"]

    assert "征求意见所需时间不计入答复期限" in body("征求第三方意见告知书", a)
    extension = body("政府信息公开申请延期答复告知书", a)
    assert "因需要调取档案" in extension and "延长10个工作日" in extension
    reply = body("政府信息公开申请答复书", a)
    assert "本机关不掌握相关政府信息" in reply and "市档案馆" in reply and "行政复议" in reply
    assert "信息处理费50.00元（按量计收，共35页）" in body("政府信息公开信息处理费缴费通知书", b)
    assert "2024年7月4日前缴纳" in body("政府信息公开信息处理费缴费通知书", b)
    assert "撤回申请" in body("政府信息公开申请办结告知书", c)
    assert all(m.message["To"] == "zhangsan@example.cn" for m in sink.messages())


def test_without_smtp_notices_land_in_the_mail_drop(app: Flask, session: Any, tmp_path: Path, agency: Any):
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.commit()
    config = {**app.config, "SMTP_HOST": None, "DATA_DIR": str(tmp_path)}
    assert run_relay(config, session).sent == 1
    files = sorted((tmp_path / "maildrop").glob("*.eml"))
    assert [f.name for f in files] == [f"notice_{req.tracking_number}_1.eml"]
    assert "受理回执".encode() in files[0].read_bytes() or b"=?utf-8?" in files[0].read_bytes()
    assert rows(session, req)[0].delivered_via == "maildrop"


def test_no_email_address_means_the_status_page_only(
    session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    req, _ = submit(
        session,
        agency=agency,
        applicant=applicant(email=None),
        description="申请公开某文件",
        delivery="post",
        now=at(DAY),
    )
    session.commit()
    assert run_relay(worker_config, session).sent == 1
    assert sink.messages() == []
    assert rows(session, req)[0].delivered_via == "none"


def test_a_failing_server_is_retried_with_backoff_then_shown_to_officers(
    session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.commit()
    t0 = at(DAY) + dt.timedelta(hours=1)
    down = {**worker_config, "SMTP_PORT": free_port()}  # nothing listens there

    assert run_relay(down, session, t0).retrying == 1
    (row,) = rows(session, req)
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert run_relay(down, session, t0 + dt.timedelta(seconds=30)).handled == 0  # not yet due

    assert run_relay(down, session, t0 + dt.timedelta(seconds=61)).retrying == 1
    (row,) = rows(session, req)
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=61 + 120)  # doubled

    assert run_relay(down, session, t0 + dt.timedelta(seconds=200)).failed == 1  # the 3rd and last attempt
    (row,) = rows(session, req)
    assert row.failed_at is not None and row.attempts == 3
    failures = failed_notices(session, [agency.id])
    assert [(f.tracking_number, f.notice, f.status) for f in failures] == [
        (req.tracking_number, "receipt", "failed")
    ]
    session.refresh(req)
    note = req.events[-1]
    assert (
        note.type == "commented" and not note.public and "受理回执" in note.note and "发送失败" in note.note
    )
    assert run_relay(worker_config, session, t0 + dt.timedelta(hours=5)).handled == 0  # failed stays failed

    retry_notice(session, row.id, now=t0 + dt.timedelta(hours=5))
    session.commit()
    assert run_relay(worker_config, session, t0 + dt.timedelta(hours=5)).sent == 1
    assert len(sink.messages()) == 1 and failed_notices(session, [agency.id]) == []


def test_a_refused_recipient_fails_at_once(session: Any, worker_config: Any, sink: SmtpSink, agency: Any):
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.commit()
    sink.refuse.add("zhangsan@example.cn")
    result = run_relay(worker_config, session)
    assert (result.sent, result.failed) == (0, 1)
    (row,) = rows(session, req)
    assert row.attempts == 1 and row.failed_at is not None and "550" in (row.last_error or "")


@pytest.mark.parametrize(
    "stored",
    [
        "zhangsan@example.cn\r\nBcc: evil@attacker.example",  # CR/LF: the email library refuses the header
        "zhangsan@example.cn, evil@attacker.example",  # one field, two recipients
        "zhangsan@@example",
        "张三 <zhangsan@example.cn>",
    ],
)
def test_a_stored_address_that_is_not_one_address_is_a_recorded_failure(
    session: Any, worker_config: Any, sink: SmtpSink, agency: Any, stored: str
):
    """An address intake would refuse today, already in the database (written before the check, or by
    hand): the relay records the failure for officers, never crashes, never leaves the row claimed,
    and sends nothing to anyone."""
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.execute(update(Request).where(Request.id == req.id).values(applicant_email=stored))
    session.commit()
    t0 = at(DAY) + dt.timedelta(hours=1)

    result = run_relay(worker_config, session, t0)
    assert (result.sent, result.retrying, result.failed) == (0, 0, 1)
    assert sink.messages() == []
    (row,) = rows(session, req)
    assert row.failed_at == t0 and row.sent_at is None and row.claimed_until is None and row.attempts == 1
    assert "收件人电子邮箱地址格式不正确" in (row.last_error or "")
    assert [(f.tracking_number, f.status) for f in failed_notices(session, [agency.id])] == [
        (req.tracking_number, "failed")
    ]
    session.refresh(req)
    note = req.events[-1]
    assert note.type == "commented" and not note.public and "发送失败" in note.note
    assert run_relay(worker_config, session, t0 + dt.timedelta(hours=1)).handled == 0  # not retried


def test_an_internationalised_domain_is_sent_in_its_idna_form(
    session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.execute(update(Request).where(Request.id == req.id).values(applicant_email="zs@例子.中国"))
    session.commit()
    assert run_relay(worker_config, session).sent == 1
    (mail,) = sink.messages()
    assert (
        mail.recipients == ["zs@xn--fsqu00a.xn--fiqs8s"] and mail.message["To"] == "zs@xn--fsqu00a.xn--fiqs8s"
    )


def test_a_claim_is_a_lease(session: Any, worker_config: Any, sink: SmtpSink, agency: Any):
    """A relay that died after claiming: nobody else sends the row until its lease ran out, then one does."""
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, channel="online")
    session.commit()
    t0 = at(DAY) + dt.timedelta(hours=1)
    first = claim_next(session, now=t0, lease=120)
    assert first is not None
    assert claim_next(session, now=t0 + dt.timedelta(seconds=60), lease=120) is None  # held
    assert run_relay(worker_config, session, t0 + dt.timedelta(seconds=60)).handled == 0
    assert run_relay(worker_config, session, t0 + dt.timedelta(seconds=121)).sent == 1  # expired: taken again
    (row,) = rows(session, req)
    assert row.attempts == 2 and row.sent_at is not None and row.claimed_until is None
    assert len(sink.messages()) == 1


def test_staff_notices_reach_the_officers(session: Any, worker_config: Any, sink: SmtpSink, agency: Any):
    officer = make_user(session, at(DAY), agency, email="officer@note.gov.cn")
    make_user(session, at(DAY), agency, role="head", email="head@note.gov.cn")
    other = make_user(session, at(DAY), agency, email="assigned@note.gov.cn")
    late, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    assigned, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    act(session, assigned, "assign", officer, now=at(DAY), assignee=other.email)
    session.commit()
    run_sweeps(session, today=D(2024, 7, 3), now=at(D(2024, 7, 3)))
    run_relay(worker_config, session)
    staff = {str(m.message["Subject"]): m for m in sink.messages() if "zhangsan" not in m.recipients[0]}
    overdue = staff[f"【逾期】申请{late.tracking_number}已超过答复期限（2024年7月2日）"]
    assert sorted(overdue.recipients) == ["assigned@note.gov.cn", "head@note.gov.cn", "officer@note.gov.cn"]
    mine = staff[f"【逾期】申请{assigned.tracking_number}已超过答复期限（2024年7月2日）"]
    assert mine.recipients == ["assigned@note.gov.cn"]
    digest = staff["【每日提醒】2024年7月3日 逾期2件，即将到期0件"]
    assert late.tracking_number in digest.message.get_content()
    assert "张三" not in "".join(m.message.get_body(("plain",)).get_content() for m in staff.values())


def test_the_notice_carries_the_pdf_of_the_document_sent_with_its_event(
    session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    officer = make_user(session, at(DAY), agency)
    req, _ = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    act(session, req, "accept", officer, now=at(D(2024, 6, 4)))  # no document, no notice
    act(session, req, "reply", officer, now=at(D(2024, 6, 5)), outcome="not_exist")
    session.commit()
    run_relay(worker_config, session)
    mails = {str(m.message["Subject"]): m.message for m in sink.messages()}
    assert len(mails) == 2
    reply = mails[f"【白城市人力资源和社会保障局】政府信息公开申请答复书（申请编号{req.tracking_number}）"]
    (pdf,) = list(reply.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"政府信息公开申请答复书-{req.tracking_number}.pdf"
    sent = session.execute(
        select(Document).where(Document.request_id == req.id, Document.kind == "reply")
    ).scalar_one()
    assert pdf.get_content() == sent.pdf
    assert f"政府信息公开申请答复书（{sent.number}）见本邮件附件" in reply.get_body(("plain",)).get_content()
    subject = f"【白城市人力资源和社会保障局】政府信息公开申请受理回执（申请编号{req.tracking_number}）"
    receipt = mails[subject]
    assert [a.get_filename() for a in receipt.iter_attachments()] == [
        f"政府信息公开申请受理回执-{req.tracking_number}.pdf"
    ]
