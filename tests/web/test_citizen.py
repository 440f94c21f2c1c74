"""The citizen's pages through the test client: applying (with errors beside the fields), the receipt,
tracking with the number and the access code, correcting, withdrawing, and the language switch."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import VALID_RESIDENT_ID, People, make_request
from tests.web.conftest import csrf_token, post
from webapp.domain.calendar import china_today
from webapp.domain.requests import act
from webapp.domain.states import Status
from webapp.models import Request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def application(**overrides: Any) -> dict[str, Any]:
    form = {
        "agency": "CITYHR",
        "applicant_type": "natural_person",
        "name": "张三",
        "id_kind": "resident_id",
        "id_number": VALID_RESIDENT_ID,
        "phone": "13900000000",
        "email": "zhangsan@example.cn",
        "address": "",
        "description": "申请公开2025年度部门预算",
        "document_number": "",
        "purpose": "",
        "delivery": "email",
    }
    form.update(overrides)
    return form


def error_beside(html: str, field: str) -> str:
    """The error shown beside a field (its id-error paragraph), checked to be tied to the input."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {field}"
    assert re.search(
        rf'id="{re.escape(field)}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html
    )
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_the_home_page_is_chinese_first(client: FlaskClient, people: People):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "政府信息公开申请" in html
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Government information disclosure" in html


def test_the_language_switch_is_kept_in_the_session(client: FlaskClient, people: People):
    response = client.get("/lang/en?next=/apply")
    assert response.location == "/apply"
    assert "Application for government information" in client.get("/apply").get_data(as_text=True)
    client.get("/lang/zh?next=https://evil.example/")
    assert "政府信息公开申请表" in client.get("/apply").get_data(as_text=True)
    assert client.get("/lang/zh?next=//evil.example").location == "/"


def test_applying_gives_a_receipt_with_number_code_and_due_date(client: FlaskClient, people: People, session):
    response = post(
        client,
        "/apply",
        {**application(), "attachments": [(io.BytesIO(PNG), "身份证.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location == "/apply/receipt"
    req = session.scalars(select(Request).order_by(Request.id.desc())).first()
    assert (req.channel, req.status, req.applicant_id_number) == ("online", "received", VALID_RESIDENT_ID)
    assert [a.filename for a in req.attachments] == ["身份证.png"]
    html = client.get("/apply/receipt").get_data(as_text=True)
    assert req.tracking_number in html
    code = re.search(r'id="access-code">([A-Z0-9-]+)<', html).group(1)
    assert len(code) == 19
    assert f"{req.due_on.year}年{req.due_on.month}月{req.due_on.day}日" in html
    assert "受理回执" in html and "第三十三条" in html
    # The code works on the tracking page, in another browser.
    other = client.application.test_client()
    response = post(other, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    assert response.location == f"/track/{req.tracking_number}"
    assert code not in response.location
    assert "已收到" in other.get(response.location).get_data(as_text=True)


def test_field_errors_are_shown_beside_the_fields(client: FlaskClient, people: People):
    response = post(client, "/apply", application(name="", description="", id_number="110105194912310021"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_beside(html, "name").endswith("必填")
    assert error_beside(html, "description").endswith("必填")
    # The form's own check passed these; the domain's rules put them beside the inputs too.
    response = post(client, "/apply", application(id_number="110105194912310021", phone="", email="x"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "校验位" in error_beside(html, "id_number")
    assert "电子邮箱格式不正确" in error_beside(html, "email")
    assert 'class="error-summary"' in html and 'href="#id_number"' in html
    assert 'value="张三"' in html  # what was typed is kept


def test_the_contact_the_delivery_needs_is_asked_for_beside_its_input(client: FlaskClient, people: People):
    response = post(client, "/apply", application(phone="", email="", address=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "须填写电子邮箱" in error_beside(html, "email")
    assert 'href="#email"' in html
    response = post(client, "/apply", application(delivery="post", address=""))
    assert "须填写通信地址" in error_beside(response.get_data(as_text=True), "address")


def test_a_file_that_is_not_a_scan_refuses_the_form_and_stores_nothing(client, people: People, session):
    count = len(session.scalars(select(Request)).all())
    response = post(
        client,
        "/apply",
        {**application(), "attachments": [(io.BytesIO(b"MZ not a scan"), "virus.exe")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "只接受PDF、PNG、JPEG、TIFF文件" in error_beside(response.get_data(as_text=True), "attachments")
    assert len(session.scalars(select(Request)).all()) == count


def test_a_choice_not_offered_is_refused(client: FlaskClient, people: People):
    response = post(client, "/apply", application(agency="NOSUCH", delivery="carrier-pigeon"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请从列表中选择" in error_beside(html, "agency")
    assert "请从列表中选择" in html


def test_a_wrong_code_reads_exactly_as_a_missing_request(client: FlaskClient, people: People, session):
    now = dt.datetime.now(dt.UTC)
    req, _ = make_request(session, now, people.agency, received_on=china_today(now), officer=people.officer)
    session.commit()
    wrong = post(
        client, "/track", {"tracking_number": req.tracking_number, "access_code": "AAAA-BBBB-CCCC-DDDD"}
    )
    missing = post(
        client, "/track", {"tracking_number": "CITYHR-1999-000001", "access_code": "AAAA-BBBB-CCCC-DDDD"}
    )
    assert wrong.status_code == missing.status_code == 422

    def message(r: Any) -> str:
        return re.search(r'<div class="error-summary".*?</div>', r.get_data(as_text=True), re.S).group(0)

    assert message(wrong) == message(missing)
    assert "申请编号或查询码不正确" in message(wrong)
    assert client.get(f"/track/{req.tracking_number}").location == "/track"


def track(client: FlaskClient, req: Request, code: str) -> str:
    response = post(client, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def test_the_status_page_shows_public_history_only(client: FlaskClient, people: People, session):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    act(session, req, "comment", people.officer, now=now, note="内部：申请人是老上访户")
    act(session, req, "accept", people.officer, now=now)
    session.commit()
    html = track(client, req, code)
    assert "受理" in html and "老上访户" not in html and people.officer.email not in html
    assert "政府信息公开申请受理回执（PDF）" in html  # the document the receipt event sent, to download


def test_correcting_when_asked(client: FlaskClient, people: People, session):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    act(session, req, "request_correction", people.officer, now=now, items="请写明年度", period_days=10)
    session.commit()
    html = track(client, req, code)
    assert "请补正申请" in html and "请写明年度" in html and "前提交补正" in html
    path = f"/track/{req.tracking_number}/correction"
    response = post(client, path, {"text": ""})
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "text").endswith("必填")
    response = post(
        client,
        path,
        {"text": "2025年度", "attachments": [(io.BytesIO(PNG), "补充.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    session.refresh(req)
    assert req.status == Status.IN_PROGRESS
    assert [e.type for e in req.events][-2:] == ["attachment_added", "correction_received"]
    html = client.get(f"/track/{req.tracking_number}").get_data(as_text=True)
    assert "补正已提交" in html and "请补正申请" not in html
    # A second correction is refused by the domain (no longer awaiting one): shown, nothing changes.
    response = post(client, path, {"text": "again"})
    assert response.status_code == 409
    assert "不能收到补正" in response.get_data(as_text=True)


def test_withdrawing_needs_the_confirmation(client: FlaskClient, people: People, session):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    session.commit()
    track(client, req, code)
    path = f"/track/{req.tracking_number}/withdraw"
    response = post(client, path, {"reason": "已获得"})
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "confirm").endswith("必填")
    assert post(client, path, {"reason": "已获得", "confirm": "y"}).status_code == 302
    session.refresh(req)
    assert (req.status, req.outcome) == (Status.REPLIED, "closed_other")


def test_leaving_forgets_the_opened_requests(client: FlaskClient, people: People, session):
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    session.commit()
    track(client, req, code)
    assert client.get(f"/track/{req.tracking_number}").status_code == 200
    post(client, "/track/forget")
    assert client.get(f"/track/{req.tracking_number}").location == "/track"
    assert client.get("/apply/receipt").location == "/track"


def test_pages_send_safe_headers_and_load_nothing_from_elsewhere(client: FlaskClient, people: People):
    response = client.get("/apply")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html
    assert not re.search(r'(src|href|action)="(https?:)?//', html)
    assert csrf_token(client)


def test_an_unknown_address_gets_the_chinese_page_and_the_api_its_json(client: FlaskClient, people: People):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "页面不存在" in html and "<html" in html
    assert "Content-Security-Policy" in page.headers

    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json
    assert api.get_json()["error"]["code"] == "not_found"
