"""Downloads are offered under their Chinese name (filename*=UTF-8'') and, for the browsers that cannot
use it, under an ASCII name that still says what the file is (reply-CITYHR-2026-000001.pdf), never the
Chinese name stripped to "-CITYHR-2026-000001.pdf" or "release().pdf"; and the site's icon."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from flask.testing import FlaskClient
from werkzeug.http import parse_options_header

from tests.factories import People
from tests.web.conftest import login
from tests.web.test_staff import letter
from webapp.domain.attachments import content_disposition, record_attachment
from webapp.domain.documents import documents_of
from webapp.domain.requests import act

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def names(response: Any) -> tuple[str, str]:
    """The ASCII filename= and the UTF-8 filename* of a download."""
    header = response.headers["Content-Disposition"]
    ascii_name = header.split('filename="', 1)[1].split('"', 1)[0]
    utf8 = header.split("filename*=UTF-8''", 1)[1].split(";", 1)[0] if "filename*" in header else ascii_name
    assert "\r" not in header and "\n" not in header
    return ascii_name, unquote(utf8)


def test_documents_files_and_forms_have_ascii_names_that_say_what_they_are(
    client: FlaskClient, people: People, session: Any, app: Any
):
    req = letter(session, people)
    act(session, req, "reply", people.officer, now=dt.datetime.now(dt.UTC), outcome="not_exist")
    key = "cd" + "1" * 30 + ".pdf"
    folder = Path(app.config["ATTACHMENT_DIR"]) / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(PDF)
    att = record_attachment(
        session,
        req,
        filename="release（删除处理）.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="1" * 64,
        storage_key=key,
        uploaded_by=people.officer,
        now=dt.datetime.now(dt.UTC),
        purpose="release",
    )
    session.commit()
    tn = req.tracking_number
    reply = documents_of(session, req)[-1]
    login(client, people.officer)

    pdf = client.get(f"/staff/requests/{tn}/documents/{reply.public_id}.pdf")
    assert names(pdf) == (f"reply-{tn}.pdf", f"{reply.title}-{tn}.pdf")
    assert (
        parse_options_header(pdf.headers["Content-Disposition"])[1]["filename"] == f"{reply.title}-{tn}.pdf"
    )

    file = client.get(f"/staff/requests/{tn}/attachments/{att.id}")
    assert names(file) == (f"release-{tn}-{att.id}.pdf", "release（删除处理）.pdf")
    file.close()

    form = client.get(f"/staff/requests/{tn}/application-form.pdf")
    assert names(form) == (f"application-form-{tn}.pdf", f"政府信息公开申请表-{tn}.pdf")
    blank = client.get("/application-form.pdf?agency=CITYHR")
    assert names(blank)[0] == "application-form.pdf"


def test_an_ascii_name_is_offered_as_it_is():
    assert content_disposition("annex-two-2025.pdf", "x") == 'attachment; filename="annex-two-2025.pdf"'
    header = content_disposition("答复书.PDF", "reply-1", inline=True)
    assert header == "inline; filename=\"reply-1.pdf\"; filename*=UTF-8''%E7%AD%94%E5%A4%8D%E4%B9%A6.PDF"
    assert content_disposition("扫描件", "file-3").startswith('attachment; filename="file-3";')


def test_the_site_icon_is_served_and_linked(client: FlaskClient):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO
    assert icon.mimetype == "image/vnd.microsoft.icon"
    icon.close()
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    svg.close()
