"""Official documents on the pages: the officer drafts, edits and sends one; the applicant and staff
download them; the application form; the admin's document settings."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People, make_request, pdf_text
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today
from webapp.domain.documents import documents_of, pdf_of
from webapp.domain.requests import act
from webapp.models import DocumentSettings, Request


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_progress(session: Any, people: People) -> tuple[Request, str]:
    moment = now()
    req, code = make_request(
        session, moment, people.agency, received_on=china_today(moment), officer=people.officer
    )
    act(session, req, "accept", people.officer, now=moment)
    session.commit()
    return req, code


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return html_lib.unescape(found.group(1)).strip()


def test_the_officer_previews_edits_and_sends_the_reply(client: FlaskClient, people: People, session):
    req, _ = in_progress(session, people)
    login(client, people.officer)
    path = f"/staff/requests/{req.tracking_number}/actions/reply"
    fields = {
        "reply-version": str(req.version),
        "reply-outcome": "not_held",
        "reply-referred_agency": "示范市财政局",
        "reply-referred_phone": "010-87654321",
    }
    response = post(client, path, {**fields, "preview": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    draft = textarea(page, "reply-document_text")
    assert "负责公开该政府信息的行政机关为示范市财政局（电话：010-87654321）" in draft
    assert "第三十六条第（五）项" in draft
    assert 'class="official-doc"' in page  # the document as it will read
    assert "将发出的文书" in page
    assert 'id="action-reply" open' in page
    session.refresh(req)
    assert req.status == "in_progress"  # the preview sent nothing
    assert [d.kind for d in documents_of(session, req)] == ["receipt"]

    edited = draft + "\n如需帮助，请致电本机关。"
    response = post(client, path, {**fields, "reply-document_text": edited})
    assert response.status_code == 302
    session.refresh(req)
    assert req.status == "replied"
    doc = documents_of(session, req)[-1]
    assert doc.kind == "reply" and doc.edited
    assert doc.body == edited.replace("\r\n", "\n")
    assert doc.pdf is None  # rendered when first needed, off the officer's request

    page = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    link = f"/staff/requests/{req.tracking_number}/documents/{doc.public_id}.pdf"
    assert link in page and "经办人修改过正文" in page
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "如需帮助，请致电本机关。" in pdf_text(pdf.data)
    session.refresh(doc)
    assert doc.pdf == pdf.data  # stored by the first download, and served as stored from then on
    assert client.get(link).data == pdf.data


def test_preview_shows_what_is_wrong_and_sends_nothing(client: FlaskClient, people: People, session):
    req, _ = in_progress(session, people)
    login(client, people.officer)
    response = post(
        client,
        f"/staff/requests/{req.tracking_number}/actions/request_correction",
        {
            "request_correction-version": str(req.version),
            "request_correction-period_days": "5",
            "preview": "1",
        },
    )
    assert response.status_code == 422
    assert re.search(r'id="request_correction-items-error">.*必填', response.get_data(as_text=True))
    assert len(documents_of(session, req)) == 1


def test_another_agencys_staff_cannot_download(client: FlaskClient, people: People, session):
    req, _ = in_progress(session, people)
    doc = documents_of(session, req)[0]
    login(client, people.stranger)
    assert (
        client.get(f"/staff/requests/{req.tracking_number}/documents/{doc.public_id}.pdf").status_code == 404
    )
    assert client.get(f"/staff/requests/{req.tracking_number}/application-form.pdf").status_code == 404


def test_the_applicant_downloads_from_the_status_page(client: FlaskClient, people: People, session):
    req, code = in_progress(session, people)
    act(session, req, "reply", people.officer, now=now(), outcome="disclosed")
    session.commit()
    _receipt, reply = documents_of(session, req)
    url = f"/track/{req.tracking_number}/documents/{reply.public_id}.pdf"
    # before opening the request with its access code, this browser gets nothing
    assert client.get(url).status_code == 302
    response = post(client, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    page = client.get(response.location).get_data(as_text=True)
    assert "政府信息公开申请受理回执（PDF）" in page and "政府信息公开申请答复书（PDF）" in page
    assert url in page
    assert reply.number in page
    pdf = client.get(url)
    assert pdf.status_code == 200
    assert "予以公开" in pdf_text(pdf.data)


def test_the_application_form_blank_and_filled(client: FlaskClient, people: People, session):
    blank = client.get("/application-form.pdf?agency=CITYHR")
    assert blank.status_code == 200 and blank.mimetype == "application/pdf"
    assert "受理机关：示范市人力资源和社会保障局" in pdf_text(blank.data)
    assert "/application-form.pdf" in client.get("/").get_data(as_text=True)
    req, _ = in_progress(session, people)
    login(client, people.officer)
    filled = client.get(f"/staff/requests/{req.tracking_number}/application-form.pdf")
    assert filled.status_code == 200
    text = pdf_text(filled.data)
    assert "张三" in text and req.tracking_number in text and "申请公开2023年度部门预算" in text


def test_the_admin_sets_the_letterhead_and_number_scheme(client: FlaskClient, people: People, session):
    login(client, people.admin)
    path = "/admin/agencies/CITYHR/documents"
    response = post(client, path, {"documents-number_scheme": "{short}〔{year}〕号"})
    assert response.status_code == 422
    assert re.search(r'id="documents-number_scheme-error">.*\{seq\}', response.get_data(as_text=True))
    response = post(
        client,
        path,
        {
            "documents-letterhead": "示范市人力资源和社会保障局办公室",
            "documents-short_name": "示人社",
            "documents-number_scheme": "{short}{kind}〔{year}〕{seq}号",
            "documents-phone": "010-87654321",
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        "/admin/agencies/CITYHR/texts/receipt",
        {"text": "{applicant}：\n我局已收到您的申请，将于{due_on}前答复。", "save": "1"},
    )
    assert response.status_code == 302
    settings = session.get(DocumentSettings, people.agency.id)
    assert settings.short_name == "示人社" and settings.overrides == {
        "receipt": "{applicant}：\n我局已收到您的申请，将于{due_on}前答复。"
    }
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert 'value="示人社"' in page
    req, _ = in_progress(session, people)
    receipt = documents_of(session, req)[0]
    assert receipt.number == f"示人社受〔{req.received_on.year}〕1号"
    text = pdf_text(pdf_of(session, receipt))
    assert "示范市人力资源和社会保障局办公室" in text and "联系电话：010-87654321" in text
    assert "我局已收到您的申请，将于" in text


def test_the_letter_to_a_consulted_third_party_is_on_the_staff_page(
    client: FlaskClient, people: People, session
):
    req, _ = in_progress(session, people)
    act(session, req, "start_consultation", people.officer, now=now(), party="某某科技有限公司")
    session.commit()
    letter = next(d for d in documents_of(session, req) if d.kind == "consultation_letter")
    login(client, people.officer)
    page = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    link = f"/staff/requests/{req.tracking_number}/documents/{letter.public_id}.pdf"
    assert link in page
    pdf = client.get(link)
    assert pdf.status_code == 200 and "某某科技有限公司：" in pdf_text(pdf.data)
