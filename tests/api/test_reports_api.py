"""GET /api/v1/reports/annex-two (docs/api.md §Reports), the snapshots and sign-off, and the review and
litigation records over a request."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.api.conftest import Staff, World
from tests.domain.test_reports import SEED_ANNEX_TWO
from tests.factories import make_request, reply_fields
from webapp.domain.accounts import create_user, issue_token
from webapp.domain.requests import act
from webapp.models import Appeal, ReportSnapshot

URL = "/api/v1/reports/annex-two"
NOW = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)


def get(client: FlaskClient, staff: Staff, **query: Any) -> Any:
    return client.get(URL, query_string=query, headers=staff.headers)


def finished(
    session: Any, world: World, agency: Any, received: dt.date, outcome: str, channel: str = "letter"
) -> Any:
    req, _ = make_request(session, NOW, agency, received_on=received, channel=channel, officer=None)
    officer = world.officer.user if agency is world.agency else world.stranger.user
    act(session, req, "reply", officer, now=NOW, on=received, **reply_fields(outcome))
    return req


@pytest.fixture
def data(session: Any, world: World) -> dict[str, Any]:
    """2023: CITYHR received 3 (one carried into 2024), CITYENV 2; one request carried in from 2022."""
    finished(session, world, world.agency, dt.date(2023, 3, 6), "disclosed", channel="in_person")
    finished(session, world, world.agency, dt.date(2023, 5, 8), "not_exist")
    make_request(session, NOW, world.agency, received_on=dt.date(2023, 12, 27), officer=world.officer.user)
    make_request(session, NOW, world.agency, received_on=dt.date(2022, 12, 28), officer=world.officer.user)
    finished(session, world, world.other_agency, dt.date(2023, 7, 3), "not_held")
    finished(session, world, world.other_agency, dt.date(2023, 8, 7), "partially_disclosed", channel="fax")
    session.commit()
    return {}


def platform_admin(session: Any) -> Staff:
    user = create_user(session, "root@platform.example", role="admin", agencies=[], now=NOW)
    staff = Staff(user, issue_token(session, user, now=NOW))
    session.commit()
    return staff


def test_2013_json_is_the_seeds_table_in_order(client: FlaskClient, world: World):
    answer = get(client, world.head, agency="CITYHR", year=2013, form="2013")
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert {"form", "year", "agencies", "rows"} <= set(body)
    assert body["form"] == "2013" and body["year"] == 2013 and body["agencies"] == ["CITYHR"]
    assert [(r["label"], r["unit"], r["value"]) for r in body["rows"]] == SEED_ANNEX_TWO
    assert all(set(r) == {"label", "unit", "value", "key"} for r in body["rows"])


def test_2021_json_shape(client: FlaskClient, world: World, data: Any):
    body = get(client, world.head, agency="CITYHR", year=2023, form="2021").json
    assert body["form"] == "2021" and body["year"] == 2023 and body["agencies"] == ["CITYHR"]
    assert body["columns"] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    rows = {r["label"]: r["values"] for r in body["rows"]}
    assert len(body["rows"]) == 30
    assert rows["三、本年度办理结果"] is None and rows["（六）其他处理"] is None
    assert rows["一、本年新收政府信息公开申请数量"] == [3, 0, 0, 0, 0, 0, 3]
    assert rows["二、上年结转政府信息公开申请数量"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["（一）予以公开"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["1.本机关不掌握相关政府信息"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["（七）总计"] == [2, 0, 0, 0, 0, 0, 2]
    assert rows["四、结转下年度继续办理"] == [2, 0, 0, 0, 0, 0, 2]
    assert body["review_litigation"]["groups"][0]["values"] == [0, 0, 0, 0, 0]
    assert body["performance"]["overall"]["replies"] == 2
    assert body["performance"]["overall"]["on_the_spot"] == 2
    assert body["monthly_intake"] == [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert body["snapshots"] == [
        {"agency": "CITYHR", "agency_name": "示范市人力资源和社会保障局", "snapshot": None}
    ]


def test_several_agencies_add_up(client: FlaskClient, world: World, session: Any, data: Any):
    both = platform_admin(session)
    body = get(client, both, agency="CITYHR,CITYENV", year=2023, form="2013").json
    assert body["agencies"] == ["CITYHR", "CITYENV"]
    values = {r["label"]: r["value"] for r in body["rows"]}
    assert values["申请总数"] == 5
    assert values["其中,1.当面申请数"] == 1 and values["2.传真申请数"] == 1 and values["5.信函申请数"] == 3
    assert values["对申请的答复总数"] == 4
    assert values["其中:1.同意公开答复数"] == 1 and values["2.同意部分公开答复数"] == 1
    assert values["3.否决公开答复数"] == 2
    assert values["其中: ①“信息不存在”数"] == 1 and values["②“非本部门掌握”数"] == 1

    # A head of both agencies may ask for both too.
    head = create_user(
        session, "head2@both.example", role="head", agencies=[world.agency, world.other_agency], now=NOW
    )
    staff = Staff(head, issue_token(session, head, now=NOW))
    session.commit()
    assert get(client, staff, agency="CITYHR,CITYENV", year=2023, form="2021").status_code == 200


@pytest.mark.parametrize(
    ("who", "agency", "status"),
    [
        ("officer", "CITYHR", 403),
        ("stranger_head", "CITYHR", 403),
        ("head", "CITYHR,CITYENV", 403),
        ("head", "CITYENV", 403),
        ("admin", "CITYENV", 403),
        ("admin", "CITYHR", 200),
        ("stranger_head", "CITYENV", 200),
    ],
)
def test_who_may_see_the_report(client: FlaskClient, world: World, who: str, agency: str, status: int):
    answer = get(client, getattr(world, who), agency=agency, year=2023, form="2021")
    assert answer.status_code == status, answer.json
    if status == 403:
        assert answer.json["error"]["code"] == "forbidden"


def test_a_token_is_needed(client: FlaskClient, world: World):
    answer = client.get(URL, query_string={"agency": "CITYHR", "year": 2023})
    assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"agency": "NOPE", "year": 2023}, "agency"),
        ({"agency": "CITYHR", "year": 1999}, "year"),
        ({"agency": "CITYHR", "year": 2099}, "year"),
        ({"agency": "CITYHR", "year": "last"}, "year"),
        ({"agency": "CITYHR", "year": 2023, "form": "2019"}, "form"),
        ({"agency": "CITYHR", "year": 2023, "format": "docx"}, "format"),
        ({"agency": "CITYHR", "year": 2023, "colour": "red"}, "colour"),
        ({"year": 2023}, "agency"),
        ({"agency": "CITYHR"}, "year"),
    ],
)
def test_bad_queries_name_the_field(client: FlaskClient, world: World, query: dict[str, Any], field: str):
    answer = client.get(URL, query_string=query, headers=world.head.headers)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert field in answer.json["error"]["fields"]


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("html", "text/html; charset=utf-8", b"<!doctype html>"),
        ("json", "application/json", b"{"),
    ],
)
def test_each_format_has_its_content_type(
    client: FlaskClient, world: World, data: Any, fmt: str, content_type: str, start: bytes
):
    answer = get(client, world.head, agency="CITYHR", year=2023, form="2013", format=fmt)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.data.startswith(start)
    if fmt in ("csv", "xlsx", "pdf"):
        assert (
            answer.headers["Content-Disposition"]
            == f'attachment; filename="annex-two-2013-2023-CITYHR.{fmt}"'
        )


def test_csv_and_xlsx_hold_the_figures(client: FlaskClient, world: World, data: Any):
    answer = get(client, world.head, agency="CITYHR", year=2023, form="2013", format="csv")
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "单位", "数量"]
    assert rows[2] == ["申请总数", "条", "3"] and rows[6] == ["4.网上申请数", "条", "0"]
    answer = get(client, world.head, agency="CITYHR", year=2023, form="2021", format="xlsx")
    sheet = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    assert sheet["A6"].value == "一、本年新收政府信息公开申请数量" and sheet["H6"].value == 3


def test_the_page_fetches_nothing_from_outside(client: FlaskClient, world: World, data: Any):
    answer = get(client, world.head, agency="CITYHR", year=2023, form="2021", format="html")
    page = answer.data.decode()
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Content-Disposition"].startswith("inline")
    assert page.count("<svg") == 2 and "本年度办理结果" in page and "各月新收申请" in page
    assert "src=" not in page and "<link" not in page and "<script" not in page and "@import" not in page
    assert "一、本年新收政府信息公开申请数量" in page and "勾稽关系" in page and "各列均相符" in page
    assert '<meta name="viewport"' in page and 'lang="zh-CN"' in page


# -- snapshots ------------------------------------------------------------------------------------------


def test_snapshot_sign_off_and_a_late_correction(client: FlaskClient, world: World, session: Any, data: Any):
    answer = client.post(
        f"{URL}/snapshots",
        json={"agency": "CITYHR", "year": 2023, "form": "2021"},
        headers=world.head.headers,
    )
    assert answer.status_code == 201, answer.json
    snap = answer.json
    assert snap["revision"] == 1 and snap["signed_off_by"] is None and len(snap["checksum"]) == 64

    body = get(client, world.head, agency="CITYHR", year=2023, form="2021").json
    (status,) = body["snapshots"]
    assert status["snapshot"]["id"] == snap["id"] and status["data_changed"] is False

    # A late registration of a 2023 request: the report says the data changed and shows the figures.
    make_request(session, NOW, world.agency, received_on=dt.date(2023, 9, 4), officer=world.officer.user)
    session.commit()
    body = get(client, world.head, agency="CITYHR", year=2023, form="2021").json
    (status,) = body["snapshots"]
    assert status["data_changed"] is True
    assert {
        "label": "一、本年新收政府信息公开申请数量",
        "column": "总计",
        "snapshot": 3,
        "current": 4,
    } in status["differences"]
    page = get(client, world.head, agency="CITYHR", year=2023, form="2021", format="html").data.decode()
    assert "快照后数据有变动" in page

    sign = f"{URL}/snapshots/{snap['id']}/sign-off"
    for who in (world.officer, world.admin, world.stranger_head):
        answer = client.post(sign, json={}, headers=who.headers)
        assert answer.status_code in (403, 404), answer.json
    answer = client.post(sign, json={}, headers=world.head.headers)
    assert answer.status_code == 200 and answer.json["signed_off_by"] == "head@hr.example"
    assert client.post(sign, json={}, headers=world.head.headers).status_code == 409

    listing = client.get(f"{URL}/snapshots", query_string={"agency": "CITYHR"}, headers=world.head.headers)
    assert [s["id"] for s in listing.json["items"]] == [snap["id"]]
    assert (
        client.get(
            f"{URL}/snapshots", query_string={"agency": "CITYHR"}, headers=world.officer.headers
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"agency": "CITYHR", "year": 2024, "form": "2021"}, 422, "year"),
        ({"agency": "CITYHR", "year": 2023}, 422, "form"),
        ({"agency": "NOPE", "year": 2023, "form": "2021"}, 422, "agency"),
        ({"agency": "CITYHR", "year": "2023", "form": "2021"}, 422, "year"),
    ],
)
def test_bad_snapshot_requests(
    client: FlaskClient, world: World, session: Any, body: Any, status: int, field: str, monkeypatch: Any
):
    monkeypatch.setattr("webapp.api.reports.now", lambda: NOW)
    answer = client.post(f"{URL}/snapshots", json=body, headers=world.head.headers)
    assert answer.status_code == status, answer.json
    assert field in answer.json["error"]["fields"]
    assert session.execute(select(ReportSnapshot)).first() is None


def test_officers_cannot_freeze(client: FlaskClient, world: World, session: Any):
    answer = client.post(
        f"{URL}/snapshots",
        json={"agency": "CITYHR", "year": 2023, "form": "2013"},
        headers=world.officer.headers,
    )
    assert answer.status_code == 403


# -- review and litigation ------------------------------------------------------------------------------


def test_review_and_litigation_through_the_api(client: FlaskClient, world: World, session: Any):
    req = finished(session, world, world.agency, dt.date(2023, 3, 6), "withheld_deliberative")
    session.commit()
    url = f"/api/v1/requests/{req.tracking_number}/appeals"
    answer = client.post(
        url,
        json={"kind": "review", "result": "pending", "filed_on": "2023-04-20"},
        headers=world.officer.headers,
    )
    assert answer.status_code == 201, answer.json
    review = answer.json
    assert (
        review["kind_label"] == "行政复议"
        and review["result_label"] == "尚未审结"
        and review["decided_on"] is None
    )
    answer = client.post(
        url,
        json={
            "kind": "litigation_direct",
            "result": "upheld",
            "filed_on": "2023-05-02",
            "decided_on": "2023-10-09",
            "authority": " 示范市中级人民法院 ",
        },
        headers=world.officer.headers,
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["authority"] == "示范市中级人民法院" and review["authority"] is None
    too_long = {"kind": "review", "result": "pending", "filed_on": "2023-04-20", "authority": "院" * 201}
    refused = client.post(url, json=too_long, headers=world.officer.headers)
    assert refused.status_code == 422 and "authority" in refused.json["error"]["fields"]

    body = get(client, world.head, agency="CITYHR", year=2023, form="2021").json
    groups = body["review_litigation"]["groups"]
    assert [g["values"] for g in groups] == [[0, 0, 0, 1, 1], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    assert [g["label"] for g in groups] == ["行政复议", "未经复议直接起诉", "复议后起诉"]

    answer = client.post(
        f"{url}/{review['id']}/decision",
        json={"result": "corrected", "decided_on": "2023-06-30"},
        headers=world.head.headers,
    )
    assert answer.status_code == 200 and answer.json["result"] == "corrected"
    assert (
        client.post(
            f"{url}/{review['id']}/decision",
            json={"result": "other", "decided_on": "2023-07-01"},
            headers=world.head.headers,
        ).status_code
        == 409
    )
    listing = client.get(url, headers=world.officer.headers).json["items"]
    assert [a["kind"] for a in listing] == ["review", "litigation_direct"]
    history = client.get(f"/api/v1/requests/{req.tracking_number}", headers=world.officer.headers).json[
        "events"
    ]
    assert [e["type"] for e in history][-3:] == ["appeal_recorded", "appeal_recorded", "appeal_decided"]
    assert "示范市中级人民法院" in history[-2]["note"]

    # Staff of another agency see nothing of it; bad input names the field.
    assert client.get(url, headers=world.stranger.headers).status_code == 404
    answer = client.post(
        url,
        json={"kind": "review", "result": "upheld", "filed_on": "2023-04-20"},
        headers=world.officer.headers,
    )
    assert answer.status_code == 422 and "decided_on" in answer.json["error"]["fields"]
    answer = client.post(
        url,
        json={"kind": "appeal", "result": "upheld", "filed_on": "2023-04-20"},
        headers=world.officer.headers,
    )
    assert answer.status_code == 422 and "kind" in answer.json["error"]["fields"]
    assert len(session.execute(select(Appeal)).all()) == 2


def test_reports_are_in_the_openapi_document(client: FlaskClient):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/reports/annex-two",
        "/api/v1/reports/annex-two/snapshots",
        "/api/v1/reports/annex-two/snapshots/{snapshot_id}/sign-off",
        "/api/v1/requests/{tracking_number}/appeals",
        "/api/v1/requests/{tracking_number}/appeals/{appeal_id}/decision",
    } <= set(paths)
    content = paths["/api/v1/reports/annex-two"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/pdf", "text/html"} <= set(content)
