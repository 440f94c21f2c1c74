"""The whole annual report (docs/api.md §The annual report): the report in both forms, its drafted and
edited text checked against the tables, the head's sign-off, the published files anyone may read, and a
government's report rolled up from its agencies."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from flask.testing import FlaskClient

from tests.api.conftest import Staff, World
from tests.domain.test_reports import SEED_ANNEX_TWO
from tests.factories import make_agency, make_request, pdf_text
from webapp.domain.accounts import create_user, issue_token
from webapp.domain.requests import act
from webapp.models import Appeal

URL = "/api/v1/reports/annual"
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
TITLES_2021 = [
    ("overview", "一、总体情况"),
    ("proactive", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、政府信息公开工作存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
]


def get(client: FlaskClient, staff: Staff, **query: Any) -> Any:
    return client.get(URL, query_string={"agency": "CITYHR", "year": 2025, **query}, headers=staff.headers)


def put_texts(client: FlaskClient, staff: Staff, sections: dict[str, Any], **query: Any) -> Any:
    return client.put(
        f"{URL}/texts",
        query_string={"agency": "CITYHR", "year": 2025, **query},
        json={"sections": sections},
        headers=staff.headers,
    )


def sign(client: FlaskClient, staff: Staff, **query: Any) -> Any:
    return client.post(
        f"{URL}/sign-off",
        query_string={"agency": "CITYHR", "year": 2025, "form": "2021", **query},
        headers=staff.headers,
    )


def finished(
    session: Any, world: World, received: dt.date, outcome: str, channel: str = "letter", agency: Any = None
) -> Any:
    agency = agency or world.agency
    req, _ = make_request(session, NOW, agency, received_on=received, channel=channel, officer=None)
    act(
        session,
        req,
        "reply",
        world.officer.user if agency is world.agency else None,
        now=NOW,
        on=received,
        outcome=outcome,
        **({"published_where": "本机关门户网站"} if outcome in ("disclosed", "partially_disclosed") else {}),
    )
    return req


@pytest.fixture
def data(session: Any, world: World) -> dict[str, Any]:
    """2025: CITYHR received 3 (two replied, one carried out), 2024: one."""
    req = finished(session, world, dt.date(2025, 3, 6), "disclosed", channel="in_person")
    finished(session, world, dt.date(2025, 5, 8), "not_exist")
    make_request(session, NOW, world.agency, received_on=dt.date(2025, 12, 29), officer=world.officer.user)
    finished(session, world, dt.date(2024, 5, 8), "disclosed")
    session.add(
        Appeal(
            request_id=req.id,
            kind="review",
            result="upheld",
            filed_on=dt.date(2025, 4, 1),
            decided_on=dt.date(2025, 6, 1),
            note="",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.commit()
    return {"request": req}


def section(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in body["sections"] if s["key"] == key)


def test_2021_has_the_six_sections_in_order(client: FlaskClient, world: World, data: Any):
    answer = get(client, world.head)
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["form"] == "2021" and body["year"] == 2025 and body["agencies"] == ["CITYHR"]
    assert [(s["key"], s["title"]) for s in body["sections"]] == TITLES_2021
    annex = client.get(
        "/api/v1/reports/annex-two",
        query_string={"agency": "CITYHR", "year": 2025, "form": "2021"},
        headers=world.head.headers,
    ).json
    assert section(body, "requests")["tables"] == [annex]
    assert section(body, "appeals")["tables"] == [annex["review_litigation"]]
    review = section(body, "appeals")["tables"][0]["groups"][0]
    assert review["kind"] == "review" and review["values"] == [1, 0, 0, 0, 1]
    proactive = section(body, "proactive")["tables"][0]
    assert [b["heading"] for b in proactive["blocks"]] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert proactive["blocks"][0]["columns"] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    fees = section(body, "other")["tables"][0]
    assert [(r["label"], r["value"]) for r in fees["rows"]] == [
        ("发出收费通知的件数", 0),
        ("收费通知的总金额", 0),
        ("缴费件数", 0),
        ("实际收取的总金额", 0),
    ]
    assert "未发出信息处理费收费通知" in section(body, "other")["text"]


def test_the_draft_quotes_the_tables(client: FlaskClient, world: World, data: Any):
    body = get(client, world.head).json
    text = section(body, "requests")["text"]
    assert "共收到政府信息公开申请3件，比上年增加2件；上年结转0件" in text
    assert "当面申请1件" in text and "信函申请2件" in text
    assert "本年度办结2件，其中予以公开1件、无法提供1件；结转下年度继续办理1件" in text
    assert "按期答复2件" in text and "按期答复率100%" in text
    assert "被申请行政复议1件" in section(body, "overview")["text"]
    assert body["flags"] == 0 and not section(body, "requests")["edited"]


def test_open_requests_past_their_due_date_count_against_the_on_time_rate(
    session: Any, client: FlaskClient, world: World, data: Any
):
    """Two replies on time and two requests still open on 31 December long after their due date: the
    rate is 2 of 4, not 100%, and the text says so without a flag."""
    for received in (dt.date(2025, 8, 4), dt.date(2025, 9, 1)):
        make_request(session, NOW, world.agency, received_on=received, officer=world.officer.user)
    session.commit()
    body = get(client, world.head).json
    text = section(body, "requests")["text"]
    assert "按期答复2件，逾期答复0件；另有逾期未答复2件（尚未答复且已超过答复期限）" in text
    assert "按期答复率50%" in text and "按期答复率100%" not in text
    assert "按期答复率50%，另有逾期未答复2件" in section(body, "overview")["text"]
    assert body["flags"] == 0
    # the number check reads the new words: an office writing 1 overdue request is flagged
    put_texts(client, world.head, {"requests": text.replace("逾期未答复2件", "逾期未答复1件")})
    flags = section(get(client, world.head).json, "requests")["flags"]
    assert [(f["quoted"], f["expected"]) for f in flags] == [(1, 2)]


def test_a_changed_figure_flags_the_sentence_and_blocks_sign_off(
    session: Any, client: FlaskClient, world: World, data: Any
):
    saved = put_texts(
        client, world.head, {"requests": "2025年，本局共收到政府信息公开申请3件。办理质量稳步提升。"}
    )
    assert saved.status_code == 200, saved.json
    assert section(saved.json, "requests")["edited"] and saved.json["flags"] == 0
    # a late registration changes the figure the sentence quotes
    make_request(session, NOW, world.agency, received_on=dt.date(2025, 11, 3), officer=world.officer.user)
    session.commit()
    body = get(client, world.head).json
    flags = section(body, "requests")["flags"]
    assert flags == [
        {
            "fact": "received",
            "sentence": "2025年，本局共收到政府信息公开申请3件。",
            "quoted": 3.0,
            "expected": 4.0,
        }
    ]
    refused = sign(client, world.head)
    assert refused.status_code == 409 and "sections.requests" in refused.json["error"]["fields"]
    put_texts(client, world.head, {"requests": None})  # back to the product's draft
    assert get(client, world.head).json["flags"] == 0
    assert sign(client, world.head).status_code == 201


def test_texts_are_checked(client: FlaskClient, world: World):
    answer = put_texts(client, world.head, {"proactive": "x", "nonsense": "y"})
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"sections.proactive", "sections.nonsense"}
    assert put_texts(client, world.officer, {"problems": "x"}).status_code == 403


def test_sign_off_publishes_the_report(session: Any, client: FlaskClient, world: World, data: Any):
    put_texts(
        client, world.head, {"problems": "一是信息公开工作力量较为薄弱。\n二是主动公开的及时性有待提高。"}
    )
    assert sign(client, world.officer).status_code == 403
    assert sign(client, world.admin).status_code == 403
    assert sign(client, world.stranger_head).status_code == 403
    answer = sign(client, world.head)
    assert answer.status_code == 201, answer.json
    assert sign(client, world.head).status_code == 409
    assert put_texts(client, world.head, {"problems": "改"}).status_code == 409
    public = client.get("/api/v1/public/annual-reports", query_string={"agency": "CITYHR", "year": 2025})
    assert public.status_code == 200
    (item,) = public.json["items"]
    assert item["agency"] == "CITYHR" and item["year"] == 2025 and item["form"] == "2021"
    pdf = client.get(item["pdf"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    for _, title in TITLES_2021:
        assert title in text
    for words in (
        "第二十条第（一）项",
        "本年新收政府信息公开申请数量",
        "（七）总计",
        "结果维持",
        "发出收费通知的件数",
        "一是信息公开工作力量较为薄弱",
    ):
        assert words in text
    document = Document(io.BytesIO(client.get(item["docx"]).data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [title for _, title in TITLES_2021]
    cells = [{c.text for row in t.rows for c in row.cells} for t in document.tables]
    assert len(document.tables) == 4 + 1 + 1 + 1  # four Art. 20 blocks, 三, 四, 六
    assert "本年制发件数" in cells[0] and "（七）总计" in cells[4] and "结果维持" in cells[5]
    assert "发出收费通知的件数" in cells[6]
    html = client.get(item["html"])
    assert html.status_code == 200 and "六、其他需要报告的事项" in html.get_data(as_text=True)
    # the frozen report does not move with later data
    make_request(session, NOW, world.agency, received_on=dt.date(2025, 11, 3), officer=world.officer.user)
    session.commit()
    assert pdf_text(client.get(item["pdf"]).data) == text
    assert get(client, world.head).json["publication"]["data_changed"] is True


def test_public_files_of_what_is_not_published_are_not_found(client: FlaskClient, world: World):
    assert client.get("/api/v1/public/annual-reports/CITYHR/2025/2021.pdf").status_code == 404
    assert client.get("/api/v1/public/annual-reports/NOPE/2025/2021.pdf").status_code == 404
    assert client.get("/api/v1/public/annual-reports", query_string={"agency": "NOPE"}).status_code == 422
    assert client.get("/api/v1/public/annual-reports").json == {"items": []}


def test_2013_form_has_the_three_annexes(client: FlaskClient, world: World):
    body = get(client, world.head, form="2013", year=2013).json
    keys = [s["key"] for s in body["sections"]]
    assert {"annex_one", "annex_two", "annex_three"} <= set(keys)
    one = section(body, "annex_one")
    assert one["title"] == "附表一 主动公开情况统计"
    assert [(r["label"], r["unit"]) for r in one["tables"][0]["rows"]] == [
        ("主动公开信息数", "条"),
        ("其中:政务动态信息", "条"),
        ("其它类信息", "条"),
    ]
    two = section(body, "annex_two")["tables"][0]
    assert [(r["label"], r["unit"], r["value"]) for r in two["rows"]] == SEED_ANNEX_TWO
    three = section(body, "annex_three")["tables"][0]
    assert [(r["label"], r["unit"]) for r in three["rows"]] == [
        ("提供服务类信息数", "条"),
        ("网上咨询数", "人次"),
        ("现场接待人数", "人次"),
        ("咨询电话接听数", "人次"),
    ]
    assert "未收到政府信息公开申请" in section(body, "requests")["text"]


def test_formats(client: FlaskClient, world: World, data: Any):
    pdf = get(client, world.head, format="pdf")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    docx = get(client, world.head, format="docx")
    assert docx.content_type.startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert get(client, world.head, format="html").status_code == 200
    assert get(client, world.head, format="xlsx").status_code == 422
    assert get(client, world.officer).status_code == 403
    assert client.get(URL, query_string={"agency": "CITYHR", "year": 2025}).status_code == 401


def test_a_government_rolls_up_its_agencies(session: Any, client: FlaskClient, world: World, data: Any):
    government = make_agency(session, NOW, code="CITYGOV", name="示范市人民政府")
    world.agency.parent_id = government.id
    world.other_agency.parent_id = government.id
    finished(session, world, dt.date(2025, 7, 1), "not_held", agency=world.other_agency)
    head = create_user(session, "head@gov.example", role="head", agencies=[government], now=NOW)
    staff = Staff(head, issue_token(session, head, now=NOW))
    session.commit()
    body = client.get(URL, query_string={"agency": "CITYGOV", "year": 2025}, headers=staff.headers).json
    assert body["agencies"] == ["CITYGOV"] and body["rolled_up"] == ["CITYENV", "CITYHR"]
    table = section(body, "requests")["tables"][0]
    received = next(r for r in table["rows"] if r["key"] == "received")
    assert received["values"][-1] == 4  # CITYHR's 3 and CITYENV's 1
    assert section(body, "appeals")["tables"][0]["groups"][0]["values"][-1] == 1
    client.put(
        f"{URL}/texts",
        query_string={"agency": "CITYGOV", "year": 2025},
        json={"sections": {"problems": "市政府的文字"}},
        headers=staff.headers,
    )
    assert section(get(client, world.head).json, "problems")["text"] == ""
    assert (
        section(
            client.get(URL, query_string={"agency": "CITYGOV", "year": 2025}, headers=staff.headers).json,
            "problems",
        )["text"]
        == "市政府的文字"
    )


def test_section_six_holds_the_fee_records(session: Any, client: FlaskClient, world: World):
    officer = world.officer.user
    # by the page: 40 pages cost 100 yuan, 34 pages 40 yuan (docs/rules.md §Fees)
    for received, pages, pays in ((dt.date(2025, 3, 3), 40, True), (dt.date(2025, 4, 7), 34, False)):
        req, _ = make_request(session, NOW, world.agency, received_on=received, officer=officer)
        act(session, req, "accept", officer, now=NOW, on=received)
        act(session, req, "request_fee", officer, now=NOW, on=received, basis="per_page", pages=pages)
        if pays:
            act(
                session,
                req,
                "receive_fee",
                officer,
                now=NOW,
                on=received + dt.timedelta(days=3),
                amount_yuan=100,
                receipt_number="N1",
            )
    session.commit()
    other = section(get(client, world.head).json, "other")
    assert [(r["key"], r["value"]) for r in other["tables"][0]["rows"]] == [
        ("notices", 2),
        ("charged_yuan", 140),
        ("paid", 1),
        ("collected_yuan", 100),
    ]
    assert "发出收费通知2件，通知金额140元；收到缴费1件，实际收取100元" in other["text"]
    assert other["flags"] == []
