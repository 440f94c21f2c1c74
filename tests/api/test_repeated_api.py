"""/api/v1/agencies/<code>/repeated-requests (docs/api.md §Information many ask for, Art. 44 of the 2019
Regulations): a group made from requests of two applicants is listed, the decision is recorded and
shown with who decided and when; another agency's staff find nothing, an administrator does not decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from tests.api.conftest import World
from tests.factories import applicant
from webapp.domain.identity import resident_id_check_digit
from webapp.domain.requests import submit

NOW = dt.datetime.now(dt.UTC)


def rid(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def ask(session: Any, world: World, name: str, number: str) -> str:
    req, _ = submit(
        session,
        agency=world.agency,
        applicant=applicant(name=name, id_number=number),
        description="申请公开本年度城镇职工基本养老保险基金收支情况",
        delivery="email",
        now=NOW,
    )
    session.commit()
    return req.tracking_number


def test_a_group_of_two_applicants_is_listed_decided_and_shown(
    client: FlaskClient, session: Any, world: World
) -> None:
    a = ask(session, world, "张三", rid("11010519800101001"))
    b = ask(session, world, "张三", rid("11010519800101002"))  # the same name, another person
    url = "/api/v1/agencies/CITYHR/repeated-requests"
    listed = client.get(url, headers=world.officer.headers)
    assert listed.status_code == 200
    assert [sorted(p) for p in listed.json["proposals"]] == [sorted([a, b])]

    made = client.post(
        url,
        json={"title": "养老保险基金收支情况", "year": NOW.year, "requests": [a, b]},
        headers=world.officer.headers,
    )
    assert made.status_code == 201, made.json
    assert (made.json["applicants"], made.json["listed"]) == (2, True)
    assert made.json["requests"][0]["applicant_id_number"].count("*") > 0  # masked in lists
    group = made.json["id"]

    refused = client.post(f"{url}/{group}/decision", json={"decision": "publish"}, headers=world.head.headers)
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"published_where", "published_on"}

    decided = client.post(
        f"{url}/{group}/decision",
        json={
            "decision": "publish",
            "published_where": "政府网站·社会保险栏目",
            "published_on": NOW.date().isoformat(),
        },
        headers=world.head.headers,
    )
    assert decided.status_code == 200, decided.json
    shown = client.get(url, query_string={"year": NOW.year}, headers=world.officer2.headers).json["groups"][0]
    assert shown["decision"] == "publish" and shown["decided_by"] == "陈主任"
    assert shown["published_where"] == "政府网站·社会保险栏目"
    assert [h["type"] for h in shown["history"]] == ["created", "linked", "linked", "decided"]
    assert (
        client.get(url, headers=world.officer.headers).json["proposals"] == []
    )  # grouped: no longer proposed


def test_walls(client: FlaskClient, session: Any, world: World) -> None:
    a = ask(session, world, "张三", rid("11010519800101001"))
    b = ask(session, world, "李四", rid("44030519850303003"))
    url = "/api/v1/agencies/CITYHR/repeated-requests"
    body = {"title": "养老保险基金收支情况", "year": NOW.year, "requests": [a, b]}
    assert client.get(url).status_code == 401
    for stranger in (world.stranger, world.stranger_head):
        assert client.get(url, headers=stranger.headers).status_code == 404
        assert client.post(url, json=body, headers=stranger.headers).status_code == 404
    assert (
        client.post(url, json=body, headers=world.admin.headers).status_code == 403
    )  # sees, does not decide
    group = client.post(url, json=body, headers=world.officer.headers).json["id"]
    decision = {"decision": "not_publish", "reason": "涉及个人信息"}
    assert (
        client.post(f"{url}/{group}/decision", json=decision, headers=world.stranger_head.headers).status_code
        == 404
    )
    # through another agency's code the group does not exist
    other = f"/api/v1/agencies/CITYENV/repeated-requests/{group}/decision"
    assert client.post(other, json=decision, headers=world.stranger_head.headers).status_code == 404
    # a request of another agency is not found in this one
    theirs, _ = submit(
        session,
        agency=world.other_agency,
        applicant=applicant(),
        description="申请公开本年度城镇职工基本养老保险基金收支情况",
        delivery="email",
        now=NOW,
    )
    session.commit()
    joined = client.post(
        f"{url}/{group}/requests",
        json={"tracking_number": theirs.tracking_number},
        headers=world.officer.headers,
    )
    assert joined.status_code == 404
    suggestion = client.post(
        f"{url}/{group}/suggestion",
        json={"note": "涉及公众利益调整", "tracking_number": a},
        headers=world.officer.headers,
    )
    assert suggestion.status_code == 200
    assert suggestion.json["history"][-1]["type"] == "suggested"
