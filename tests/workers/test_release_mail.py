"""The answer by e-mail (docs/rules.md §Delivery): at the SMTP sink, the reply carries the released files
up to the configured size and otherwise the tracking page's link — always the link, never the access
code — and the request records the delivery."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from tests.factories import at, make_agency, make_request, make_user, sample_pdf
from tests.workers.services import SmtpSink
from tests.workers.test_notices import run_relay
from webapp.domain.attachments import store_attachment
from webapp.domain.release import delivery_of
from webapp.domain.requests import act

DAY = dt.date(2024, 6, 3)


@pytest.fixture
def agency(session: Any) -> Any:
    return make_agency(session, at(DAY), code="MAIL", name="白城市财政局")


def replied_with_files(session: Any, app: Any, agency: Any, *files: tuple[str, bytes]) -> tuple[Any, str]:
    officer = make_user(session, at(DAY), agency)
    req, code = make_request(session, at(DAY), agency, received_on=DAY, officer=officer)
    ids = [
        store_attachment(
            session,
            req,
            filename=name,
            stream=io.BytesIO(data),
            directory=app.config["ATTACHMENT_DIR"],
            uploaded_by=officer,
            now=at(dt.date(2024, 6, 4)),
            purpose="release",
        ).id
        for name, data in files
    ]
    act(session, req, "accept", officer, now=at(dt.date(2024, 6, 4)))
    act(session, req, "reply", officer, now=at(dt.date(2024, 6, 5)), outcome="disclosed", released=ids)
    session.commit()
    return req, code


def reply_mail(sink: SmtpSink, req: Any) -> Any:
    return next(m.message for m in sink.messages() if "答复书" in str(m.message["Subject"]))


def test_the_reply_mail_carries_the_files_and_the_tracking_link_never_the_access_code(
    app: Any, session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    worker_config["PUBLIC_URL"] = "https://ysqgk.example.gov.cn"
    pdf = sample_pdf()
    req, code = replied_with_files(session, app, agency, ("2023年预算.pdf", pdf))
    assert not delivery_of(req).delivered
    run_relay(worker_config, session)
    mail = reply_mail(sink, req)
    body = mail.get_body(("plain",)).get_content()
    assert f"https://ysqgk.example.gov.cn/track?tracking_number={req.tracking_number}" in body
    assert "1. 2023年预算.pdf（1页）" in body and "上述文件见本邮件附件" in body
    raw = bytes(mail)
    for form in (code, code.replace("-", ""), code.lower()):
        assert form.encode() not in raw
    attached = {a.get_filename(): a for a in mail.iter_attachments()}
    assert attached["2023年预算.pdf"].get_content() == pdf
    assert attached["2023年预算.pdf"].get_content_type() == "application/pdf"
    assert f"政府信息公开申请答复书-{req.tracking_number}.pdf" in attached
    # every notice carries the link; none the code
    for m in sink.messages():
        assert req.tracking_number in m.message.get_body(("plain",)).get_content()
        assert code.encode() not in bytes(m.message)
    session.refresh(req)
    delivered = delivery_of(req)
    assert (delivered.delivered, delivered.how) == (True, "email")
    assert [e.type for e in req.events][-1] == "emailed"
    run_relay(worker_config, session)  # nothing more to send, nothing recorded twice
    session.refresh(req)
    assert [e.type for e in req.events].count("emailed") == 1


def test_files_over_the_configured_size_go_by_the_link_alone(
    app: Any, session: Any, worker_config: Any, sink: SmtpSink, agency: Any
):
    worker_config["MAIL_ATTACHMENT_MAX_MB"] = 0.01  # about 10 KB; the sample PDF is larger
    req, _ = replied_with_files(session, app, agency, ("大文件.pdf", sample_pdf(pages=3)))
    run_relay(worker_config, session)
    mail = reply_mail(sink, req)
    assert [a.get_filename() for a in mail.iter_attachments()] == [
        f"政府信息公开申请答复书-{req.tracking_number}.pdf"
    ]
    body = mail.get_body(("plain",)).get_content()
    assert "上述文件较大，未随本邮件发送，请通过下方链接在查询页面下载" in body
    assert f"/track?tracking_number={req.tracking_number}" in body
