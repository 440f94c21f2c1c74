"""GET /api/v1/queue's `sort` and the filters added to it (docs/api.md §Queue)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import World, staff_body


def register(client: FlaskClient, world: World, name: str, channel: str, received_on: str, **kw: Any) -> str:
    body = staff_body(channel=channel, received_on=received_on, **kw)
    body["applicant"]["name"] = name
    r = client.post("/api/v1/requests", json=body, headers=world.officer.headers)
    assert r.status_code == 201, r.json
    return str(r.json["tracking_number"])


def items(client: FlaskClient, world: World, query: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = client.get(
            f"/api/v1/queue?limit=2&{query}" + (f"&cursor={cursor}" if cursor else ""),
            headers=world.officer.headers,
        )
        assert r.status_code == 200, r.json
        seen += r.json["items"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return seen


def test_each_sort_orders_the_whole_queue_with_its_ties_broken(client: FlaskClient, world: World):
    made = [
        register(client, world, "王五", "letter", "2024-06-03"),
        register(client, world, "李四", "email", "2024-06-05"),
        register(client, world, "王五", "fax", "2024-06-03"),
        register(client, world, "张三", "email", "2024-06-04"),
    ]
    r = client.post(
        f"/api/v1/requests/{made[3]}/actions",
        json={"action": "assign", "assignee": "officer@hr.example"},
        headers=world.officer.headers,
    )
    assert r.status_code == 200, r.json

    def order(sort: str) -> list[str]:
        return [i["tracking_number"] for i in items(client, world, f"sort={sort}")]

    assert order("due_on") == [made[0], made[2], made[3], made[1]]  # the same due date: by tracking number
    assert order("received_on") == [made[0], made[2], made[3], made[1]]
    assert order("-received_on") == [made[1], made[3], made[0], made[2]]
    assert order("applicant") == [made[3], made[1], made[0], made[2]]  # 张 李 王 王 (code points)
    assert order("status") == order("due_on")  # all received
    assert order("assignee") == [made[0], made[2], made[1], made[3]]  # nobody assigned first
    assert [i["applicant"]["name"] for i in items(client, world, "sort=applicant")] == [
        "张三",
        "李四",
        "王五",
        "王五",
    ]


def test_the_new_filters_combine_with_the_others(client: FlaskClient, world: World):
    a = register(client, world, "王五", "letter", "2024-06-03")
    b = register(client, world, "李四", "email", "2024-06-05")
    c = register(
        client,
        world,
        "某公司",
        "email",
        "2024-06-07",
        applicant={
            "type": "commercial_enterprise",
            "name": "某公司",
            "id_kind": "credit_code",
            "id_number": "91350100M000100Y43",
            "email": "office@example.cn",
            "phone": "13900000000",
        },
    )

    def numbers(query: str) -> list[str]:
        return [i["tracking_number"] for i in items(client, world, query)]

    assert numbers("channel=email") == [b, c]
    assert numbers("channel=email&applicant_type=commercial_enterprise") == [c]
    assert numbers("applicant_type=natural_person") == [a, b]
    assert numbers("received_from=2024-06-05") == [b, c]
    assert numbers("received_to=2024-06-05") == [a, b]  # inclusive
    assert numbers("received_from=2024-06-05&received_to=2024-06-05&channel=email") == [b]
    assert numbers("q=李四&sort=-received_on") == [b]
    assert numbers("assignee=none&sort=applicant&channel=letter") == [a]
    assert numbers("overdue=true&channel=fax") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=name", "sort"),
        ("channel=pigeon", "channel"),
        ("applicant_type=robot", "applicant_type"),
        ("received_from=2024-02-30", "received_from"),
        ("received_from=2024-06-02&received_to=2024-06-01", "received_to"),
    ],
)
def test_a_bad_sort_or_filter_is_a_422_naming_it(client: FlaskClient, world: World, query: str, field: str):
    r = client.get(f"/api/v1/queue?{query}", headers=world.officer.headers)
    assert r.status_code == 422 and field in r.json["error"]["fields"], r.json


def test_a_cursor_belongs_to_its_order(client: FlaskClient, world: World):
    for day in ("2024-06-03", "2024-06-04", "2024-06-05"):
        register(client, world, "王五", "letter", day)
    cursor = client.get("/api/v1/queue?limit=1&sort=applicant", headers=world.officer.headers).json[
        "next_cursor"
    ]
    r = client.get(f"/api/v1/queue?limit=1&sort=received_on&cursor={cursor}", headers=world.officer.headers)
    assert r.status_code == 422 and "cursor" in r.json["error"]["fields"]
