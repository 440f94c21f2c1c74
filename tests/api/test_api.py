"""The JSON API v1 against docs/api.md: each endpoint, each validation error, each role and agency."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import secrets
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.api.conftest import World, citizen_body, staff_body
from webapp.domain.calendar import CHINA, current_calendar
from webapp.models import Attachment, Event, Request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def count(session: Any, model: Any = Request) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def submit(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/requests", json=citizen_body(**overrides))
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def register(
    client: FlaskClient, staff: Any, channel: str = "letter", received_on: str = "2024-06-03"
) -> dict:
    r = client.post(
        "/api/v1/requests",
        json=staff_body(channel=channel, received_on=received_on),
        headers=staff.headers,
    )
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def action(client: FlaskClient, tn: str, staff: Any, **body: Any) -> Any:
    return client.post(f"/api/v1/requests/{tn}/actions", json=body, headers=staff.headers)


# -- intake ---------------------------------------------------------------------------------------


def test_citizen_submits_and_follows_with_the_access_code(client: FlaskClient, world: World, session: Any):
    answer = submit(client)
    assert set(answer) == {
        "tracking_number",
        "access_code",
        "status",
        "received_on",
        "due_on",
        "due_provisional",
        "rules",
        "due_explanation",
    }
    assert answer["due_explanation"][0]["to"] == answer["due_on"]
    assert answer["tracking_number"].startswith(f"CITYHR-{today().year}-")
    assert answer["status"] == "received" and answer["rules"] == "2019"
    assert answer["received_on"] == today().isoformat()
    assert answer["due_on"] == current_calendar(session).add_wd(today(), 20).isoformat()

    tn = answer["tracking_number"]
    r = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": answer["access_code"]})
    assert r.status_code == 200
    view = r.json
    for key in (
        "tracking_number",
        "agency",
        "channel",
        "applicant_type",
        "status",
        "received_on",
        "due_on",
        "due_provisional",
        "extended_days",
        "outcome",
        "finished_on",
        "version",
        "events",
    ):
        assert key in view
    assert view["agency"] == "CITYHR" and view["channel"] == "online" and view["version"] == 1
    assert view["events"][0]["type"] == "submitted"
    assert set(view["events"][0]) == {"at", "on", "type", "note"}
    assert "applicant" not in view and "description" not in view  # the applicant's view is lean
    assert view["due_explanation"][0]["to"] == answer["due_on"]


def test_access_code_is_shown_once_and_a_wrong_one_looks_like_a_missing_request(client, world):
    answer = submit(client)
    tn = answer["tracking_number"]
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": answer["access_code"]}).json
    assert "access_code" not in view
    wrong = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": "AAAA-BBBB-CCCC-DDDD"})
    missing = client.get(
        "/api/v1/requests/CITYHR-2024-999999", headers={"X-Access-Code": "AAAA-BBBB-CCCC-DDDD"}
    )
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json == missing.json
    assert client.get(f"/api/v1/requests/{tn}").status_code == 401
    # the code works in any case and without its dashes
    code = answer["access_code"].replace("-", "").lower()
    assert client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).status_code == 200


@pytest.mark.parametrize("channel", ["in_person", "fax", "email", "letter", "other", "online"])
def test_officer_registers_every_channel_with_its_received_on_date(client, world, channel):
    answer = register(client, world.officer, channel, "2024-06-03")
    assert answer["received_on"] == "2024-06-03"
    assert answer["due_on"] == "2024-07-02"  # 20 working days, 端午节 6/10 skipped
    view = client.get(f"/api/v1/requests/{answer['tracking_number']}", headers=world.officer.headers).json
    assert view["channel"] == channel
    assert view["applicant"]["name"] == "张三"
    assert view["events"][0]["actor"] == "officer@hr.example"


def test_2008_rules_by_received_on(client: FlaskClient, world: World):
    assert register(client, world.officer, "letter", "2019-05-14")["rules"] == "2008"
    assert register(client, world.officer, "letter", "2019-05-15")["rules"] == "2019"


BAD_INTAKE = [
    ({"agency": "NOWHERE"}, "agency"),
    ({"agency": 5}, "agency"),
    ({"description": ""}, "description"),
    ({"description": "字" * 5001}, "description"),
    ({"delivery": "pigeon"}, "delivery"),
    ({"applicant": None}, "applicant"),
    ({"applicant": {"type": "martian", "name": "x", "email": "a@b.cn"}}, "applicant.type"),
    ({"applicant": {"type": "natural_person", "name": 42, "email": "a@b.cn"}}, "applicant.name"),
    ({"applicant": {"type": "natural_person", "name": "x", "email": "a@b.cn", "shoe": 1}}, "applicant.shoe"),
    (
        {
            "applicant": {
                "type": "natural_person",
                "name": "x",
                "id_number": "110105194912310021",
                "email": "a@b.cn",
            }
        },
        "applicant.id_number",
    ),
    ({"applicant": {"type": "natural_person", "name": "x"}}, "applicant.email"),
    ({"colour": "blue"}, "colour"),
    ({"channel": "letter"}, "channel"),
    ({"received_on": "2024-06-03"}, "received_on"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INTAKE)
def test_bad_citizen_intake_names_the_field_and_creates_nothing(client, world, session, overrides, field):
    before = count(session)
    r = client.post("/api/v1/requests", json=citizen_body(**overrides))
    assert r.status_code == 422, r.json
    assert r.json["error"]["code"] == "validation_error"
    assert field in r.json["error"]["fields"], r.json
    assert count(session) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "letter"}, "received_on"),
        ({"channel": "letter", "received_on": "2024-02-30"}, "received_on"),
        ({"channel": "letter", "received_on": "2008-04-30"}, "received_on"),
        ({"channel": "letter", "received_on": "2999-01-01"}, "received_on"),
        ({"channel": "letter", "received_on": "yesterday"}, "received_on"),
        ({"channel": "pigeon", "received_on": "2024-06-03"}, "channel"),
    ],
)
def test_bad_registration_names_the_field(client, world, session, overrides, field):
    before = count(session)
    r = client.post("/api/v1/requests", json=citizen_body(**overrides), headers=world.officer.headers)
    assert r.status_code == 422 and field in r.json["error"]["fields"], r.json
    assert count(session) == before


def test_future_received_on_is_refused_even_for_tomorrow(client: FlaskClient, world: World):
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = client.post(
        "/api/v1/requests",
        json=citizen_body(channel="fax", received_on=tomorrow),
        headers=world.officer.headers,
    )
    assert r.status_code == 422 and "received_on" in r.json["error"]["fields"]


def test_malformed_json_and_wrong_content(client: FlaskClient, world: World, session: Any):
    r = client.post("/api/v1/requests", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_request"
    assert "body" in r.json["error"]["fields"]
    r = client.post("/api/v1/requests", json=["a", "list"])
    assert r.status_code == 422 and r.json["error"]["code"] == "validation_error"
    assert count(session) == 0


def test_officer_cannot_register_for_another_agency(client: FlaskClient, world: World, session: Any):
    r = client.post(
        "/api/v1/requests",
        json=staff_body(channel="letter", received_on="2024-06-03"),
        headers=world.stranger.headers,
    )
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert count(session) == 0


def test_bad_and_revoked_tokens_are_refused(client: FlaskClient, world: World, session: Any):
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        r = client.get("/api/v1/queue", headers={"Authorization": header})
        assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"
    from webapp.domain.accounts import revoke_token
    from webapp.models import ApiToken

    token_row = session.execute(
        select(ApiToken).where(ApiToken.user_id == world.officer.user.id)
    ).scalar_one()
    revoke_token(session, token_row.id, now=dt.datetime.now(dt.UTC))
    assert client.get("/api/v1/queue", headers=world.officer.headers).status_code == 401


# Every endpoint that parses input and needs a credential, with input that is malformed for it.
MALFORMED = [
    ("post", "/api/v1/requests/{tn}/actions", {"json": {"action": "fly", "days": "x"}}, "staff"),
    ("post", "/api/v1/requests/{tn}/correction", {"json": {"text": 5, "extra": 1}}, "applicant"),
    ("post", "/api/v1/requests/{tn}/withdraw", {"json": {"reason": ["x"]}}, "applicant"),
    ("post", "/api/v1/requests/{tn}/attachments", {"data": {"note": "x"}}, "applicant"),
    ("get", "/api/v1/queue?limit=abc&bogus=1", {}, "staff"),
    ("get", "/api/v1/reports/annex-two?year=abc", {}, "staff"),
    ("get", "/api/v1/reports/annex-two/snapshots?year=abc", {}, "staff"),
    ("post", "/api/v1/reports/annex-two/snapshots", {"json": {"year": "abc"}}, "staff"),
    ("post", "/api/v1/reports/annex-two/snapshots/1/sign-off", {"json": {"bogus": 1}}, "staff"),
    ("post", "/api/v1/requests/{tn}/appeals", {"json": {"kind": "duel"}}, "staff"),
    ("post", "/api/v1/requests/{tn}/appeals/1/decision", {"json": {"result": 7}}, "staff"),
]


@pytest.mark.parametrize(("method", "path", "payload", "who"), MALFORMED)
def test_missing_or_bad_credentials_are_a_401_before_a_malformed_input_is_looked_at(
    client: FlaskClient, world: World, method: str, path: str, payload: dict[str, Any], who: str
):
    tn = submit(client)["tracking_number"]
    url = path.format(tn=tn)
    call = getattr(client, method)
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        r = call(url, headers=headers, **payload)
        assert r.status_code == 401, (headers, r.json)
        assert r.json["error"]["code"] == "unauthorized"
    if who == "staff":  # a good token: now the input is looked at
        r = call(url, headers=world.officer.headers, **payload)
        assert r.status_code in (400, 422), r.json


# -- idempotency ----------------------------------------------------------------------------------


def new_key() -> str:
    return str(uuid.uuid4())


def test_retried_submission_with_the_same_key_creates_nothing(
    client: FlaskClient, world: World, session: Any
):
    headers = {"Idempotency-Key": new_key()}
    first = client.post("/api/v1/requests", json=citizen_body(), headers=headers)
    again = client.post("/api/v1/requests", json=citizen_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json == again.json  # the same tracking number and access code
    assert count(session) == 1
    other_body = client.post("/api/v1/requests", json=citizen_body(description="另一份申请"), headers=headers)
    assert other_body.status_code == 409 and other_body.json["error"]["code"] == "conflict"
    assert count(session) == 1
    # an officer's own key is their own
    mine = {"Idempotency-Key": new_key(), **world.officer.headers}
    staff = client.post("/api/v1/requests", json=citizen_body(), headers=mine)
    assert staff.status_code == 201 and staff.json["tracking_number"] != first.json["tracking_number"]
    assert client.post("/api/v1/requests", json=citizen_body(), headers=mine).json == staff.json
    assert count(session) == 2


def test_a_kept_answer_goes_back_to_its_own_caller_only(client: FlaskClient, world: World, session: Any):
    """The same key and body from another caller never receive the first answer (its access code)."""
    key = new_key()
    officer = client.post(
        "/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key, **world.officer.headers}
    )
    assert officer.status_code == 201
    for other in (world.officer2.headers, world.stranger.headers, {}):  # colleagues, strangers, anyone
        r = client.post("/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key, **other})
        assert r.status_code == 409, r.json
        assert r.json["error"]["code"] == "conflict" and "Idempotency-Key" in r.json["error"]["fields"]
        assert officer.json["access_code"] not in r.get_data(as_text=True)
        assert officer.json["tracking_number"] not in r.get_data(as_text=True)
    # an anonymous citizen's answer, likewise: a token's user with the citizen's key gets nothing
    key = new_key()
    citizen = client.post("/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key})
    assert citizen.status_code == 201
    r = client.post(
        "/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key, **world.head.headers}
    )
    assert r.status_code == 409 and citizen.json["access_code"] not in r.get_data(as_text=True)
    assert count(session) == 2
    # and the first callers still get their own answers
    again = client.post("/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json == citizen.json


@pytest.mark.parametrize(
    "key",
    [
        "k-123",  # short: another client's short key would be the same
        "a" * 31,
        "a" * 201,
        "a" * 40,  # long but not random
        "0" * 31 + "1",
        "abc" * 12,
        "00000000-0000-0000-0000-000000000001",
        "abcd" * 8,
        "f47ac10b-58cc-4372-a567-0e02b2c3d479 x",  # a space
        "f47ac10b-58cc-4372-a567-0e02b2c3d479\u00e9",
        "",
    ],
)
def test_idempotency_keys_short_or_plain_are_refused_naming_the_header(
    client: FlaskClient, world: World, session: Any, key: str
):
    r = client.post("/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key})
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "bad_request"
    assert set(r.json["error"]["fields"]) == {"Idempotency-Key"}
    english = client.post(
        "/api/v1/requests",
        json=citizen_body(),
        headers={"Idempotency-Key": key, "Accept-Language": "en"},
    )
    assert english.status_code == 400 and english.json["error"]["fields"]["Idempotency-Key"].isascii()
    assert count(session) == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: str(uuid.uuid4()),
        lambda: uuid.uuid4().hex,
        lambda: secrets.token_urlsafe(32),
        lambda: base64.b64encode(secrets.token_bytes(24)).decode(),
    ],
)
def test_random_keys_of_the_usual_shapes_are_accepted(client: FlaskClient, world: World, make: Any):
    for _ in range(20):
        headers = {"Idempotency-Key": make()}
        assert client.post("/api/v1/requests", json=citizen_body(), headers=headers).status_code == 201


def test_idempotency_record_does_not_hold_the_access_code_in_clear(client, world, session):
    from webapp.models import IdempotencyRecord

    key = new_key()
    answer = client.post("/api/v1/requests", json=citizen_body(), headers={"Idempotency-Key": key}).json
    record = session.execute(select(IdempotencyRecord)).scalar_one()
    assert answer["access_code"] not in record.response and key not in record.key_hash


def test_a_failed_submission_is_not_remembered(client: FlaskClient, world: World, session: Any):
    headers = {"Idempotency-Key": new_key()}
    bad = client.post("/api/v1/requests", json=citizen_body(delivery="pigeon"), headers=headers)
    assert bad.status_code == 422
    good = client.post("/api/v1/requests", json=citizen_body(), headers=headers)
    assert good.status_code == 201


# -- actions --------------------------------------------------------------------------------------


def test_each_action_through_the_api(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    o = world.officer
    r = action(client, tn, o, action="accept", on="2024-06-04", version=1)
    assert r.status_code == 200 and r.json["status"] == "in_progress" and r.json["version"] == 2
    assert "extend" not in r.json["allowed_actions"]  # officers do not extend
    r = action(client, tn, o, action="assign", assignee="officer2@hr.example")
    assert r.json["assignee"] == "officer2@hr.example"
    r = action(client, tn, o, action="comment", note="已调档")
    event = r.json["events"][-1]
    # The token came from the command line (the test's factory issues as the operator would).
    assert event.pop("token") | {"id": None} == {
        "id": None,
        "label": "",
        "issued_by": None,
        "via": "经 运维命令行 签发的令牌",
    }
    assert event | {"at": None} == {
        "at": None,
        "on": today().isoformat(),
        "type": "commented",
        "note": "已调档",
        "actor": "officer@hr.example",
        "internal": True,
        "data": {},
    }
    r = action(
        client, tn, o, action="request_correction", on="2024-06-05", items="请写明年份", period_days=10
    )
    assert r.json["status"] == "awaiting_correction" and r.json["due_on"] is None
    # 10 wd after 6/5: 6/6, 6/7, (端午 6/10) 6/11, 12, 13, 14, 17, 18, 19, 6/20 = 10; it lapses the day after
    assert r.json["wait_ends_on"] == "2024-06-21"
    r = action(client, tn, o, action="receive_correction", on="2024-06-07", text="补正：要2023年度的")
    assert r.json["status"] == "in_progress" and r.json["due_on"] == "2024-07-08"
    # what arrived on paper is recorded with the event, as on the staff's page
    assert r.json["events"][-1]["note"] == "补正：要2023年度的"
    r = action(client, tn, o, action="start_consultation", on="2024-06-11", party="某公司")
    # due 7/8 after the correction (6/11–14: 4, 17–21: 9, 24–28: 14, 7/1–5: 19, 7/8: 20);
    # remaining = working days in (6/11, 7/8] = 6/12–14 (3), 17–21 (8), 24–28 (13), 7/1–5 (18), 7/8 (19)
    assert r.json["status"] == "consulting" and r.json["remaining_days"] == 19
    r = action(client, tn, o, action="end_consultation", on="2024-06-14")
    assert r.json["due_on"] == "2024-07-11"  # 19 after 6/14: 6/17–21 (5), 24–28 (10), 7/1–5 (15), 7/8–11 (19)
    r = action(client, tn, o, action="request_fee", on="2024-06-14", basis="per_page", pages=33)
    assert r.json["status"] == "awaiting_fee" and r.json["remaining_days"] == 19
    r = action(client, tn, o, action="receive_fee", on="2024-06-17", amount_yuan=30, receipt_number="No.0001")
    assert r.json["due_on"] == "2024-07-12"  # 19 after 6/17: 6/18–21 (4), 24–28 (9), 7/1–5 (14), 7/8–12 (19)
    r = action(client, tn, world.head, action="extend", on="2024-06-17", days=5, reason="档案在外地")
    assert r.json["extended_days"] == 5 and r.json["due_on"] == "2024-07-19"  # 7/15–19
    parts = [{"part": "涉及第三方商业秘密的报价", "basis": "withheld_third_party"}]
    r = action(
        client,
        tn,
        o,
        action="reply",
        on="2024-06-20",
        outcome="partially_disclosed",
        note="部分公开",
        withheld=parts,
    )
    assert (r.json["status"], r.json["outcome"], r.json["finished_on"]) == (
        "replied",
        "partially_disclosed",
        "2024-06-20",
    )
    assert r.json["allowed_actions"] == ["comment", "record_posting", "record_pickup", "correct_applicant"]


def test_close_with_a_closure_outcome(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    r = action(client, tn, world.officer, action="close", outcome="disclosed")
    assert r.status_code == 422 and "outcome" in r.json["error"]["fields"]
    r = action(client, tn, world.officer, action="close", outcome="closed_other", on="2024-06-05")
    assert r.json["outcome"] == "closed_other" and r.json["finished_on"] == "2024-06-05"


def test_a_closure_for_a_lapse_waits_for_the_lapse(client: FlaskClient, world: World):
    """docs/rules.md §Closures: a correction asked on 2024-06-04 for 10 working days (06-10 端午节
    skipped) runs to 06-19 and lapses on 06-20; no closure for an unpaid fee without a fee notice."""
    tn = register(client, world.officer)["tracking_number"]
    r = action(client, tn, world.officer, action="close", outcome="closed_fee_unpaid", on="2024-06-04")
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
    assert "缴费通知" in r.json["error"]["message"]
    r = action(
        client,
        tn,
        world.officer,
        action="request_correction",
        items="写明文号",
        period_days=10,
        on="2024-06-04",
    )
    assert r.status_code == 200, r.json
    for on in ("2024-06-05", "2024-06-19"):
        r = action(client, tn, world.officer, action="close", outcome="closed_correction_lapsed", on=on)
        assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
        assert "2024年6月20日起" in r.json["error"]["fields"]["on"]
    r = action(client, tn, world.officer, action="close", outcome="closed_correction_lapsed", on="2024-06-20")
    assert r.status_code == 200 and r.json["outcome"] == "closed_correction_lapsed"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"action": "receive_fee"}, 409, "illegal_transition", "action"),
        ({"action": "approve"}, 422, "validation_error", "action"),
        ({"action": "accept", "on": "2024-02-30"}, 422, "validation_error", "on"),
        ({"action": "accept", "on": "2999-01-01"}, 422, "validation_error", "on"),
        ({"action": "accept", "on": "2024-06-02"}, 422, "validation_error", "on"),
        ({"action": "accept", "version": 7}, 409, "conflict", "version"),
        ({"action": "accept", "colour": "red"}, 422, "validation_error", "colour"),
        ({"action": "reply", "outcome": "granted", "on": "2024-06-03"}, 422, "validation_error", "outcome"),
        (
            {"action": "request_correction", "items": "x", "period_days": "10"},
            422,
            "validation_error",
            "period_days",
        ),
        ({"action": "comment", "note": "字" * 5001}, 422, "validation_error", "note"),
        (
            {
                "action": "request_fee",
                "basis": "per_page",
                "pages": 40,
                "amount_yuan": -3,
                "on": "2024-06-04",
            },
            422,
            "validation_error",
            "amount_yuan",
        ),
        (
            {
                "action": "request_fee",
                "basis": "per_page",
                "pages": 40,
                "amount_yuan": 101,
                "on": "2024-06-04",
            },
            422,
            "validation_error",
            "amount_yuan",
        ),
        (
            {"action": "request_fee", "basis": "per_page", "on": "2024-06-04"},
            422,
            "validation_error",
            "pages",
        ),
        (
            {"action": "request_fee", "basis": "by_weight", "on": "2024-06-04"},
            422,
            "validation_error",
            "basis",
        ),
        ({}, 422, "validation_error", "action"),
    ],
)
def test_bad_actions_are_refused_and_change_nothing(client, world, session, body, status, code, field):
    tn = register(client, world.officer)["tracking_number"]
    events = count(session, Event)
    r = action(client, tn, world.officer, **body)
    assert r.status_code == status, r.json
    assert r.json["error"]["code"] == code
    assert field in r.json["error"].get("fields", {}), r.json
    assert count(session, Event) == events
    view = client.get(f"/api/v1/requests/{tn}", headers=world.officer.headers).json
    assert view["status"] == "received" and view["version"] == 1


def test_who_may_act(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    extend = {"action": "extend", "days": 5, "reason": "x", "on": "2024-06-04"}
    assert action(client, tn, world.officer, **extend).status_code == 403
    assert action(client, tn, world.admin, **extend).status_code == 403
    assert action(client, tn, world.stranger, action="accept").status_code == 404  # not theirs: not found
    assert action(client, tn, world.stranger_head, **extend).status_code == 404
    r = client.post(f"/api/v1/requests/{tn}/actions", json={"action": "accept"})
    assert r.status_code == 401
    assert action(client, tn, world.admin, action="accept", on="2024-06-04").status_code == 200
    assert action(client, tn, world.head, **extend).status_code == 200


def test_other_agencies_requests_are_invisible(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    r = client.get(f"/api/v1/requests/{tn}", headers=world.stranger.headers)
    assert r.status_code == 404
    assert client.get("/api/v1/queue", headers=world.stranger.headers).json["items"] == []


def test_the_applicant_sees_no_internal_notes_nor_names(client: FlaskClient, world: World):
    answer = submit(client)
    tn, code = answer["tracking_number"], answer["access_code"]
    action(client, tn, world.officer, action="comment", note="申请人曾多次来电")
    action(client, tn, world.officer, action="assign", assignee="officer2@hr.example")
    action(client, tn, world.officer, action="accept")
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert [e["type"] for e in view["events"]] == ["submitted", "accepted"]
    text = str(view)
    assert "申请人曾多次来电" not in text and "officer" not in text and "assignee" not in view


# -- the applicant's own acts ---------------------------------------------------------------------


def test_applicant_corrects_when_asked_and_withdraws(client: FlaskClient, world: World):
    answer = submit(client)
    tn, code = answer["tracking_number"], answer["access_code"]
    headers = {"X-Access-Code": code}
    r = client.post(f"/api/v1/requests/{tn}/correction", json={"text": "补充"}, headers=headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
    action(client, tn, world.officer, action="request_correction", items="请写明文件名称", period_days=10)
    r = client.post(f"/api/v1/requests/{tn}/correction", json={"text": ""}, headers=headers)
    assert r.status_code == 422 and "text" in r.json["error"]["fields"]
    r = client.post(
        f"/api/v1/requests/{tn}/correction", json={"text": "所需文件为2023年部门预算"}, headers=headers
    )
    assert r.status_code == 200 and r.json["status"] == "in_progress"
    assert r.json["events"][-1]["type"] == "correction_received"
    r = client.post(
        f"/api/v1/requests/{tn}/withdraw",
        json={"reason": "不再需要"},
        headers={"X-Access-Code": "WRONG-CODE"},
    )
    assert r.status_code == 404
    r = client.post(f"/api/v1/requests/{tn}/withdraw", json={}, headers=headers)
    assert r.status_code == 200 and r.json["outcome"] == "closed_other" and r.json["status"] == "replied"
    r = client.post(f"/api/v1/requests/{tn}/withdraw", json={}, headers=headers)
    assert r.status_code == 409


def test_staff_cannot_use_the_applicants_endpoints(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    r = client.post(f"/api/v1/requests/{tn}/withdraw", json={}, headers=world.officer.headers)
    assert r.status_code == 403


# -- attachments ----------------------------------------------------------------------------------


def upload(
    client: FlaskClient, tn: str, headers: dict[str, str], content: bytes, name: str = "scan.pdf"
) -> Any:
    # Encoded here: the test client's own encoder spools a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), name)})
    return client.post(
        f"/api/v1/requests/{tn}/attachments",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_attachments_are_checked_by_content_stored_outside_and_checksummed(client, world, session, app):
    answer = submit(client)
    tn, code = answer["tracking_number"], answer["access_code"]
    r = upload(client, tn, world.officer.headers, PDF, "信函扫描件.pdf")
    assert r.status_code == 201, r.json
    assert r.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert r.json["content_type"] == "application/pdf" and r.json["size"] == len(PDF)
    stored = session.execute(select(Attachment)).scalar_one()
    assert stored.storage_key != "信函扫描件.pdf" and "/" not in stored.storage_key

    download = client.get(r.json["url"], headers=world.officer.headers)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    # the applicant does not see the office's scans, but sees their own uploads
    assert client.get(r.json["url"], headers={"X-Access-Code": code}).status_code == 404
    mine = upload(client, tn, {"X-Access-Code": code}, PNG, "身份证.png")
    assert mine.status_code == 201 and mine.json["content_type"] == "image/png"
    view = client.get(f"/api/v1/requests/{tn}", headers={"X-Access-Code": code}).json
    assert [a["filename"] for a in view["attachments"]] == ["身份证.png"]
    staff_view = client.get(f"/api/v1/requests/{tn}", headers=world.officer.headers).json
    assert len(staff_view["attachments"]) == 2


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"MZ\x90\x00 this is an executable", "scan.pdf"), (b"", "empty.pdf"), (b"<html>", "page.png")],
)
def test_unacceptable_uploads_are_refused(client, world, session, content, name):
    tn = register(client, world.officer)["tracking_number"]
    r = upload(client, tn, world.officer.headers, content, name)
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    assert count(session, Attachment) == 0


def test_oversized_upload_is_refused(client: FlaskClient, world: World, session: Any):
    tn = register(client, world.officer)["tracking_number"]
    r = upload(client, tn, world.officer.headers, PDF + b"0" * (10 * 1024 * 1024))
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    r = upload(client, tn, world.officer.headers, PDF + b"0" * (26 * 1024 * 1024))
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"
    assert count(session, Attachment) == 0


def test_upload_without_a_file(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    r = client.post(f"/api/v1/requests/{tn}/attachments", data={}, headers=world.officer.headers)
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]


# -- the queue ------------------------------------------------------------------------------------


def test_queue_orders_by_due_date_and_pages_through_everything(client: FlaskClient, world: World):
    days = ["2024-06-03", "2024-05-06", "2024-06-12", "2024-04-01", "2024-06-03", "2024-05-20", "2024-03-11"]
    numbers = [register(client, world.officer, "letter", d)["tracking_number"] for d in days]
    # one consulting request has no due date while paused: it comes last
    action(client, numbers[0], world.officer, action="start_consultation", party="某公司", on="2024-06-04")
    seen, cursor = [], None
    while True:
        url = "/api/v1/queue?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=world.officer.headers).json
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(days)
    dated = [s["due_on"] for s in seen if s["due_on"]]
    assert dated == sorted(dated)
    assert seen[-1]["tracking_number"] == numbers[0] and seen[-1]["due_on"] is None
    assert all(s["overdue"] for s in seen[:-1])  # every 2024 request is long overdue today
    assert "events" not in seen[0]
    assert seen[0]["due_explanation"][0]["kind"] == "start"  # the explanation comes with every answer


def test_queue_filters(client: FlaskClient, world: World):
    a = register(client, world.officer, "letter", "2024-06-03")["tracking_number"]
    b = submit(client)["tracking_number"]  # received today: not overdue
    c = register(client, world.officer, "fax", "2024-03-01")["tracking_number"]
    action(client, c, world.officer, action="accept", on="2024-03-04")
    action(client, c, world.officer, action="assign", assignee="officer@hr.example")
    action(client, a, world.officer, action="reply", on="2024-06-03", outcome="disclosed")

    def numbers(query: str) -> list[str]:
        r = client.get(f"/api/v1/queue?{query}", headers=world.officer.headers)
        assert r.status_code == 200, r.json
        return [i["tracking_number"] for i in r.json["items"]]

    assert numbers("") == [c, b]  # finished requests leave the queue
    assert numbers("status=replied") == [a]
    assert numbers("status=in_progress") == [c]
    assert numbers("overdue=true") == [c]
    assert numbers("due_before=2024-12-31") == [c]
    assert numbers("assignee=me") == [c]
    assert numbers("assignee=officer2@hr.example") == []
    assert numbers("agency=CITYHR") == [c, b]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("cursor=garbage", "cursor"),
        ("status=lost", "status"),
        ("due_before=2024-13-01", "due_before"),
        ("agency=CITYENV", "agency"),
        ("agency=NOPE", "agency"),
        ("colour=red", "colour"),
    ],
)
def test_bad_queue_queries(client: FlaskClient, world: World, query: str, field: str):
    r = client.get(f"/api/v1/queue?{query}", headers=world.officer.headers)
    assert r.status_code == 422 and field in r.json["error"]["fields"], r.json


def test_queue_needs_a_token(client: FlaskClient, world: World):
    assert client.get("/api/v1/queue").status_code == 401


# -- the contract ---------------------------------------------------------------------------------


def test_openapi_document_lists_every_endpoint_of_the_contract(client: FlaskClient):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path, method in [
        ("/api/v1/requests", "post"),
        ("/api/v1/requests/{tracking_number}", "get"),
        ("/api/v1/requests/{tracking_number}/actions", "post"),
        ("/api/v1/requests/{tracking_number}/correction", "post"),
        ("/api/v1/requests/{tracking_number}/withdraw", "post"),
        ("/api/v1/queue", "get"),
    ]:
        assert method in spec["paths"][path], path
    body = spec["components"]["schemas"]["RequestIn"]
    assert set(body["required"]) == {"agency", "applicant", "description", "delivery"}
    assert spec["components"]["schemas"]["ErrorOut"]["properties"]["error"]


def test_errors_speak_english_when_asked(client: FlaskClient, world: World):
    r = client.post(
        "/api/v1/requests", json=citizen_body(delivery="pigeon"), headers={"Accept-Language": "en"}
    )
    assert r.json["error"]["message"] == "Invalid input: see the fields named"
    assert r.json["error"]["fields"]["delivery"].startswith("Must be one of")
    r = client.post("/api/v1/requests", json=citizen_body(delivery="pigeon"))
    assert r.json["error"]["message"] == "输入有误，请检查标出的字段"
    assert "输入有误" in r.get_data(as_text=True)  # UTF-8 on the wire, not \u escapes
    assert r.json["error"]["fields"]["delivery"].startswith("应为以下之一")
    assert client.get("/api/v1/nowhere").json["error"]["code"] == "not_found"


def test_domain_errors_and_explanations_in_english(client: FlaskClient, world: World):
    tn = register(client, world.officer)["tracking_number"]
    english = {**world.officer.headers, "Accept-Language": "en-GB,en;q=0.9"}
    r = client.post(f"/api/v1/requests/{tn}/actions", json={"action": "receive_fee"}, headers=english)
    assert r.json["error"]["message"] == 'The request is "received": "Record the payment" is not possible now'
    r = client.post(
        f"/api/v1/requests/{tn}/actions", json={"action": "receive_fee"}, headers=world.officer.headers
    )
    assert r.json["error"]["message"] == "申请当前状态为“已收到”，不能收到缴费"
    view = client.get(f"/api/v1/requests/{tn}", headers=english).json
    assert view["status_label"] == "received"
    assert view["due_explanation"][0]["text"].startswith("Request received (2019 Regulations")
    assert "1 holiday(s) skipped" in view["due_explanation"][0]["text"]


def test_staff_correct_the_applicants_details_through_the_api(client: FlaskClient, world: World):
    """correct_applicant (docs/rules.md §Lifecycle): old and new values in the staff's history."""
    tn = submit(client)["tracking_number"]
    r = action(
        client,
        tn,
        world.officer,
        action="correct_applicant",
        applicant_name="王五",
        phone="0571-87654321",
        note="当面核对身份证件",
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["applicant"]["name"] == "王五" and body["applicant"]["phone"] == "0571-87654321"
    corrected = body["events"][-1]
    assert corrected["type"] == "applicant_corrected" and corrected["internal"] is True
    assert corrected["data"]["changes"]["applicant_name"]["new"] == "王五"
    bad = action(client, tn, world.officer, action="correct_applicant", email="not an address")
    assert bad.status_code == 422 and "email" in bad.get_json()["error"]["fields"]
