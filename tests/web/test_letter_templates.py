"""An agency's own letter texts and number scheme: only the documented bare {name} placeholders, checked
when the admin saves (a field error naming the bad placeholder); a bad template already in the database
never fails a request (the default text is sent, a warning logged)."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import citizen_body
from tests.factories import FEE_PAYMENT, People
from tests.web.conftest import login, post
from webapp.domain import templates
from webapp.domain.documents import DEFAULT_SCHEME, documents_of
from webapp.models import DocumentSettings, Request


def as_made(session: Any, people: People) -> bool:
    """The agency's document settings as the test world made them: nothing the refused form wrote."""
    session.expire_all()
    settings = session.get(DocumentSettings, people.agency.id)
    return settings.overrides == {} and settings.number_scheme == "" and settings.fee_payment == FEE_PAYMENT


PATH = "/admin/agencies/CITYHR/documents"
TEXTS = "/admin/agencies/CITYHR/texts"


def field_error(page: str, field: str, prefix: str = "documents-") -> str:
    found = re.search(rf'id="{prefix}{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("尊敬的{applicant：\n{default}", "“{”没有对应的“}”"),
        ("{applicant}：} 您好", "“}”没有对应的“{”"),
        ("{applicant:>300000}", "{applicant:>300000}"),
        ("{applicant!r}", "{applicant!r}"),
        ("{note.__class__}", "{note.__class__}"),
        ("{note[0]}", "{note[0]}"),
        ("{}", "{}"),
        ("{0}", "{0}"),
        ("{applicant_name}", "{applicant_name}"),
        ("{default:{note}}", "“{”没有对应的“}”"),
    ],
)
def test_a_bad_placeholder_is_refused_when_saved_naming_it(
    client: FlaskClient, people: People, session: Any, text: str, named: str
):
    login(client, people.admin)
    response = post(client, f"{TEXTS}/reply:disclosed", {"text": text, "save": "1"})
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "text", prefix="")
    assert named in message
    assert as_made(session, people)  # nothing written


@pytest.mark.parametrize(
    ("scheme", "named"),
    [
        ("{short}{seq:>300000}", "{seq:>300000}"),
        ("{short}〔{year!r}〕{seq}", "{year!r}"),
        ("{short}{seq}{", "“{”没有对应的“}”"),
        ("{short}{sequence}", "{sequence}"),
        ("{short}〔{year}〕号", "{seq}"),
    ],
)
def test_a_bad_number_scheme_is_refused_naming_the_placeholder(
    client: FlaskClient, people: People, session: Any, scheme: str, named: str
):
    login(client, people.admin)
    response = post(client, PATH, {"documents-number_scheme": scheme})
    assert response.status_code == 422
    assert named in field_error(response.get_data(as_text=True), "number_scheme")
    assert as_made(session, people)


def test_a_number_longer_than_its_column_is_refused(client: FlaskClient, people: People, session: Any):
    login(client, people.admin)
    scheme = "{short}" + "文" * 80 + "{seq}"
    response = post(client, PATH, {"documents-short_name": "示" * 40, "documents-number_scheme": scheme})
    assert response.status_code == 422
    assert "不能超过100个" in field_error(response.get_data(as_text=True), "number_scheme")


def test_literal_braces_and_every_documented_placeholder_are_accepted(
    client: FlaskClient, people: People, session: Any
):
    text = "{{附}}" + "".join("{" + name + "}" for name in templates.LETTER_FIELDS)
    login(client, people.admin)
    response = post(client, PATH, {"documents-number_scheme": "{{{short}}}{kind}〔{year}〕{seq}号"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post(client, f"{TEXTS}/receipt", {"text": text, "save": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/api/v1/requests", json=citizen_body())
    assert response.status_code == 201
    req = session.query(Request).filter_by(tracking_number=response.get_json()["tracking_number"]).one()
    receipt = documents_of(session, req)[0]
    assert receipt.body.startswith("{附}张三" + req.tracking_number)
    assert receipt.number == "{" + people.agency.name + "}受〔" + str(req.received_on.year) + "〕1号"


@pytest.mark.parametrize(
    "bad",
    ["尊敬的{applicant：", "{applicant:>300000}", "{note.__class__.__mro__}", "{unknown}", "}", "{0}"],
)
def test_a_bad_template_already_stored_never_fails_a_request(
    client: FlaskClient, people: People, session: Any, caplog: pytest.LogCaptureFixture, bad: str
):
    """Written to the database by other means (or before the rules): the request is recorded, the
    default text and number are sent, and the log says why."""
    session.merge(
        DocumentSettings(
            agency_id=people.agency.id,
            letterhead="",
            short_name="示人社",
            number_scheme="{short}" + bad + "{seq}",
            seal_text="",
            address="",
            postal_code="",
            phone="",
            email="",
            contact_person="",
            overrides={"receipt": bad, "reply": bad},
        )
    )
    session.commit()
    with caplog.at_level(logging.WARNING):
        response = client.post("/api/v1/requests", json=citizen_body())
    assert response.status_code == 201, response.get_data(as_text=True)
    req = session.query(Request).filter_by(tracking_number=response.get_json()["tracking_number"]).one()
    receipt = documents_of(session, req)[0]
    assert receipt.body.startswith("张三：\n本机关于")  # the default text
    assert len(receipt.body) < 2000
    assert receipt.number == DEFAULT_SCHEME.format(short="示人社", year=req.received_on.year, seq=1)
    assert "unusable" in caplog.text


def test_a_long_agency_name_still_gives_a_number_that_fits(client: FlaskClient, people: People, session: Any):
    """No short name: the number carries the agency's name (up to 200 characters), cut to its column."""
    people.agency.name = "示" * 200
    session.commit()
    response = client.post("/api/v1/requests", json=citizen_body())
    assert response.status_code == 201, response.get_data(as_text=True)
    req = session.query(Request).filter_by(tracking_number=response.get_json()["tracking_number"]).one()
    assert len(documents_of(session, req)[0].number) == 100


def test_the_way_of_paying_fees_is_set_on_the_agency_page(client: FlaskClient, people: People, session: Any):
    """文书设置 → 信息处理费缴纳方式: the administrator writes it where the fee notice takes it from."""
    login(client, people.admin)
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert "信息处理费缴纳方式" in page and "不填则不能发出缴费通知书" in page
    way = "转账至户名：示范市财政局，开户银行：示范银行，账号：6222 0000 1111"
    assert post(client, PATH, {"documents-fee_payment": way}).status_code == 302
    session.expire_all()
    assert session.get(DocumentSettings, people.agency.id).fee_payment == way
    response = post(client, PATH, {"documents-fee_payment": "账" * 501})
    assert response.status_code == 422
    assert session.get(DocumentSettings, people.agency.id).fee_payment == way
