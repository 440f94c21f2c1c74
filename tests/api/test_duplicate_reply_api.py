"""不予处理：重复申请 through the API (docs/rules.md §Duplicates, Art. 36(6)): refused with 409 and its reason
until the request is linked to an earlier answered request of the same applicant."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.api.conftest import World, citizen_body
from webapp.domain.requests.duplicates import link_duplicate
from webapp.models import Request


def test_a_duplicate_reply_without_an_answered_original_is_a_409_with_its_reason(
    client: FlaskClient, world: World, session: Any
):
    numbers = [client.post("/api/v1/requests", json=citizen_body()).json["tracking_number"] for _ in range(2)]
    first, again = numbers
    path = f"/api/v1/requests/{again}/actions"
    headers = world.officer.headers
    reply = {"action": "reply", "outcome": "not_processed_duplicate"}
    r = client.post(path, json=reply, headers=headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
    assert "第三十六条第（六）项" in r.json["error"]["message"] and "outcome" in r.json["error"]["fields"]
    english = client.post(path, json=reply, headers=headers | {"Accept-Language": "en"})
    assert english.status_code == 409 and english.json["error"]["message"].isascii()
    reqs = {r.tracking_number: r for r in session.query(Request).all()}
    link_duplicate(session, reqs[again], reqs[first], world.officer.user, now=reqs[again].events[0].at)
    session.commit()
    r = client.post(path, json=reply, headers=headers)
    assert r.status_code == 409 and "尚未答复" in r.json["error"]["message"]
    assert (
        client.post(
            f"/api/v1/requests/{first}/actions", json=reply | {"outcome": "disclosed"}, headers=headers
        ).status_code
        == 200
    )
    r = client.post(path, json=reply, headers=headers)
    assert r.status_code == 200, r.json
    assert r.json["outcome"] == "not_processed_duplicate"
