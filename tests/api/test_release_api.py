"""Released information over the API (docs/api.md §Released information, §Redaction, §Delivery): files
uploaded to release, a reply that releases them, the applicant's downloads with the access code only,
the 答复书 listing them, redaction, and delivery by post and in person."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.api.conftest import World, citizen_body
from tests.factories import pdf_text, sample_pdf

DOCX_PROPS = "<Properties><Pages>7</Pages></Properties>"


def submit(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/requests", json=citizen_body(**overrides))
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def upload(
    client: FlaskClient,
    tn: str,
    headers: dict[str, str],
    content: bytes,
    name: str,
    purpose: str | None = "release",
) -> Any:
    fields: dict[str, Any] = {"file": FileStorage(io.BytesIO(content), name)}
    if purpose is not None:
        fields["purpose"] = purpose
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/api/v1/requests/{tn}/attachments",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def fetch(client: FlaskClient, url: str, headers: dict[str, str]) -> bytes:
    """A file's bytes (the response closed: it streams from the disk)."""
    response = client.get(url, headers=headers)
    try:
        assert response.status_code == 200, response.status_code
        return response.data
    finally:
        response.close()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
        z.writestr("docProps/app.xml", DOCX_PROPS)
    return out.getvalue()


def act(client: FlaskClient, tn: str, staff: Any, **body: Any) -> Any:
    return client.post(f"/api/v1/requests/{tn}/actions", json=body, headers=staff.headers)


def reply_letter(client: FlaskClient, tn: str, code: str) -> str:
    docs = client.get(f"/api/v1/requests/{tn}/documents", headers={"X-Access-Code": code}).json["items"]
    pdf = client.get(docs[-1]["pdf"], headers={"X-Access-Code": code})
    assert docs[-1]["kind"] == "reply"
    return pdf_text(pdf.data)


def test_a_disclosure_hands_over_its_files_to_the_applicant_alone(client: FlaskClient, world: World):
    mine, theirs = submit(client), submit(client)
    tn, code = mine["tracking_number"], mine["access_code"]
    two_pages = sample_pdf(pages=2)
    budget = upload(client, tn, world.officer.headers, two_pages, "2023年部门预算.pdf")
    assert budget.status_code == 201, budget.json
    assert (budget.json["purpose"], budget.json["pages"], budget.json["released_on"]) == ("release", 2, None)
    sheet = upload(client, tn, world.officer.headers, docx(), "预算说明.docx")
    assert sheet.status_code == 201 and sheet.json["pages"] == 7
    assert sheet.json["content_type"].endswith("wordprocessingml.document")
    # not released yet: the applicant sees neither the files nor their urls
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert view["released"] == [] and view["attachments"] == []
    assert client.get(budget.json["url"], headers={"X-Access-Code": code}).status_code == 404

    assert act(client, tn, world.officer, action="accept").status_code == 200
    ids = [budget.json["id"], sheet.json["id"]]
    r = act(client, tn, world.officer, action="reply", outcome="disclosed", released=ids)
    assert r.status_code == 200, r.json

    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert [(f["id"], f["name"]) for f in view["released"]] == [
        (ids[0], "2023年部门预算.pdf"),
        (ids[1], "预算说明.docx"),
    ]
    got = client.get(view["released"][0]["url"], headers={"X-Access-Code": code})
    assert got.status_code == 200 and got.data == two_pages
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    got.close()
    # 404 to anyone else: another request's code, no code, another agency's staff
    url = view["released"][0]["url"]
    assert client.get(url, headers={"X-Access-Code": theirs["access_code"]}).status_code == 404
    assert client.get(url).status_code in (401, 404)
    assert client.get(url, headers=world.stranger.headers).status_code == 404
    # the 答复书 lists each file by name and pages
    letter = reply_letter(client, tn, code)
    assert "现随本答复书向您提供以下政府信息（共2件）" in letter
    assert "1.2023年部门预算.pdf（2页）" in letter and "2.预算说明.docx（7页）" in letter


def test_a_partial_disclosure_lists_each_part_withheld_with_its_article(client: FlaskClient, world: World):
    answer = submit(client)
    tn, code = answer["tracking_number"], answer["access_code"]
    act(client, tn, world.officer, action="accept")
    r = act(client, tn, world.officer, action="reply", outcome="partially_disclosed", published_where="x")
    assert r.status_code == 422 and "withheld" in r.json["error"]["fields"]
    parts = [
        {"part": "第3页职工身份证号码", "basis": "withheld_third_party"},
        {"part": "内部讨论记录", "basis": "withheld_deliberative"},
    ]
    r = act(
        client,
        tn,
        world.officer,
        action="reply",
        outcome="partially_disclosed",
        withheld=parts,
        published_where="本机关门户网站“政府信息公开”专栏 https://hr.example.gov.cn/xxgk/2023ys",
    )
    assert r.status_code == 200, r.json
    letter = reply_letter(client, tn, code)
    assert "已经主动公开，您可以通过以下方式和途径获取：本机关门户网站" in letter
    assert (
        "1.第3页职工身份证号码：保护第三方合法权益，依据《中华人民共和国政府信息公开条例》第十五条、第三十二条。"
        in letter
    )
    assert (
        "2.内部讨论记录：属于四类过程性信息，依据《中华人民共和国政府信息公开条例》第十六条第二款。" in letter
    )
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert view["published_where"].startswith("本机关门户网站")


def test_release_fields_are_checked_field_by_field(client: FlaskClient, world: World):
    answer, other = submit(client), submit(client)
    tn = answer["tracking_number"]
    foreign = upload(client, other["tracking_number"], world.officer.headers, sample_pdf(), "x.pdf").json[
        "id"
    ]
    scan = upload(client, tn, world.officer.headers, sample_pdf(), "scan.pdf", purpose=None).json["id"]
    act(client, tn, world.officer, action="accept")
    cases = [
        ({"outcome": "disclosed", "released": [foreign]}, "released"),  # another request's file
        ({"outcome": "disclosed", "released": [scan]}, "released"),  # material, not a file to release
        ({"outcome": "not_exist", "published_where": "网站"}, "published_where"),
        ({"outcome": "disclosed", "withheld": [{"part": "x", "basis": "withheld_third_party"}]}, "withheld"),
        (
            {"outcome": "partially_disclosed", "withheld": [{"part": "x", "basis": "nonsense"}]},
            "withheld.0.basis",
        ),
        ({"outcome": "disclosed", "released": ["1"]}, "released.0"),
    ]
    for body, field in cases:
        r = act(client, tn, world.officer, action="reply", **body)
        assert r.status_code == 422, (body, r.json)
        assert any(k.startswith(field) for k in r.json["error"]["fields"]), (body, r.json)
    assert client.get(f"/api/v1/requests/{tn}", headers=world.officer.headers).json["status"] == "in_progress"


def test_only_staff_upload_files_to_release_and_of_the_release_types(client: FlaskClient, world: World):
    answer = submit(client)
    tn, code = answer["tracking_number"], answer["access_code"]
    r = upload(client, tn, {"X-Access-Code": code}, sample_pdf(), "x.pdf")
    assert r.status_code == 403
    r = upload(client, tn, world.officer.headers, docx(), "x.docx", purpose=None)  # material: scans only
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    r = upload(client, tn, world.officer.headers, b"just text", "x.txt")
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    r = upload(client, tn, world.officer.headers, sample_pdf(), "x.pdf", purpose="public")
    assert r.status_code == 422
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("a.csv", "a,b\n1,2\n")
    r = upload(client, tn, world.officer.headers, zipped.getvalue(), "数据.zip")
    assert r.status_code == 201 and r.json["content_type"] == "application/zip" and r.json["pages"] is None


def test_redaction_makes_a_file_to_release_and_leaves_the_original(client: FlaskClient, world: World):
    answer = submit(client, delivery="online")
    tn, code = answer["tracking_number"], answer["access_code"]
    pdf = sample_pdf()
    original = upload(client, tn, world.officer.headers, pdf, "批复.pdf", purpose=None).json
    url = f"/api/v1/requests/{tn}/redactions"
    r = client.post(
        url,
        json={"attachment": original["id"], "texts": ["Secret Project Alpha"], "pii": True},
        headers=world.officer.headers,
    )
    assert r.status_code == 201, r.json
    assert r.json["removed"] == 4
    staff_view = client.get(f"/api/v1/requests/{tn}", headers=world.officer.headers).json
    made = next(a for a in staff_view["attachments"] if a["id"] == r.json["id"])
    assert (made["filename"], made["purpose"], made["pages"]) == ("批复（删除处理）.pdf", "release", 1)
    assert fetch(client, original["url"], world.officer.headers) == pdf
    redacted = fetch(client, made["url"], world.officer.headers)
    text = pdf_text(redacted)
    assert "SecretProjectAlpha" not in text and "110105194912310021" not in text and "联系人" in text
    # refused: not staff, a text not there, not a PDF, nothing marked
    assert client.post(
        url, json={"attachment": original["id"], "pii": True}, headers={"X-Access-Code": code}
    ).status_code in (401, 403)
    r = client.post(
        url, json={"attachment": original["id"], "texts": ["不在文件里"]}, headers=world.officer.headers
    )
    assert r.status_code == 422 and "texts" in r.json["error"]["fields"]
    r = client.post(url, json={"attachment": 999999, "pii": True}, headers=world.officer.headers)
    assert r.status_code == 422 and "attachment" in r.json["error"]["fields"]
    r = client.post(url, json={"attachment": original["id"]}, headers=world.officer.headers)
    assert r.status_code == 422 and "texts" in r.json["error"]["fields"]
    assert (
        client.post(
            url, json={"attachment": original["id"], "pii": True}, headers=world.stranger.headers
        ).status_code
        == 404
    )

    act(client, tn, world.officer, action="accept")
    parts = [{"part": "联系人的个人信息", "basis": "withheld_third_party"}]
    r = act(
        client,
        tn,
        world.officer,
        action="reply",
        outcome="partially_disclosed",
        released=[made["id"]],
        withheld=parts,
    )
    assert r.status_code == 200, r.json
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert [f["name"] for f in view["released"]] == ["批复（删除处理）.pdf"]
    assert fetch(client, view["released"][0]["url"], {"X-Access-Code": code}) == redacted
    assert view["delivery"] == {"delivered": True, "on": view["finished_on"], "how": "online", "detail": ""}


def test_posting_and_pickup_are_recorded_and_the_request_shows_the_delivery(
    client: FlaskClient, world: World
):
    posted = submit(
        client, delivery="post", applicant={**citizen_body()["applicant"], "address": "北京市东城区某街1号"}
    )
    tn, code = posted["tracking_number"], posted["access_code"]
    act(client, tn, world.officer, action="accept")
    assert (
        act(client, tn, world.officer, action="record_posting", carrier="EMS", tracking_code="1").status_code
        == 409
    )
    act(client, tn, world.officer, action="reply", outcome="not_exist")
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert view["delivery"]["delivered"] is False
    r = act(client, tn, world.officer, action="record_posting", carrier="中国邮政EMS")
    assert r.status_code == 422 and "tracking_code" in r.json["error"]["fields"]
    r = act(client, tn, world.officer, action="record_pickup", collected_by="张三")
    assert r.status_code == 409  # the applicant chose post
    r = act(
        client,
        tn,
        world.officer,
        action="record_posting",
        carrier="中国邮政EMS",
        tracking_code="1151234567890",
    )
    assert r.status_code == 200, r.json
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert view["delivery"] == {
        "delivered": True,
        "on": view["finished_on"],
        "how": "post",
        "detail": "中国邮政EMS，运单号1151234567890",
    }
    assert view["events"][-1]["type"] == "posted"
    r = act(client, tn, world.officer, action="record_posting", carrier="EMS", tracking_code="2")
    assert r.status_code == 409  # once

    pickup = submit(client, delivery="pickup")
    tn2 = pickup["tracking_number"]
    act(client, tn2, world.officer, action="accept")
    act(client, tn2, world.officer, action="reply", outcome="not_exist")
    r = act(client, tn2, world.officer, action="record_pickup", collected_by="李四（受张三委托）")
    assert r.status_code == 200, r.json
    staff_view = client.get(f"/api/v1/requests/{tn2}", headers=world.officer.headers).json
    assert (
        staff_view["delivery"]["how"] == "pickup"
        and staff_view["delivery"]["detail"] == "领取人：李四（受张三委托）"
    )
    assert staff_view["events"][-1]["type"] == "collected"
