"""Every PDF the product writes, with hostile text in every field that reaches it: reportlab markup
(`<img src=…>`, `<font name=…>`, an unbalanced `<b>`), entities, `]]>`, format strings. Each PDF is
built directly (as the workers do) and downloaded through every endpoint that serves it; none may fail,
none may fetch anything (a local HTTP server counts what it is asked for), and pdftotext shows each
field's text as it was typed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import People, applicant
from tests.web.conftest import login, post
from webapp.domain import documents
from webapp.domain.accounts import issue_token
from webapp.domain.calendar import china_today
from webapp.domain.documents import documents_of, pdf_of
from webapp.domain.reports import annex_two, resolve_scope
from webapp.domain.requests import act, submit
from webapp.models import Document, DocumentSettings, Request
from webapp.render import annex_two as exports
from webapp.render.letters import application_form
from webapp.web.documents import form_values

ROOT = Path(__file__).resolve().parents[2]


class Listener:
    """A local HTTP server that records every request made to it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    found.thread.start()
    try:
        # the listener does hear a fetch (so its silence below means something)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(found.url("/canary"), timeout=5)  # noqa: S310
        assert found.hits == ["/canary"]
        found.hits.clear()
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()


def payloads(listener: Listener) -> list[str]:
    return [
        f'<img src="{listener.url("/x.png")}"/>',
        '<font name="/etc/passwd">f',
        "<b>unbalanced",
        "a & b &amp; &#x41; &nbsp;",
        "1 < 2 > 0",
        "]]>",
        "%s %d %(x)s",
        "{} {0} {applicant}",
        f'<a href="{listener.url("/a")}">link</a><img src="/etc/passwd"/>',
        '<para><link href="x">y</link></para><br/>',
    ]


def literal(text: str) -> str:
    """What pdftotext shows of a text (whitespace aside)."""
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return literal(out.stdout.decode())


def braces(text: str) -> str:
    """A literal text inside a template (its braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


# The fields, by a tag that starts each one's hostile value, and the PDFs each reaches.
LETTER = ("LH", "SN", "NS", "CP", "PH", "EM", "AD", "PC")  # every letter: letterhead, number, contacts
EXPECTED: dict[str, tuple[str, ...]] = {
    "receipt": (*LETTER, "NM", "DS"),
    "correction_notice": (*LETTER, "NM", "DS", "IT"),
    "consultation_notice": (*LETTER, "NM", "DS"),
    "consultation_letter": (*LETTER, "PT", "DS"),
    "fee_notice": (*LETTER, "NM", "DS", "FP"),
    "extension_notice": (*LETTER, "NM", "DS", "RS"),
    "reply (edited)": (*LETTER, "TX"),
    "reply": (*LETTER, "NM", "DS", "NT", "RA"),
    "closure_notice": (*LETTER, "TM", "CN"),
    "application form (filled)": ("AG", "NM", "AA", "DS", "PU", "DN", "RB"),
    "application form (blank)": ("AG",),
    "annex two 2013": ("AG",),
    "annex two 2021": ("AG",),
}
# Every field with hostile text; those only drawn on the page (the signature's agency name, the seal) are
# checked for failures and fetches, not read back (the seal's ring overlaps their lines).
FIELDS = sorted({tag for tags in EXPECTED.values() for tag in tags} | {"SE"})


SETTINGS = {c.name: c.type.length for c in DocumentSettings.__table__.c if getattr(c.type, "length", None)}
SETTING_TAGS = {
    "letterhead": "LH",
    "short_name": "SN",
    "seal_text": "SE",
    "contact_person": "CP",
    "phone": "PH",
    "email": "EM",
    "address": "AD",
    "postal_code": "PC",
    "fee_payment": "FP",
}
LIMITS = {"NS": 30, **{tag: SETTINGS[name] for name, tag in SETTING_TAGS.items()}}


def fit(tag: str, p: str, limit: int) -> str:
    """A field's hostile value: its tag and the payload, cut to what the field holds."""
    return f"{tag}{p}"[:limit]


def letters_with(session: Any, people: People, p: str) -> tuple[list[tuple[str, Document, Request]], str]:
    """Two requests taken through every action that sends a document, with hostile text everywhere."""
    moment = dt.datetime.now(dt.UTC)
    agency = people.agency
    agency.name = f"AG{p}"
    values = {name: fit(tag, p, SETTINGS[name]) for name, tag in SETTING_TAGS.items()}
    values["number_scheme"] = braces(fit("NS", p, 30)) + "{short}{seq}"  # a literal text around the fields
    documents.save_settings(
        session, agency, values, {"closure_notice": braces(f"TM{p}") + "\n{note}\n{default}"}, now=moment
    )
    people.officer.name = f"RB{p}"
    session.flush()
    made, codes = [], []
    for _ in range(2):
        req, code = submit(
            session,
            agency=agency,
            applicant=applicant(name=f"NM{p}", address=f"AA{p}"),
            description=f"DS{p}",
            purpose=f"PU{p}",
            document_number=f"DN{p}",
            delivery="email",
            now=moment,
            channel="letter",
            received_on=china_today(moment),
            registered_by=people.officer,
            require_late_reason=False,
        )
        made.append(req)
        codes.append(code)
    first, second = made
    officer, head = people.officer, people.head
    act(session, first, "accept", officer, now=moment)
    act(session, first, "request_correction", officer, now=moment, items=f"IT{p}", period_days=5)
    act(session, first, "receive_correction", officer, now=moment, text=f"CT{p}")
    act(session, first, "start_consultation", officer, now=moment, party=f"PT{p}")
    act(session, first, "end_consultation", officer, now=moment)
    act(session, first, "request_fee", officer, now=moment, basis="per_page", pages=31)
    act(session, first, "receive_fee", officer, now=moment, amount_yuan=10, receipt_number="0001")
    act(session, first, "extend", head, now=moment, days=5, reason=f"RS{p}")
    act(session, first, "reply", officer, now=moment, outcome="disclosed", document_text=f"TX{p}\n{p}")
    act(
        session,
        second,
        "reply",
        officer,
        now=moment,
        outcome="not_held",
        note=f"NT{p}",
        referred_agency=f"RA{p}",
        referred_address=f"AD{p}",
    )
    third, _code = submit(
        session,
        agency=agency,
        applicant=applicant(name=f"NM{p}"),
        description=f"DS{p}",
        delivery="email",
        now=moment,
    )
    act(session, third, "close", officer, now=moment, outcome="closed_other", note=f"CN{p}")
    session.commit()
    out = []
    for req in (first, second, third):
        for doc in documents_of(session, req):
            name = doc.kind
            if doc.kind == "reply" and doc.edited:
                name = "reply (edited)"
            if req is third and doc.kind != "closure_notice":
                continue
            out.append((name, doc, req))
    return out, codes[1]


def test_every_pdf_with_hostile_text_in_every_field(
    app: Flask, client: FlaskClient, people: People, session: Any, listener: Listener
):
    login(client, people.head)  # the head reads the letters, the filled-in form and the reports
    token = issue_token(session, people.head, now=dt.datetime.now(dt.UTC))
    session.commit()
    api = {"Authorization": f"Bearer {token}"}
    checked: set[tuple[str, str]] = set()
    builds = downloads = 0

    def read(kind: str, pdf: bytes, p: str) -> None:
        text = pdf_text(pdf)
        for tag in EXPECTED[kind]:
            expected = fit(tag, p, LIMITS.get(tag, 1000))
            assert literal(expected) in text, f"{kind}: {expected!r} not shown as typed"
            checked.add((kind, tag))

    for p in payloads(listener):
        letters, code = letters_with(session, people, p)
        assert {name for name, _d, _r in letters} == {
            k for k in EXPECTED if "form" not in k and "annex" not in k
        }
        for name, doc, req in letters:
            built = pdf_of(session, doc)  # as the notice relay builds it for the e-mail
            session.commit()
            read(name, built, p)
            builds += 1
            # and as the staff page, the API and the applicant's status page serve it
            served = client.get(f"/staff/requests/{req.tracking_number}/documents/{doc.public_id}.pdf")
            assert served.status_code == 200 and served.data == built, (name, served.status_code)
            downloads += 1
            if doc.to_applicant:
                served = client.get(
                    f"/api/v1/requests/{req.tracking_number}/documents/{doc.public_id}.pdf", headers=api
                )
                assert served.status_code == 200 and served.data == built, (name, served.status_code)
                downloads += 1
        # the applicant opens the reply from the status page
        name, reply, req = next(x for x in letters if x[0] == "reply")
        citizen = app.test_client()
        post(citizen, "/track", {"tracking_number": req.tracking_number, "access_code": code})
        served = citizen.get(f"/track/{req.tracking_number}/documents/{reply.public_id}.pdf")
        assert served.status_code == 200 and served.data == pdf_of(session, reply)
        downloads += 1

        first = letters[0][2]
        read("application form (filled)", application_form(first.agency.name, form_values(first)), p)
        served = client.get(f"/staff/requests/{first.tracking_number}/application-form.pdf")
        assert served.status_code == 200
        read("application form (filled)", served.data, p)
        read("application form (blank)", application_form(people.agency.name), p)
        for url in ("/application-form.pdf?agency=CITYHR", "/admin/agencies/CITYHR/application-form.pdf"):
            who = app.test_client()
            if url.startswith("/admin"):
                login(who, people.admin)
            served = who.get(url)
            assert served.status_code == 200, (url, served.status_code)
            read("application form (blank)", served.data, p)
            downloads += 1
        builds += 3

        year = china_today(dt.datetime.now(dt.UTC)).year
        scope = resolve_scope(session, [people.agency.code])
        for form in ("2013", "2021"):
            kind = f"annex two {form}"
            read(kind, exports.to_pdf(annex_two(session, scope, year, form), scope.names), p)
            query = f"agency=CITYHR&year={year}&form={form}"
            for url, headers in (
                (f"/api/v1/reports/annex-two?{query}&format=pdf", api),
                (f"/staff/reports/export.pdf?{query}", {}),
            ):
                served = client.get(url, headers=headers)
                assert served.status_code == 200, (url, served.get_data(as_text=True)[:300])
                read(kind, served.data, p)
                downloads += 1
            builds += 1
        assert listener.hits == [], listener.hits  # nothing was fetched

    kinds = {kind for kind, _t in checked}
    assert kinds == set(EXPECTED)
    print(
        f"\n{len(kinds)} PDF kinds, {len(FIELDS)} hostile fields, {len(checked)} kind×field pairs read back, "
        f"{len(payloads(listener))} payloads: {builds} direct builds and {downloads} downloads, 0 fetches"
    )


BUILD = """
import io, sys
{first}
from reportlab.platypus import Paragraph, SimpleDocTemplate
from reportlab.lib.styles import getSampleStyleSheet
try:
    SimpleDocTemplate(io.BytesIO()).build([Paragraph(sys.argv[1], getSampleStyleSheet()["Normal"])])
except Exception as exc:
    print(type(exc).__name__)
"""


@pytest.mark.parametrize(
    "first", ["from webapp import create_app; create_app()", "from workers import app; app.conf", ""]
)
def test_reportlab_trusts_no_url_once_the_product_is_loaded(listener: Listener, first: str, tmp_path: Path):
    """Even markup that reached a Paragraph unescaped fetches nothing in the web and worker processes
    (reportlab's trusted schemes and hosts are none); reportlab on its own (the control) does fetch."""
    markup = f'<img src="{listener.url("/x.png")}" width="10" height="10"/>'
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    done = subprocess.run(
        [sys.executable, "-c", BUILD.format(first=first), markup], cwd=ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert listener.hits == ([] if first else ["/x.png"])


def test_text_reaches_a_paragraph_only_escaped():
    """webapp.render.pdf.para() is the one place a Paragraph is made: every other module passes plain text."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("webapp", "workers")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "pdf.py" or path.parent.name != "render"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "Paragraph(" in line
    ]
    assert found == []


def test_a_form_too_long_for_its_cells_continues_after_the_table():
    """A value longer than its cell (a row cannot break across pages) is continued after the table."""
    long = "很长的描述" * 1000
    values = {"description": long, "name_person": "姓" * 200, "address_person": "<b>" * 100}
    text = pdf_text(application_form("<b>某局", values))
    assert "续页" in text and "受理机关：<b>某局" in text and "<b>" * 100 in text
    assert text.count("很长的描述") >= 1000  # all of it (over several pages), besides the cell's excerpt
