"""`request_fee` with `split_into` through the API (docs/api.md §Fees): the 9th request of the applicant's
month split into 4 items costs 0 + 0 + 100 + 100 = 200 yuan, the staff view's `fee` shows them (`split_into`);
`split_into` with `per_page`, or out of 1–100, is 422 naming it and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import World
from tests.api.test_api import action, count, register
from webapp.models import Event


def test_the_ninth_request_split_into_four_items_costs_200(client: FlaskClient, world: World) -> None:
    tns = [register(client, world.officer)["tracking_number"] for _ in range(9)]
    r = action(
        client,
        tns[-1],
        world.officer,
        action="request_fee",
        on="2024-06-04",
        basis="per_request",
        split_into=4,
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "awaiting_fee"
    fee = r.json["fee"]
    assert (fee["basis"], fee["count_in_month"], fee["split_into"]) == ("per_request", 9, 4)
    assert (fee["computed_yuan"], fee["amount_yuan"]) == (200.0, 200.0)
    assert "第9—10件不收费，第11—12件100元/件，合计200元" in r.json["events"][-1]["note"]
    # the 8th, asked after: still the 8th (only earlier requests count their items) — free, 409
    r = action(client, tns[7], world.officer, action="request_fee", on="2024-06-04", basis="per_request")
    assert r.status_code == 409


@pytest.mark.parametrize(
    "fields",
    [
        {"basis": "per_page", "pages": 40, "split_into": 2},
        {"basis": "per_request", "split_into": 0},
        {"basis": "per_request", "split_into": 101},
        {"basis": "per_request", "split_into": "四"},
        {"basis": "per_request", "split_into": 1.5},
    ],
)
def test_bad_split_counts_are_422_naming_split_into(
    client: FlaskClient, world: World, session: Any, fields: Any
) -> None:
    tn = register(client, world.officer)["tracking_number"]
    events = count(session, Event)
    r = action(client, tn, world.officer, action="request_fee", on="2024-06-04", **fields)
    assert r.status_code == 422, r.json
    assert "split_into" in r.json["error"]["fields"], r.json
    assert count(session, Event) == events
