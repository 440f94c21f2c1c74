"""Identity numbers typed in other scripts' digits: NFKC first (full-width and mathematical digits become
ASCII and are stored so), then ASCII digits only (Arabic-Indic or Devanagari digits, which NFKC keeps,
are refused with a field error), on every path an applicant is written; a search by the ASCII number
finds the request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import citizen_body
from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_citizen import application, error_beside
from tests.web.test_staff import registration
from webapp.domain.identity import credit_code_check_char, id_number_error, normalise_id_number
from webapp.models import Request

ASCII_ID = "11010519491231002X"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
MATH_BOLD = str.maketrans("0123456789X", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗x")  # and a lower-case x
MATH_MONOSPACE = str.maketrans("0123456789", "𝟶𝟷𝟸𝟹𝟺𝟻𝟼𝟽𝟾𝟿")
CREDIT = "91350100M000100Y4"
CREDIT_CODE = CREDIT + credit_code_check_char(CREDIT)

ACCEPTED = [ASCII_ID.translate(FULL_WIDTH), ASCII_ID.translate(MATH_BOLD), ASCII_ID.translate(MATH_MONOSPACE)]
REFUSED = [ASCII_ID.translate(ARABIC_INDIC), ASCII_ID.translate(DEVANAGARI), "1101051949123１٠٠2X"]


def test_the_rule():
    for typed in ACCEPTED:
        assert normalise_id_number(typed) == ASCII_ID
        assert id_number_error("resident_id", normalise_id_number(typed)) is None
    for typed in REFUSED:
        number = normalise_id_number(typed)
        assert int(number[:17]) == 11010519491231002  # Python's int() would take them: the checksum passed
        assert "0-9" in str(id_number_error("resident_id", number))
    assert id_number_error("passport", normalise_id_number("Ｅ１２３４５６７８")) is None
    assert id_number_error("passport", "E١٢٣٤٥٦٧٨") is not None
    assert id_number_error("other", "军字第١٢٣号") is not None
    assert id_number_error("other", normalise_id_number("军字第１２３号")) is None
    assert id_number_error("other", normalise_id_number("㍿" * 12)) is not None  # 48 characters after NFKC


def found_by(client: FlaskClient, query: str) -> list[str]:
    html = client.get("/staff/queue", query_string={"q": query}).get_data(as_text=True)
    return re.findall(r"/staff/requests/([A-Z0-9-]+)\"", html)


@pytest.mark.parametrize("typed", ACCEPTED)
def test_the_api_stores_the_ascii_number_and_search_finds_it(
    client: FlaskClient, people: People, session: Any, typed: str
):
    body = citizen_body()
    body["applicant"]["id_number"] = typed
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    number = response.get_json()["tracking_number"]
    req = session.query(Request).filter_by(tracking_number=number).one()
    assert req.applicant_id_number == ASCII_ID
    login(client, people.officer)
    assert number in found_by(client, ASCII_ID)
    assert number in found_by(client, ASCII_ID.lower())
    assert number in found_by(client, typed)  # typed the same way in the search box
    assert number not in found_by(client, "110105194912310021")


@pytest.mark.parametrize("typed", REFUSED)
def test_the_api_refuses_other_scripts_digits(client: FlaskClient, people: People, session: Any, typed: str):
    body = citizen_body()
    body["applicant"]["id_number"] = typed
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == 422
    assert "applicant.id_number" in response.get_json()["error"]["fields"]
    assert session.query(Request).count() == 0


def test_a_credit_code_in_full_width_is_stored_in_ascii(client: FlaskClient, people: People, session: Any):
    body = citizen_body()
    body["applicant"] = {
        "type": "commercial_enterprise",
        "name": "某某科技有限公司",
        "id_kind": "credit_code",
        "id_number": CREDIT_CODE.translate(str.maketrans("0123456789MY", "０１２３４５６７８９ＭＹ")),
        "email": "office@example.cn",
    }
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    req = session.query(Request).filter_by(tracking_number=response.get_json()["tracking_number"]).one()
    assert req.applicant_id_number == CREDIT_CODE
    body["applicant"]["id_number"] = CREDIT_CODE.translate(ARABIC_INDIC)
    assert client.post("/api/v1/requests", json=body).status_code == 422


def test_the_citizens_form(client: FlaskClient, people: People, session: Any):
    response = post(client, "/apply", application(id_number=REFUSED[0]), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "0-9" in error_beside(response.get_data(as_text=True), "id_number")
    assert session.query(Request).count() == 0
    response = post(client, "/apply", application(id_number=ACCEPTED[0]), content_type="multipart/form-data")
    assert response.status_code == 302
    assert session.query(Request).one().applicant_id_number == ASCII_ID


def test_the_officers_registration(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    response = post(client, "/staff/register", registration(id_number=REFUSED[1]))
    assert response.status_code == 422
    assert "0-9" in error_beside(response.get_data(as_text=True), "id_number")
    assert session.query(Request).count() == 0
    response = post(client, "/staff/register", registration(id_number=ACCEPTED[1]))
    assert response.status_code == 302
    assert session.query(Request).one().applicant_id_number == ASCII_ID
