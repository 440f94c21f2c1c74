"""Uploads are judged by their content, not their name: only real PDF, PNG, JPEG and TIFF files up to
10 MB are kept, each under a generated name in the attachment directory; downloads say `attachment`
with a safe name, the type the content was found to be, and `nosniff`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header
from werkzeug.test import encode_multipart

from tests.factories import VALID_RESIDENT_ID, People
from tests.web.conftest import login, post, stored_files
from webapp.domain.attachments import MAX_BYTES, record_attachment
from webapp.models import Attachment, Request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

DISGUISED = {
    "an HTML page named .pdf": ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    "a Windows executable named .pdf": ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56),
    "an SVG named .png": ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
    "a ZIP named .jpg": ("photo.jpg", b"PK\x03\x04" + b"\x00" * 40),
    "a shell script named .tif": ("scan.tif", b"#!/bin/sh\nrm -rf /\n"),
    "an empty file": ("empty.pdf", b""),
}


@pytest.fixture
def applicant(client: FlaskClient, people: People) -> dict[str, str]:
    answer = client.post(
        "/api/v1/requests",
        json={
            "agency": "CITYHR",
            "applicant": {
                "type": "natural_person",
                "name": "张三",
                "id_number": VALID_RESIDENT_ID,
                "phone": "13900000000",
            },
            "description": "申请公开预算",
            "delivery": "pickup",
        },
    )
    assert answer.status_code == 201
    return {"tracking_number": answer.json["tracking_number"], "code": answer.json["access_code"]}


def upload(
    client: FlaskClient, who: dict[str, str], name: str, data: bytes, mimetype: str = "application/pdf"
):
    # encoded in memory (the test client would spool a large body to a temporary file it never closes)
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name, content_type=mimetype)})
    return client.post(
        f"/api/v1/requests/{who['tracking_number']}/attachments",
        headers={"X-Access-Code": who["code"]},
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize("case", list(DISGUISED))
def test_a_file_disguised_by_its_name_is_refused(
    app: Flask, client: FlaskClient, applicant: dict[str, str], session: Any, case: str
):
    name, data = DISGUISED[case]
    before = stored_files(app)
    answer = upload(client, applicant, name, data)
    assert answer.status_code == 422, answer.text
    assert "file" in answer.json["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(app) == before


def test_a_file_over_10_mb_is_refused(
    app: Flask, client: FlaskClient, applicant: dict[str, str], session: Any
):
    before = stored_files(app)
    answer = upload(client, applicant, "big.pdf", PDF + b"0" * (MAX_BYTES + 1 - len(PDF)))
    assert answer.status_code == 422
    assert "10MB" in answer.json["error"]["fields"]["file"]
    assert stored_files(app) == before
    assert upload(client, applicant, "ok.pdf", PDF + b"0" * (MAX_BYTES - len(PDF))).status_code == 201


def test_a_bidi_override_does_not_survive_in_the_stored_name(
    client: FlaskClient, applicant: dict[str, str], session: Any
):
    answer = upload(client, applicant, "invoice\u202efdp.exe", PDF)
    assert answer.status_code == 201
    assert answer.json["filename"] == "invoicefdp.exe.pdf"
    assert session.scalar(select(Attachment.filename)) == "invoicefdp.exe.pdf"


def test_a_file_is_stored_under_a_generated_name_never_the_clients(
    app: Flask, client: FlaskClient, applicant: dict[str, str], session: Any
):
    before = set(stored_files(app))
    answer = upload(client, applicant, "../../../../tmp/evil.pdf", PDF)
    assert answer.status_code == 201
    assert answer.json["filename"] == "evil.pdf"
    assert answer.json["content_type"] == "application/pdf"
    new = set(stored_files(app)) - before
    assert len(new) == 1
    (path,) = new
    assert path.read_bytes() == PDF
    assert "evil" not in path.name and path.name.endswith(".pdf") and len(path.stem) == 32
    assert path.parent.parent == Path(app.config["ATTACHMENT_DIR"])


def check_download(response: Any, content_type: str, filename: str) -> None:
    assert response.status_code == 200
    assert response.mimetype == content_type
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert parse_options_header(disposition)[1]["filename"] == filename
    assert "\r" not in disposition and "\n" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_downloads_say_attachment_with_the_sniffed_type_and_nosniff(
    app: Flask, client: FlaskClient, applicant: dict[str, str], people: People
):
    # The browser claimed text/html and a name ending .html: the content is a PNG, and so is the download.
    answer = upload(client, applicant, "x;y.html", PNG, mimetype="text/html")
    assert answer.status_code == 201
    assert answer.json["content_type"] == "image/png"
    assert answer.json["filename"] == "x_y.html.png"
    number, file_id = applicant["tracking_number"], answer.json["id"]

    by_api = client.get(answer.json["url"], headers={"X-Access-Code": applicant["code"]})
    check_download(by_api, "image/png", "x_y.html.png")

    post(client, "/track", {"tracking_number": number, "access_code": applicant["code"]})
    check_download(client.get(f"/track/{number}/attachments/{file_id}"), "image/png", "x_y.html.png")

    login(client, people.officer)
    check_download(client.get(f"/staff/requests/{number}/attachments/{file_id}"), "image/png", "x_y.html.png")


def test_a_name_stored_before_it_was_cleaned_is_cleaned_on_download(
    app: Flask, client: FlaskClient, applicant: dict[str, str], session: Any
):
    """A row of an older version, with a header-breaking name: the download is still safe (not a 500)."""
    req = session.scalar(select(Request).where(Request.tracking_number == applicant["tracking_number"]))
    key = "ab" + "0" * 30 + ".png"
    path = Path(app.config["ATTACHMENT_DIR"]) / key[:2] / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    att = record_attachment(
        session,
        req,
        filename='x"y\r\nX-Evil: 1.html',
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
        storage_key=key,
        uploaded_by=None,
        now=dt.datetime.now(dt.UTC),
    )
    session.commit()
    response = client.get(
        f"/api/v1/requests/{req.tracking_number}/attachments/{att.id}",
        headers={"X-Access-Code": applicant["code"]},
    )
    check_download(response, "image/png", "x_y__X-Evil_ 1.html.png")
    assert "X-Evil" not in response.headers


def test_staff_uploads_on_the_page_are_checked_the_same_way(
    client: FlaskClient, applicant: dict[str, str], people: People, session: Any
):
    login(client, people.officer)
    number = applicant["tracking_number"]
    page = f"/staff/requests/{number}/attachments"
    refused = post(
        client, page, {"attachments": (io.BytesIO(DISGUISED["an HTML page named .pdf"][1]), "letter.pdf")}
    )
    assert refused.status_code == 302
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert "只接受PDF" in client.get(f"/staff/requests/{number}").text
    kept = post(client, page, {"attachments": (io.BytesIO(PDF), "letter.pdf")})
    assert kept.status_code == 302
    assert session.scalar(select(Attachment.filename)) == "letter.pdf"
