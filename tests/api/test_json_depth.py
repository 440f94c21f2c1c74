"""JSON nested too deep (webapp/api/jsonbody.py): 400 `bad_request` with the usual error body on every
endpoint that takes a JSON body, found from the URL map and the OpenAPI document, never a 500
(RecursionError); bodies as deep as the API's own still work."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import World, citizen_body
from tests.factories import make_request, make_user
from webapp.api.jsonbody import MAX_DEPTH, loads
from webapp.domain.accounts import issue_token

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def deep(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def writing_endpoints(client: FlaskClient) -> list[tuple[str, str, Any]]:
    """(method, rule, rule object) of every rule that takes a write method, pages and API alike."""
    found = []
    for rule in client.application.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & WRITES):
            found.append((method, rule.rule, rule))
    return found


def json_operations(client: FlaskClient) -> set[tuple[str, str]]:
    """(METHOD, path template) of the operations whose documented request body is JSON."""
    spec = client.get("/api/v1/openapi.json").json
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "application/json" in op.get("requestBody", {}).get("content", {})
    }


def url_for_rule(client: FlaskClient, rule: Any, tracking_number: str) -> str:
    values = {}
    for name in rule.arguments:
        if name == "tracking_number":
            values[name] = tracking_number
        elif rule._converters[name].__class__.__name__ == "IntegerConverter":
            values[name] = 1
        else:
            values[name] = "x"
    return client.application.url_map.bind("localhost").build(rule.endpoint, values, append_unknown=False)


def openapi_path(rule: str) -> str:
    """A werkzeug rule as the OpenAPI document spells it: <int(max=...):id> → {id}."""
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


@pytest.mark.parametrize(
    "body",
    [deep(1000), deep_object(1000), deep(100_000), deep(MAX_DEPTH + 1)],
    ids=["arrays-1000", "objects-1000", "arrays-100000", "arrays-33"],
)
def test_every_json_endpoint_answers_a_deep_body_with_400(
    client: FlaskClient, world: World, session: Any, body: str
):
    req, code = make_request(session, dt.datetime.now(dt.UTC), world.agency, channel="online")
    root = make_user(session, dt.datetime.now(dt.UTC), None, "admin", "root@platform.example")
    platform = {"Authorization": f"Bearer {issue_token(session, root, now=dt.datetime.now(dt.UTC))}"}
    session.commit()
    operations = json_operations(client)
    assert ("POST", "/api/v1/requests") in operations
    assert ("POST", "/api/v1/requests/{tracking_number}/correction") in operations
    checked = set()
    for method, rule_text, rule in writing_endpoints(client):
        url = url_for_rule(client, rule, req.tracking_number)
        # credentials that pass the first check of every endpoint, so that the body is read
        # (the calendar's are the platform administrator's, checked before the body)
        staff = platform if rule_text.startswith("/api/v1/calendar/") else world.admin.headers
        headers = {**staff, "X-Access-Code": code}
        r = client.open(url, method=method, data=body, content_type="application/json", headers=headers)
        assert r.status_code < 500, (method, rule_text, r.status_code)
        if (method, openapi_path(rule_text)) in operations:
            assert r.status_code == 400, (method, rule_text, r.get_json())
            assert r.json == {
                "error": {
                    "code": "bad_request",
                    "message": "请求正文不是有效的 JSON",
                    "fields": {"body": "不是有效的 JSON"},
                }
            }, rule_text
            checked.add((method, openapi_path(rule_text)))
    assert checked == operations  # every JSON operation of the document was reached


def test_anonymous_callers_get_the_same_400(client: FlaskClient, world: World, session: Any):
    req, code = make_request(session, dt.datetime.now(dt.UTC), world.agency, channel="online")
    session.commit()
    for url, headers in [
        ("/api/v1/requests", {}),
        ("/api/v1/requests", {"Idempotency-Key": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"}),
        (f"/api/v1/requests/{req.tracking_number}/correction", {"X-Access-Code": code}),
        (f"/api/v1/requests/{req.tracking_number}/withdraw", {"X-Access-Code": code}),
    ]:
        r = client.post(url, data=deep(1000), content_type="application/json", headers=headers)
        assert r.status_code == 400 and r.json["error"]["code"] == "bad_request", url
        english = client.post(
            url,
            data=deep(1000),
            content_type="application/json",
            headers={**headers, "Accept-Language": "en"},
        )
        assert english.json["error"]["message"] == "The request body is not valid JSON"


def test_bodies_as_deep_as_the_apis_own_still_work(client: FlaskClient, world: World):
    r = client.post("/api/v1/requests", json=citizen_body())
    assert r.status_code == 201, r.json
    assert loads(deep(MAX_DEPTH)) is not None
    assert (
        loads(json.dumps({"a": [{"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]})) is not None
    )  # in a string


def test_flasks_own_parser_has_the_same_limit(client: FlaskClient):
    app = client.application
    with app.test_request_context("/", method="POST", data=deep(1000), content_type="application/json"):
        from flask import request

        assert request.get_json(silent=True) is None
    with pytest.raises(ValueError, match="nested more than"):
        app.json.loads(deep(MAX_DEPTH + 1))
