"""A signed-off annual report corrected (docs/api.md §The annual report): the head withdraws it with a
reason (更正说明), edits the text, and signs a new version off that supersedes the old one; both stay
public, the list shows the current one with the earlier still reachable."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Staff, World
from tests.api.test_annual_report_api import URL, data, put_texts, sign  # noqa: F401 -- the fixture
from tests.factories import pdf_text


def correct(client: FlaskClient, staff: Staff, body: Any, **query: Any) -> Any:
    return client.post(
        f"{URL}/correction",
        query_string={"agency": "CITYHR", "year": 2025, "form": "2021", **query},
        json=body,
        headers=staff.headers,
    )


@pytest.mark.usefixtures("data")
def test_a_correction_publishes_a_new_version_and_keeps_the_old(client: FlaskClient, world: World):
    put_texts(client, world.head, {"problems": "一是原来的说法。"})
    assert correct(client, world.head, {"reason": "更正第五部分"}).status_code == 409  # nothing signed yet
    first = sign(client, world.head)
    assert first.status_code == 201
    assert first.json["version"] == 1 and first.json["earlier"] == [] and first.json["correction"] is None
    first_pdf = pdf_text(client.get(first.json["pdf"]).data)

    # only the head, and only with a reason
    assert correct(client, world.officer, {"reason": "x"}).status_code == 403
    assert correct(client, world.admin, {"reason": "x"}).status_code == 403
    refused = correct(client, world.head, {"reason": "  "})
    assert refused.status_code == 422 and set(refused.json["error"]["fields"]) == {"reason"}
    assert correct(client, world.head, {}).status_code == 422
    assert correct(client, world.head, {"reason": "长" * 2001}).status_code == 422
    # without a correction opened the report stays closed
    assert sign(client, world.head).status_code == 409
    assert put_texts(client, world.head, {"problems": "改"}).status_code == 409

    opened = correct(client, world.head, {"reason": "第五部分的表述有误，予以更正。"})
    assert opened.status_code == 200, opened.json
    assert opened.json["version"] == 1 and opened.json["correcting"] == "第五部分的表述有误，予以更正。"
    assert correct(client, world.head, {"reason": "再一次"}).status_code == 409  # already open
    # the published version does not move while the correction is being made
    assert pdf_text(client.get(first.json["pdf"]).data) == first_pdf
    status = client.get(URL, query_string={"agency": "CITYHR", "year": 2025}, headers=world.head.headers)
    assert status.json["publication"]["correcting"] == "第五部分的表述有误，予以更正。"
    assert put_texts(client, world.head, {"problems": "一是更正后的说法。"}).status_code == 200

    second = sign(client, world.head)
    assert second.status_code == 201, second.json
    assert second.json["version"] == 2 and second.json["correction"] == "第五部分的表述有误，予以更正。"
    assert second.json["correcting"] is None
    (old,) = second.json["earlier"]
    assert (
        old["version"] == 1
        and old["superseded_at"]
        and old["pdf"].endswith("/public/annual-reports/CITYHR/2025/2021/versions/1.pdf")
    )
    # the current files are the new version's; the old one is still there at its own address
    assert "一是更正后的说法" in pdf_text(client.get(second.json["pdf"]).data)
    assert pdf_text(client.get(old["pdf"]).data) == first_pdf
    assert "一是原来的说法" in client.get(old["html"]).get_data(as_text=True)
    assert client.get(old["docx"]).status_code == 200
    assert client.get(second.json["pdf"].replace("/2021.pdf", "/2021/versions/2.pdf")).status_code == 200
    assert client.get(old["pdf"].replace("versions/1", "versions/3")).status_code == 404

    public = client.get("/api/v1/public/annual-reports", query_string={"agency": "CITYHR"}).json["items"]
    assert [(i["version"], i["correction"], [e["version"] for e in i["earlier"]]) for i in public] == [
        (2, "第五部分的表述有误，予以更正。", [1])
    ]
    # closed again until the next correction
    assert put_texts(client, world.head, {"problems": "再改"}).status_code == 409
    assert sign(client, world.head).status_code == 409
    status = client.get(URL, query_string={"agency": "CITYHR", "year": 2025}, headers=world.head.headers)
    assert status.json["publication"]["version"] == 2 and status.json["publication"]["correcting"] is None
