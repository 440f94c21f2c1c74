"""GET /api/v1/requests/<n>/documents and the PDFs (docs/api.md §Documents): who sees them, and what they
are."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.api.conftest import World, citizen_body
from tests.factories import pdf_text


def submitted(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/api/v1/requests", json=citizen_body())
    assert response.status_code == 201
    return response.get_json()


def test_the_applicant_lists_and_downloads_the_documents_sent(client: FlaskClient, world: World):
    sub = submitted(client)
    tn, code = sub["tracking_number"], {"X-Access-Code": sub["access_code"]}
    staff = world.officer.headers
    assert (
        client.post(f"/api/v1/requests/{tn}/actions", json={"action": "accept"}, headers=staff).status_code
        == 200
    )
    edited = "张三：\n经检索，本机关没有您申请的2023年度部门预算说明，该政府信息不存在。特此告知。"
    reply = client.post(
        f"/api/v1/requests/{tn}/actions",
        json={"action": "reply", "outcome": "not_exist", "document_text": edited},
        headers=staff,
    )
    assert reply.status_code == 200, reply.get_json()

    listing = client.get(f"/api/v1/requests/{tn}/documents", headers=code)
    assert listing.status_code == 200
    items = listing.get_json()["items"]
    assert [i["kind"] for i in items] == ["receipt", "reply"]
    assert [i["title"] for i in items] == ["政府信息公开申请受理回执", "政府信息公开申请答复书"]
    assert items[0]["number"].endswith("第1号") and items[1]["number"].endswith("第2号")
    assert all(set(i) >= {"id", "kind", "title", "created_at", "pdf"} for i in items)

    pdf = client.get(items[1]["pdf"], headers=code)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "经检索，本机关没有您申请的2023年度部门预算说明，该政府信息不存在。特此告知。" in text
    assert "示范市人力资源和社会保障局" in text
    # staff of the agency see the same list
    assert client.get(f"/api/v1/requests/{tn}/documents", headers=staff).get_json()["items"] == items


def test_strangers_get_404_and_nobody_without_credentials(client: FlaskClient, world: World):
    sub = submitted(client)
    tn = sub["tracking_number"]
    items = client.get(
        f"/api/v1/requests/{tn}/documents", headers={"X-Access-Code": sub["access_code"]}
    ).get_json()["items"]
    url = items[0]["pdf"]
    for headers in (world.stranger.headers, {"X-Access-Code": "AAAA-BBBB-CCCC-DDDD"}):
        assert client.get(f"/api/v1/requests/{tn}/documents", headers=headers).status_code == 404
        assert client.get(url, headers=headers).status_code == 404
    assert client.get(url).status_code == 401
    other = submitted(client)
    # a document id of one request is not found under another
    wrong = url.replace(tn, other["tracking_number"])
    assert client.get(wrong, headers={"X-Access-Code": other["access_code"]}).status_code == 404


def test_document_text_on_an_action_without_a_document_is_a_field_error(client: FlaskClient, world: World):
    tn = submitted(client)["tracking_number"]
    response = client.post(
        f"/api/v1/requests/{tn}/actions",
        json={"action": "accept", "document_text": "正文"},
        headers=world.officer.headers,
    )
    assert response.status_code == 422
    assert "document_text" in response.get_json()["error"]["fields"]


def test_the_openapi_document_describes_the_documents(client: FlaskClient):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/requests/{tracking_number}/documents" in spec["paths"]
    assert "document_text" in spec["components"]["schemas"]["ActionIn"]["properties"]


def test_the_letter_to_a_consulted_third_party_is_not_in_the_api(client: FlaskClient, world: World):
    """The API lists the notices sent to the applicant (docs/api.md §Documents' kinds); the letter to the
    third party is the staff page's."""
    sub = submitted(client)
    tn = sub["tracking_number"]
    response = client.post(
        f"/api/v1/requests/{tn}/actions",
        json={"action": "start_consultation", "party": "某某科技有限公司"},
        headers=world.officer.headers,
    )
    assert response.status_code == 200
    mine = client.get(f"/api/v1/requests/{tn}/documents", headers={"X-Access-Code": sub["access_code"]})
    assert [i["kind"] for i in mine.get_json()["items"]] == ["receipt", "consultation_notice"]
    staff = client.get(f"/api/v1/requests/{tn}/documents", headers=world.officer.headers).get_json()["items"]
    assert staff == mine.get_json()["items"]
    assert "某某科技有限公司" not in pdf_text(client.get(staff[1]["pdf"], headers=world.officer.headers).data)
