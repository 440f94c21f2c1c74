"""SMS notices (docs/rules.md §SMS notices): the short form of every applicant notice, through the file sink
and through 阿里云短信服务's HTTP API as spoken to a local server that checks what the real one checks (the
signature, the parameters) and answers as it does; failures shown to officers like failed e-mails; a
number's hourly limit; the applicant's choice of channel."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from tests.factories import applicant, at, make_agency, make_user
from webapp.domain import citizens
from webapp.domain.notice_states import failed_notices
from webapp.domain.notices import compose
from webapp.domain.requests import act, submit
from webapp.models import Citizen, OutboxMessage, Request
from workers.notices import RelaySettings
from workers.sms import AliyunTransport, SmsDropTransport, aliyun_signature, relay_sms_rows

DAY = dt.date(2024, 6, 3)
SETTINGS = RelaySettings(lease=120.0, max_attempts=3, retry_base=60.0)
BASE = "https://ysqgk.example.gov.cn"
SECRET = "test-access-key-secret"


@pytest.fixture
def agency(session: Any) -> Any:
    return make_agency(session, at(DAY), code="SMS", name="白城市人力资源和社会保障局")


def new_request(session: Any, agency: Any, **contact: Any) -> tuple[Request, str]:
    req, code = submit(
        session,
        agency=agency,
        applicant=applicant(**contact),
        description="申请公开2023年度部门预算",
        delivery="online",
        now=at(DAY),
        channel="online",
    )
    session.commit()
    return req, code


def sms_rows(session: Any, req: Request) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.request_id == req.id, OutboxMessage.kind == "sms")
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def relay(session: Any, transport: Any, when: dt.datetime, per_hour: int = 10) -> Any:
    return relay_sms_rows(session, transport, SETTINGS, base_url=BASE, per_hour=per_hour, clock=lambda: when)


def test_each_notice_has_a_short_sms_with_the_tracking_link_and_never_the_access_code(
    session: Any, agency: Any, tmp_path: Path
):
    req, code = new_request(session, agency, phone="139-0000-0000")
    officer = make_user(session, at(DAY), agency)
    act(session, req, "accept", officer, now=at(DAY), on=DAY)
    act(session, req, "reply", officer, now=at(DAY), on=DAY, outcome="disclosed")
    session.commit()
    sink = SmsDropTransport(tmp_path)
    assert relay(session, sink, at(DAY)).sent == 2  # the receipt and the reply (accepting sends nothing)
    sent = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("*.json"))]
    assert {s["to"] for s in sent} == {"13900000000"}
    texts = sorted(s["text"] for s in sent)
    link = f"{BASE}/track?tracking_number={req.tracking_number}"
    assert texts == sorted(
        f"【白城市人力资源和社会保障局】您的政府信息公开申请{req.tracking_number}有新进展：{n}。"
        f"详情请凭查询码查看：{link}"
        for n in ("受理回执", "答复书")
    )
    assert all(code not in t for t in texts)
    assert all(
        r.delivered_via == "smsdrop" and r.payload["to"] == "13900000000" for r in sms_rows(session, req)
    )


def test_no_mobile_number_no_sms(session: Any, agency: Any):
    req, _ = new_request(session, agency, phone="0436-3209609")  # a landline
    assert sms_rows(session, req) == []


class Aliyun(ThreadingHTTPServer):
    """A local server speaking 阿里云短信服务's SendSms: it recomputes the signature with the secret,
    checks the parameters and answers with `answer` (Code OK, or an error code)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), AliyunHandler)
        self.received: list[dict[str, str]] = []
        self.answer: tuple[int, dict[str, str]] = (200, {"Code": "OK", "Message": "OK", "BizId": "1"})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class AliyunHandler(BaseHTTPRequestHandler):
    server: Aliyun

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        status, body = self.server.answer
        if signature != aliyun_signature(params, SECRET):
            status, body = (
                400,
                {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"},
            )
        elif params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            status, body = 400, {"Code": "InvalidAction", "Message": "bad action"}
        else:
            self.server.received.append(params)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def aliyun() -> Iterator[Aliyun]:
    server = Aliyun()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def transport(server: Aliyun, secret: str = SECRET) -> AliyunTransport:
    return AliyunTransport(
        endpoint=server.url,
        access_key_id="LTAItest",
        access_key_secret=secret,
        sign_name="白城市人社局",
        templates={"notice": "SMS_100001", "code": "SMS_100002"},
        timeout=5,
    )


def test_the_provider_api_takes_the_signed_template_and_its_parameters(
    session: Any, agency: Any, aliyun: Aliyun
):
    req, code = new_request(session, agency, phone="+86 139 0000 0000")
    assert relay(session, transport(aliyun), at(DAY)).sent == 1
    (got,) = aliyun.received
    assert (got["PhoneNumbers"], got["SignName"], got["TemplateCode"]) == (
        "13900000000",
        "白城市人社局",
        "SMS_100001",
    )
    params = json.loads(got["TemplateParam"])
    assert params == {
        "agency": "白城市人力资源和社会保障局",
        "number": req.tracking_number,
        "notice": "受理回执",
        "url": f"{BASE}/track?tracking_number={req.tracking_number}",
    }
    assert code not in got["TemplateParam"]
    (row,) = sms_rows(session, req)
    assert row.delivered_via == "aliyun" and row.sent_at is not None


def test_a_refusal_for_good_is_shown_to_officers_like_a_failed_email(
    session: Any, agency: Any, aliyun: Aliyun
):
    req, _ = new_request(session, agency)
    aliyun.answer = (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
    assert relay(session, transport(aliyun), at(DAY)).failed == 1
    (row,) = sms_rows(session, req)
    assert row.failed_at is not None and "isv.MOBILE_NUMBER_ILLEGAL" in (row.last_error or "")
    failed = failed_notices(session, [agency.id])
    assert [(f.tracking_number, f.label, f.status) for f in failed] == [
        (req.tracking_number, "短信：受理回执", "failed")
    ]
    session.refresh(req)
    note = req.events[-1]
    assert note.type == "commented" and not note.public and note.note.startswith("短信“受理回执”发送失败")


def test_a_wrong_secret_and_a_passing_trouble_are_told_apart(session: Any, agency: Any, aliyun: Aliyun):
    req, _ = new_request(session, agency)
    aliyun.answer = (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})
    assert relay(session, transport(aliyun), at(DAY)).retrying == 1  # throttled: tried again later
    (row,) = sms_rows(session, req)
    assert row.failed_at is None and row.next_attempt_at == at(DAY) + dt.timedelta(seconds=60)
    # a wrong secret: the provider refuses the signature, which no retry will change
    later = at(DAY) + dt.timedelta(minutes=5)
    assert relay(session, transport(aliyun, secret="wrong"), later).failed == 1
    assert "SignatureDoesNotMatch" in (sms_rows(session, req)[0].last_error or "")


def test_a_number_gets_at_most_its_hourly_share(session: Any, agency: Any, tmp_path: Path):
    reqs = [new_request(session, agency)[0] for _ in range(3)]
    sink = SmsDropTransport(tmp_path)
    result = relay(session, sink, at(DAY), per_hour=2)
    assert (result.sent, result.retrying) == (2, 1)
    waiting = [r for req in reqs for r in sms_rows(session, req) if r.sent_at is None]
    assert len(waiting) == 1 and waiting[0].attempts == 0  # waiting is not a failed attempt
    assert relay(session, sink, at(DAY) + dt.timedelta(minutes=5), per_hour=2).handled == 0  # not yet due
    assert relay(session, sink, at(DAY) + dt.timedelta(minutes=61), per_hour=2).sent == 1
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_the_applicants_choice_of_channel(session: Any, agency: Any, tmp_path: Path):
    req, _ = new_request(session, agency)
    who = Citizen(contact_kind="phone", contact="13900000000", notify="email", created_at=at(DAY))
    session.add(who)
    session.commit()
    assert relay(session, SmsDropTransport(tmp_path), at(DAY)).sent == 1
    assert sms_rows(session, req)[0].delivered_via == "none" and not list(tmp_path.glob("*.json"))
    email = session.execute(
        select(OutboxMessage).where(OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice")
    ).scalar_one()
    assert compose(session, email).to == ["zhangsan@example.cn"]
    who.notify = "sms"  # SMS only: the e-mail has nobody to go to
    session.commit()
    assert compose(session, email).to == []


def test_a_sign_in_code_by_sms_is_erased_from_the_outbox_once_sent(session: Any, tmp_path: Path, app: Any):
    contact = citizens.contact_of(phone="13900000000")
    assert citizens.send_code(session, contact, secret="s", now=at(DAY))
    session.commit()
    assert relay(session, SmsDropTransport(tmp_path), at(DAY)).sent == 1
    (sent,) = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert sent["to"] == "13900000000" and sent["text"].startswith("您的登录验证码为")
    code = sent["params"]["code"]
    row = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "sms")).scalar_one()
    assert "code" not in row.payload
    citizen, token = citizens.sign_in(session, contact, code, secret="s", now=at(DAY))
    assert citizens.citizen_of_token(session, token, now=at(DAY)) == citizen
    citizens.sign_out_everywhere(session, citizen)
    assert citizens.citizen_of_token(session, token, now=at(DAY)) is None
