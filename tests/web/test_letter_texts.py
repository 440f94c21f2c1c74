"""An agency's own letter texts on the administrator's text editor (docs/rules.md §Letters): the reply per
outcome and every notice to the applicant, the fields listed beside the text, the built-in text to start
from, a preview on one of the agency's requests (nothing saved), the text checked when saved, and a letter
already sent that keeps its words when the text changes."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import FEE_PAYMENT, People, make_request
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today
from webapp.domain.documents import documents_of
from webapp.domain.requests import act
from webapp.models import DocumentSettings, Request
from webapp.models.document import Document


def as_made(session: Any, people: People) -> bool:
    """The agency's document settings as the test world made them: nothing the refused form wrote."""
    session.expire_all()
    settings = session.get(DocumentSettings, people.agency.id)
    return settings.overrides == {} and settings.number_scheme == "" and settings.fee_payment == FEE_PAYMENT


TEXTS = "/admin/agencies/CITYHR/texts"
DISCLOSED = f"{TEXTS}/reply:disclosed"
OWN = "{applicant}：\n本局决定公开您申请的信息（{tracking_number}）。\n{note}\n{remedy}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_progress(session: Any, people: People, agency: Any = None) -> Request:
    moment = now()
    agency = agency or people.agency
    officer = people.officer if agency is people.agency else people.stranger
    req, _ = make_request(session, moment, agency, received_on=china_today(moment), officer=officer)
    act(session, req, "accept", officer, now=moment)
    session.commit()
    return req


def text_of(page: str, selector_id: str) -> str:
    """The text of the element of this id, up to its end (or, for the previews, up to the next one)."""
    end = r'id="preview-built-in"|</section>' if selector_id.startswith("preview") else r"</(?:pre|dl|p)>"
    found = re.search(rf'id="{selector_id}"[^>]*>(.*?)(?:{end})', page, re.S)
    assert found, f"no #{selector_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def error_of(page: str, field: str) -> str:
    return text_of(page, f"{field}-error")


def reply(session: Any, people: People, req: Request) -> Document:
    act(session, req, "reply", people.officer, now=now(), outcome="disclosed", note="请查收。")
    session.commit()
    return next(d for d in documents_of(session, req) if d.kind == "reply")


def test_every_reply_outcome_and_every_notice_to_the_applicant_is_listed(client: FlaskClient, people: People):
    login(client, people.admin)
    page = client.get(TEXTS).get_data(as_text=True)
    for name in (
        "答复书（予以公开）",
        "答复书（不予处理：重复申请）",
        "受理回执",
        "说明理由告知书",
        "延迟答复告知书",
    ):
        assert name in page
    assert "征求第三方意见书" not in page  # a letter to the third party keeps the generated text
    agency_page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert f'href="{TEXTS}"' in agency_page


def test_the_editor_lists_the_fields_and_the_built_in_text(client: FlaskClient, people: People):
    login(client, people.admin)
    page = client.get(DISCLOSED).get_data(as_text=True)
    fields = text_of(page, "fields")
    assert "{applicant}" in fields and "申请人姓名或名称" in fields
    assert "{default}" in fields and "{remedy}" in fields
    starter = text_of(page, "starter")
    assert (
        "本机关决定予以公开" in starter
        and "第三十六条第（一）项" in starter
        and "{tracking_number}" in starter
    )


@pytest.mark.parametrize(
    ("text", "named"), [("{applicant}：{nmae}", "{nmae}"), ("尊敬的{applicant：", "“{”没有对应的“}”")]
)
def test_a_bad_text_is_refused_naming_it_and_nothing_is_saved(
    client: FlaskClient, people: People, session: Any, text: str, named: str
):
    login(client, people.admin)
    response = post(client, DISCLOSED, {"text": text, "save": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert named in error_of(page, "text")
    assert as_made(session, people)


def test_the_preview_shows_the_unsaved_text_on_a_request_and_keeps_nothing(
    client: FlaskClient, people: People, session: Any
):
    req = in_progress(session, people)
    login(client, people.admin)
    response = post(client, DISCLOSED, {"text": OWN, "tracking_number": req.tracking_number, "preview": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    own = text_of(page, "preview-own")
    assert f"本局决定公开您申请的信息（{req.tracking_number}）。" in own
    assert "第五十一条" in own  # {remedy}
    assert "本机关决定予以公开" in text_of(page, "preview-built-in")
    session.expire_all()
    assert as_made(session, people)
    assert session.get(Request, req.id).status == "in_progress"
    count = select(func.count()).select_from(Document).where(Document.request_id == req.id)
    assert session.execute(count).scalar_one() == 1  # the receipt only


def test_a_notice_is_previewed_on_the_request_it_was_sent_for(
    client: FlaskClient, people: People, session: Any
):
    req = in_progress(session, people)
    login(client, people.admin)
    text = "{applicant}：\n我局已登记您的申请{tracking_number}。"
    response = post(
        client, f"{TEXTS}/receipt", {"text": text, "tracking_number": req.tracking_number, "preview": "1"}
    )
    assert response.status_code == 200
    assert f"我局已登记您的申请{req.tracking_number}。" in text_of(
        response.get_data(as_text=True), "preview-own"
    )
    response = post(
        client, f"{TEXTS}/fee_notice", {"text": text, "tracking_number": req.tracking_number, "preview": "1"}
    )
    assert response.status_code == 422
    assert "没有发出过信息处理费缴费通知书" in error_of(response.get_data(as_text=True), "tracking_number")


def test_another_agencys_request_is_not_previewed(client: FlaskClient, people: People, session: Any):
    theirs = in_progress(session, people, people.other_agency)
    login(client, people.admin)
    response = post(
        client, DISCLOSED, {"text": OWN, "tracking_number": theirs.tracking_number, "preview": "1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "本机关没有这个申请编号的申请" in error_of(page, "tracking_number")
    assert theirs.applicant_name not in page


def test_an_officer_cannot_open_the_editor(client: FlaskClient, people: People):
    """Agency B's administrator meets a 404: tests/test_authz_matrix.py."""
    login(client, people.officer)
    assert client.get(DISCLOSED).status_code == 403


def test_the_platform_administrator_opens_the_editor(client: FlaskClient, people: People):
    login(client, people.platform)
    assert client.get(DISCLOSED).status_code == 200
    assert client.get(f"{TEXTS}/consultation_letter").status_code == 404  # not an applicant's letter


def test_a_letter_sent_keeps_its_text_and_the_next_uses_the_new_one(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.admin)
    assert post(client, DISCLOSED, {"text": OWN, "save": "1"}).status_code == 302
    first = reply(session, people, in_progress(session, people))
    assert first.body.startswith("张三：\n本局决定公开您申请的信息")
    sent = first.body

    changed = "{applicant}：\n经审查，本局同意公开（{tracking_number}）。\n{remedy}"
    assert post(client, DISCLOSED, {"text": changed, "save": "1"}).status_code == 302
    session.expire_all()
    assert session.get(Document, first.id).body == sent  # the letter sent keeps its words
    second = reply(session, people, in_progress(session, people))
    assert "经审查，本局同意公开" in second.body and "本局决定公开" not in second.body

    # Another outcome keeps the built-in text; back to empty, 予以公开 does too.
    assert post(client, DISCLOSED, {"text": "", "save": "1"}).status_code == 302
    third = reply(session, people, in_progress(session, people))
    assert "本机关决定予以公开" in third.body
    assert session.get(Document, first.id).body == sent


def test_a_reply_of_another_outcome_keeps_the_built_in_text(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.admin)
    assert post(client, DISCLOSED, {"text": OWN, "save": "1"}).status_code == 302
    req = in_progress(session, people)
    act(session, req, "reply", people.officer, now=now(), outcome="not_exist")
    session.commit()
    letter = next(d for d in documents_of(session, req) if d.kind == "reply")
    assert "该政府信息不存在" in letter.body and "本局决定公开" not in letter.body


def test_a_reply_is_previewed_on_a_request_already_replied_with_that_outcome(
    client: FlaskClient, people: People, session: Any
):
    req = in_progress(session, people)
    reply(session, people, req)
    login(client, people.admin)
    response = post(client, DISCLOSED, {"text": OWN, "tracking_number": req.tracking_number, "preview": "1"})
    assert response.status_code == 200
    own = text_of(response.get_data(as_text=True), "preview-own")
    assert "本局决定公开您申请的信息" in own and "请查收。" in own  # the note of the reply sent
    response = post(
        client,
        f"{TEXTS}/reply:not_exist",
        {"text": OWN, "tracking_number": req.tracking_number, "preview": "1"},
    )
    assert response.status_code == 422
    assert "没有发出过答复书（无法提供：信息不存在）" in error_of(
        response.get_data(as_text=True), "tracking_number"
    )


def test_a_partial_disclosure_is_previewed_with_an_example_of_a_part_withheld(
    client: FlaskClient, people: People, session: Any
):
    req = in_progress(session, people)
    login(client, people.admin)
    response = post(
        client,
        f"{TEXTS}/reply:partially_disclosed",
        {"text": "{applicant}：\n{default}", "tracking_number": req.tracking_number, "preview": "1"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "（示例：不予公开的部分）" in text_of(response.get_data(as_text=True), "preview-own")


def test_a_step_notice_carries_the_agencys_own_text(client: FlaskClient, people: People, session: Any):
    login(client, people.admin)
    text = "{applicant}：\n请说明理由。情形：{note}\n{default}"
    assert post(client, f"{TEXTS}/reasons_notice", {"text": text, "save": "1"}).status_code == 302
    req = in_progress(session, people)
    act(session, req, "request_reasons", people.officer, now=now(), items="一个月内申请120件", period_days=10)
    session.commit()
    notice = next(d for d in documents_of(session, req) if d.kind == "reasons_notice")
    assert notice.body.startswith("张三：\n请说明理由。情形：一个月内申请120件\n本机关于")


@pytest.mark.parametrize("kind", ["fee_notice", "correction_notice", "reasons_notice"])
def test_a_notice_sent_as_the_count_stops_refuses_the_due_date_when_saved(
    client: FlaskClient, people: People, session: Any, kind: str
):
    """Such a notice has no due date to write: a text with {due_on} was once saved and then never used,
    silently; it is refused when saved, the reason beside the text."""
    login(client, people.admin)
    text = "{applicant}：请于{due_on}前缴费。{default}"
    response = post(client, f"{TEXTS}/{kind}", {"text": text, "save": "1"})
    assert response.status_code == 422
    assert "暂停计算" in error_of(response.get_data(as_text=True), "text")
    assert as_made(session, people)
    # the same field in a letter sent while the count runs is kept
    extension = {"text": "延长至{due_on}。", "save": "1"}
    assert post(client, f"{TEXTS}/extension_notice", extension).status_code == 302
