"""Uploads stop at the request's cap (files and bytes, per agency, the applicant's and the staff's counted
apart) with a 413 that names the limit — on the pages beside the file input, in the API's error body —
and nothing of a refused upload is kept: no file on disk, no attachment row, no history event."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.domain.test_mailbox import OWN
from tests.factories import People, mail, make_request
from tests.web.conftest import login, post, stored_files
from tests.web.test_citizen import application, error_beside, track
from webapp.domain.calendar import china_today
from webapp.domain.mailbox import ingest
from webapp.domain.requests import act
from webapp.domain.upload_limits import UploadLimits, limits_for, save_limits
from webapp.models import Agency, Attachment, Event, Request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024


def api_upload(
    client: FlaskClient, number: str, headers: dict[str, str], data: bytes = PDF, **kw: Any
) -> Any:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "scan.pdf", "application/pdf")})
    return client.post(
        f"/api/v1/requests/{number}/attachments",
        headers=headers,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        **kw,
    )


def beside(html: str, field: str) -> str:
    """The error beside a field's input, without its "错误：" label for screen readers."""
    return error_beside(html, field).removeprefix("错误：")


def cap(session: Any, agency: Agency, **limits: int) -> None:
    save_limits(session, agency, limits)
    session.commit()


def counts(session: Any, req: Request) -> tuple[int, int]:
    """(attachments, history events) of the request, as the database has them."""
    session.expire_all()
    files = session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.request_id == req.id)
    )
    events = session.scalar(select(func.count()).select_from(Event).where(Event.request_id == req.id))
    return files, events


def open_request(session: Any, people: People) -> tuple[Request, str]:
    now = dt.datetime.now(dt.UTC)
    req, code = make_request(
        session, now, people.agency, received_on=china_today(now), officer=people.officer
    )
    session.commit()
    return req, code


def test_the_defaults_are_beyond_any_real_applicant_and_set_per_agency(session: Any, people: People):
    assert limits_for(people.agency) == UploadLimits(20, 100, 200, 1000)
    cap(session, people.agency, applicant_files=5, applicant_mb=None)
    assert limits_for(people.agency) == UploadLimits(5, 100, 200, 1000)
    assert limits_for(people.other_agency) == UploadLimits(20, 100, 200, 1000)


def test_the_api_refuses_the_applicants_file_past_the_cap_and_keeps_nothing(
    app: Flask, client: FlaskClient, session: Any, people: People
):
    req, code = open_request(session, people)
    cap(session, people.agency, applicant_files=2)
    headers = {"X-Access-Code": code}
    for _ in range(2):
        assert api_upload(client, req.tracking_number, headers).status_code == 201
    before, kept = stored_files(app), counts(session, req)
    refused = api_upload(client, req.tracking_number, headers)
    assert refused.status_code == 413
    assert refused.json["error"] == {
        "code": "payload_too_large",
        "message": "每件申请最多上传2个文件，已上传2个",
        "fields": {"file": "每件申请最多上传2个文件，已上传2个"},
    }
    english = api_upload(client, req.tracking_number, {**headers, "Accept-Language": "en"})
    assert english.json["error"]["message"] == "At most 2 files may be uploaded per request; 2 already are"
    assert stored_files(app) == before
    assert counts(session, req) == kept


def test_the_api_refuses_a_file_past_the_requests_bytes(
    app: Flask, client: FlaskClient, session: Any, people: People
):
    req, code = open_request(session, people)
    cap(session, people.agency, applicant_mb=1)
    headers = {"X-Access-Code": code}
    big = PDF + b"0" * (MB * 6 // 10)
    assert api_upload(client, req.tracking_number, headers, big).status_code == 201
    before, kept = stored_files(app), counts(session, req)
    refused = api_upload(client, req.tracking_number, headers, big)
    assert refused.status_code == 413
    assert refused.json["error"]["message"] == "每件申请上传的文件总计不能超过1MB，已上传0.6MB"
    assert stored_files(app) == before and counts(session, req) == kept
    assert api_upload(client, req.tracking_number, headers, PDF).status_code == 201  # a small one fits


def test_staff_files_have_their_own_cap(app: Flask, client: FlaskClient, session: Any, people: People):
    req, code = open_request(session, people)
    cap(session, people.agency, applicant_files=1, staff_files=2)
    assert api_upload(client, req.tracking_number, {"X-Access-Code": code}).status_code == 201
    assert api_upload(client, req.tracking_number, {"X-Access-Code": code}).status_code == 413
    # the applicant's full quota does not stop the officer, whose own cap does (the pages' upload)
    login(client, people.officer)
    page = f"/staff/requests/{req.tracking_number}/attachments"
    for _ in range(2):
        assert post(client, page, {"attachments": (io.BytesIO(PDF), "letter.pdf")}).status_code == 302
    before, kept = stored_files(app), counts(session, req)
    refused = post(client, page, {"attachments": (io.BytesIO(PDF), "letter.pdf")})
    assert refused.status_code == 413
    assert beside(refused.text, "attachments") == "每件申请最多上传2个文件，已上传2个"
    assert stored_files(app) == before and counts(session, req) == kept


def test_a_correction_with_files_past_the_cap_is_refused_whole(
    app: Flask, client: FlaskClient, session: Any, people: People
):
    req, code = open_request(session, people)
    act(
        session,
        req,
        "request_correction",
        people.officer,
        now=dt.datetime.now(dt.UTC),
        items="补充",
        period_days=10,
    )
    session.commit()
    cap(session, people.agency, applicant_files=1)
    track(client, req, code)
    before, kept = stored_files(app), counts(session, req)
    refused = post(
        client,
        f"/track/{req.tracking_number}/correction",
        {"text": "补正", "attachments": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert beside(refused.text, "attachments") == "每件申请最多上传1个文件，已上传1个"
    # the first file was written before the second was refused: it is gone with the transaction
    assert stored_files(app) == before
    assert counts(session, req) == kept
    session.refresh(req)
    assert req.status == "awaiting_correction"


def test_an_application_with_more_files_than_the_cap_is_not_submitted(
    app: Flask, client: FlaskClient, session: Any, people: People
):
    cap(session, people.agency, applicant_files=2)
    before = stored_files(app)
    files = [(io.BytesIO(PDF), f"{i}.pdf") for i in range(3)]
    refused = post(client, "/apply", application(attachments=files), content_type="multipart/form-data")
    assert refused.status_code == 413
    assert beside(refused.text, "attachments") == "每件申请最多上传2个文件，已上传2个"
    assert stored_files(app) == before
    assert session.scalar(select(func.count()).select_from(Request)) == 0


def test_the_admin_sets_the_agencys_limits(client: FlaskClient, session: Any, people: People):
    login(client, people.admin)
    page = client.get("/admin/agencies/CITYHR").text
    assert "上传限额" in page and 'value="20"' in page
    path = "/admin/agencies/CITYHR/upload-limits"
    fields = {"applicant_files": "5", "applicant_mb": "50", "staff_files": "", "staff_mb": "0"}
    refused = post(client, path, {f"limits-{k}": v for k, v in fields.items()})
    assert refused.status_code == 422
    assert beside(refused.text, "limits-staff_mb") == "应为1至10000之间的整数"
    fields["staff_mb"] = "300"
    assert post(client, path, {f"limits-{k}": v for k, v in fields.items()}).status_code == 302
    session.expire_all()
    assert limits_for(session.get(Agency, people.agency.id)) == UploadLimits(5, 50, 200, 300)


def test_a_mail_with_more_attachments_than_the_cap_keeps_the_first_ones(
    app: Flask, session: Any, people: People, tmp_path: Path
):
    cap(session, people.agency, applicant_files=2)
    files = tuple((f"{i}.pdf", PDF, "application/pdf") for i in range(3))
    row = ingest(
        session,
        people.agency,
        mail(attachments=files),
        now=dt.datetime.now(dt.UTC),
        inbound_dir=tmp_path / "inbound",
        attachment_dir=tmp_path / "attachments",
        own_domain=OWN,
    )
    session.commit()
    assert row is not None and row.request_id is not None
    req = session.get(Request, row.request_id)
    assert [a.filename for a in req.attachments] == ["0.pdf", "1.pdf"]
    assert row.skipped_attachments == ["2.pdf"]
    assert req.events[-1].note.endswith("超过上传限额），请查看原始邮件：2.pdf")
    assert len([p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]) == 2
