"""Every staff page in English: a request with a full history (each kind of event, the product's own notes,
a calendar change, an assignment), the queue, the approvals and mail pages, the account page and every
administration page. The test fails on any raw code of the vocabulary shown as text, and on any Chinese
text that is one of the catalogue's messages (an untranslated msgid); Chinese left on the page is only
what people wrote (names, descriptions, notes) and the official documents (Chinese letters, their titles)."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.factories import People, make_request, sample_pdf
from tests.web.conftest import login
from webapp.domain import documents, states
from webapp.domain.attachments import store_attachment
from webapp.domain.calendar import china_today
from webapp.domain.release_files import record_emailed
from webapp.domain.requests import act, applicant_correct, set_calendar_day
from webapp.models import OutboxMessage, Request, User

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
ENGLISH_LETTERS = 20  # an English sentence may quote Chinese (an example: “示人社公开”, 补休)
SHOWN_AS_IS = {"中文", "公"}  # the switch to Chinese names it in Chinese; the logo's glyph
CODES = {
    str(code)
    for table in (
        states.STATUS_LABELS,
        states.ACTION_LABELS,
        states.EVENT_LABELS,
        states.OUTCOME_LABELS,
        states.CHANNEL_LABELS,
        states.NOTICE_LABELS,
        states.ROLE_LABELS,
        states.APPLICANT_TYPE_LABELS,
        states.DELIVERY_LABELS,
    )
    for code in table
    if "_" in str(code)
    or str(code) in ("accept", "extend", "comment", "reply", "assign", "close", "withdraw")
}


class Text(HTMLParser):
    """The visible text of a page, one string per text node (not inside <script>/<style>/<title>)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "textarea"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def messages() -> set[str]:
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    return {str(m.id) for m in catalog if m.id and CJK.search(str(m.id))}


def full_history(session: Any, people: People) -> Request:
    moment = dt.datetime.now(dt.UTC)
    req, _code = make_request(session, moment, people.agency, channel="online")
    officer, head = people.officer, people.head
    act(session, req, "assign", head, now=moment, assignee=officer.email)
    act(session, req, "comment", officer, now=moment, note="已电话联系申请人")
    act(session, req, "request_correction", officer, now=moment, items="请写明年份", period_days=10)
    applicant_correct(session, req, text="2023年", now=moment)
    act(session, req, "start_consultation", officer, now=moment, party="某公司")
    act(session, req, "end_consultation", officer, now=moment)
    act(session, req, "propose_extension", officer, now=moment, days=10, reason="需要调取档案")
    act(session, req, "decline_extension", head, now=moment, note="理由不足")
    act(session, req, "extend", head, now=moment, days=5, reason="材料较多")
    set_calendar_day(
        session, req.due_on, is_workday=False, name="地方假日", actor=people.platform, now=moment
    )
    act(
        session,
        req,
        "comment",
        None,
        now=moment,
        note="通知“受理回执”发送失败（已尝试8次），请核实联系方式或改用其他方式送达。错误：timeout",
    )
    act(session, req, "reply", officer, now=moment, outcome="disclosed", note="见附件")
    session.commit()
    return req


def delivered_and_uploaded(session: Any, people: People, attachment_dir: str) -> Request:
    """A request by letter with files uploaded (the applicant's and one to release), the reply e-mailed
    with them, and a notice the relay gave up on: the request page's notes, file list and banner."""
    moment = dt.datetime.now(dt.UTC)
    received = china_today(moment) - dt.timedelta(days=14)  # registered late: its note says so
    req, _code = make_request(session, moment, people.agency, received_on=received, officer=people.officer)
    officer = people.officer
    for name, purpose in (("scan.pdf", "application"), ("budget.pdf", "release")):
        store_attachment(
            session,
            req,
            filename=name,
            stream=io.BytesIO(sample_pdf(pages=1)),
            directory=attachment_dir,
            uploaded_by=officer,
            now=moment,
            purpose=purpose,
        )
    act(session, req, "accept", officer, now=moment, on=received)
    act(session, req, "reply", officer, now=moment, outcome="disclosed")
    record_emailed(session, req, {"notice": "reply"}, now=moment)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.request_id == req.id)
        .values(sent_at=None, delivered_via=None, failed_at=moment, last_error="550 mailbox unavailable")
    )
    session.commit()
    return req


FULL_WIDTH = re.compile(r"[：；，。（）、]")


def visible(client: FlaskClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = Text()
    parser.feed(response.get_data(as_text=True))
    return parser.parts


def test_every_staff_page_is_english_through(client: FlaskClient, people: People, session: Any):
    req = full_history(session, people)
    sent = delivered_and_uploaded(session, people, client.application.config["ATTACHMENT_DIR"])
    staff = session.execute(select(User)).scalars().all()
    written = {  # what people wrote, and the documents' official titles: data, not interface
        people.agency.name,
        people.other_agency.name,
        req.applicant_name,
        req.applicant_address,
        req.description,
        sent.description,
        *(u.name for u in staff),
        *(e.note for e in req.events if e.actor is not None or e.type == "correction_received"),
        *states.TITLES.values(),
        *(
            line
            for r in (req, sent)
            for doc in documents.documents_of(session, r)
            for line in doc.body.splitlines()
        ),
        "某公司",
        "地方假日",
    }
    catalogue = messages()
    pages = {
        "officer": [
            f"/staff/requests/{req.tracking_number}",
            f"/staff/requests/{sent.tracking_number}",
            "/staff/queue",
            "/staff/requests",
            "/staff/mail",
            "/staff/account",
        ],
        "head": ["/staff/approvals", f"/staff/requests/{req.tracking_number}"],
        "admin": [
            "/admin/",
            "/admin/agencies",
            "/admin/agencies/CITYHR",
            "/admin/users",
            f"/admin/users/{people.officer.id}",
            "/admin/tokens",
            "/admin/calendar",
        ],
        "platform": ["/admin/calendar/notice", "/admin/agencies"],
    }
    problems = []
    for who, paths in pages.items():
        browser = client.application.test_client()
        login(browser, getattr(people, who))
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        for path in paths:
            for text in visible(browser, path):
                if text in CODES:
                    problems.append(f"{path}: raw code {text!r}")
                bare = re.sub(r"“[^”]*”", "", text)  # an English sentence may quote Chinese
                for part in written:
                    bare = bare.replace(part, "") if part else bare
                chinese = len(CJK.findall(bare)) > len(LATIN.findall(bare))  # an official document's line
                if not chinese and LATIN.search(bare) and FULL_WIDTH.search(bare):
                    problems.append(f"{path}: full-width punctuation in English {text!r}")
                if not CJK.search(text):
                    continue
                if text in states.TITLES.values():
                    continue  # an official document's title: the document is Chinese
                if text in catalogue:
                    problems.append(f"{path}: untranslated {text!r}")
                elif text in SHOWN_AS_IS or len(LATIN.findall(text)) >= ENGLISH_LETTERS:
                    continue  # the language switch and the logo; an English sentence quoting Chinese
                elif not any(part in text for part in written if part):
                    problems.append(f"{path}: Chinese {text!r}")
    assert not problems, "\n".join(sorted(set(problems)))
    # What the second request's page must show in English (else the checks above saw nothing of it).
    browser = client.application.test_client()
    login(browser, people.officer)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = " ".join(visible(browser, f"/staff/requests/{sent.tracking_number}"))
    assert "The e-mail failed (550 mailbox unavailable)" in page
    assert f"Sent to {sent.applicant_email}" in page and "Uploaded for release: budget.pdf" in page
    assert "1 page ·" in page and "Art. 33" in page and "ID number" in page
    assert re.search(r"Request received by [\w ]+; registered on \d{4}-\d\d-\d\d, \d+ working days", page)
