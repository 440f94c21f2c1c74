"""POST /api/v1/enquiries and PUT /api/v1/reports/annual/figures (docs/api.md §Enquiries, §Annual
figures): what is stored is what the annexes count, every wrong value a 422 naming its field, nothing
half-written, and only the agency's own people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World
from tests.api.test_reports_api import platform_admin
from webapp.domain import reports
from webapp.domain.calendar import china_today
from webapp.models import AnnualFigures, Enquiry

FIGURES = "/api/v1/reports/annual/figures"
TODAY = china_today(dt.datetime.now(dt.UTC))
LAST_YEAR = TODAY.year - 1


def table(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "regulations": {"issued": 2, "repealed": 1, "in_force": 14},
        "normative_documents": {"issued": 9, "repealed": 3, "in_force": 61},
        "licensing": {"decisions": 1520},
        "penalties": {"decisions": 37},
        "enforcement": {"decisions": 4},
        "fees": {"amount_10k_yuan": 12.5},
    }
    body.update(overrides)
    return body


def count(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


# -- enquiries -----------------------------------------------------------------------------------------


def test_an_officer_logs_an_enquiry_and_annex_three_counts_it(
    client: FlaskClient, world: World, session: Any
):
    body = {
        "agency": "CITYHR",
        "channel": "phone",
        "on": TODAY.isoformat(),
        "topic": "养老保险转移",
        "service_info": True,
    }
    answer = client.post("/api/v1/enquiries", json=body, headers=world.officer.headers)
    assert answer.status_code == 201, answer.json
    assert answer.json | {"id": 0} == {
        "id": 0,
        "agency": "CITYHR",
        "channel": "phone",
        "on": TODAY.isoformat(),
        "topic": "养老保险转移",
        "service_info": True,
        "outcome": "answered",
    }
    minimal = {"agency": "CITYHR", "channel": "in_person", "on": TODAY.isoformat()}
    assert client.post("/api/v1/enquiries", json=minimal, headers=world.head.headers).status_code == 201
    referred = minimal | {"channel": "online", "outcome": "referred", "topic": None, "service_info": None}
    assert client.post("/api/v1/enquiries", json=referred, headers=world.officer.headers).status_code == 201

    assert reports.enquiry_counts(session, [world.agency.id], TODAY.year) == {
        "online": 1,
        "in_person": 1,
        "phone": 1,
        "service_info": 1,
    }
    rows = reports.annex_three_rows(session, [world.agency.id], TODAY.year)
    assert [(r["label"], r["unit"], r["value"]) for r in rows] == [
        ("提供服务类信息数", "条", 1),
        ("网上咨询数", "人次", 1),
        ("现场接待人数", "人次", 1),
        ("咨询电话接听数", "人次", 1),
    ]
    annex_two = client.get(
        "/api/v1/reports/annex-two",
        query_string={"agency": "CITYHR", "year": TODAY.year},
        headers=world.head.headers,
    )
    assert annex_two.json["enquiries"]["counts"] == {
        "online": 1,
        "in_person": 1,
        "phone": 1,
        "service_info": 1,
    }
    assert annex_two.json["enquiries"]["referred"] == 1 and annex_two.json["enquiries"]["total"] == 3
    year = client.get(
        "/api/v1/enquiries",
        query_string={"agency": "CITYHR", "year": TODAY.year},
        headers=world.officer.headers,
    )
    assert year.status_code == 200
    assert year.json == {
        "agency": "CITYHR",
        "year": TODAY.year,
        "counts": {"online": 1, "in_person": 1, "phone": 1, "service_info": 1},
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"channel": None}, "channel"),
        ({"on": "2024-02-30"}, "on"),
        ({"on": (TODAY + dt.timedelta(days=1)).isoformat()}, "on"),
        ({"on": "2007-12-31"}, "on"),
        ({"topic": "问" * 201}, "topic"),
        ({"service_info": "perhaps"}, "service_info"),
        ({"outcome": "lost"}, "outcome"),
        ({"agency": "NOPE"}, "agency"),
        ({"count": 3}, "count"),
    ],
)
def test_a_wrong_enquiry_is_a_422_naming_the_field(
    client: FlaskClient, world: World, session: Any, changes: dict[str, Any], field: str
):
    body = {"agency": "CITYHR", "channel": "phone", "on": TODAY.isoformat()} | changes
    answer = client.post("/api/v1/enquiries", json=body, headers=world.officer.headers)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert field in answer.json["error"]["fields"]
    assert count(session, Enquiry) == 0


def test_only_the_agencys_staff_log_its_enquiries(client: FlaskClient, world: World, session: Any):
    body = {"agency": "CITYHR", "channel": "phone", "on": TODAY.isoformat()}
    assert client.post("/api/v1/enquiries", json=body).status_code == 401
    assert client.post("/api/v1/enquiries", json=body, headers=world.stranger.headers).status_code == 403
    root = platform_admin(session)
    assert client.post("/api/v1/enquiries", json=body, headers=root.headers).status_code == 403
    query = {"agency": "CITYHR", "year": TODAY.year}
    assert (
        client.get("/api/v1/enquiries", query_string=query, headers=world.stranger_head.headers).status_code
        == 403
    )
    assert count(session, Enquiry) == 0


# -- the figures entered per year ----------------------------------------------------------------------


def test_a_head_enters_the_years_figures_and_reads_them_back_with_last_years(
    client: FlaskClient, world: World, session: Any
):
    query = {"agency": "CITYHR", "year": LAST_YEAR}
    first = client.put(
        FIGURES,
        query_string=query | {"year": LAST_YEAR - 1},
        json={"proactive": table()},
        headers=world.head.headers,
    )
    assert first.status_code == 200, first.json
    body = {
        "proactive": table(penalties={"decisions": 40}),
        "annex_one": {"total": 635, "news": 350, "other": 285},
    }
    answer = client.put(FIGURES, query_string=query, json=body, headers=world.head.headers)
    assert answer.status_code == 200, answer.json
    assert answer.json["proactive"] == body["proactive"]
    assert answer.json["annex_one"] == body["annex_one"]
    assert answer.json["entered"] == {"proactive": True, "annex_one": True}
    assert answer.json["updated_by"] == "head@hr.example"
    previous = answer.json["previous_year"]
    assert previous["year"] == LAST_YEAR - 1 and previous["proactive"] == table()
    assert previous["entered"] == {"proactive": True, "annex_one": False}

    # What the report reads is what was entered.
    assert reports.annual_figures(session, [world.agency.id], LAST_YEAR) == {
        "proactive": body["proactive"],
        "annex_one": body["annex_one"],
    }
    again = client.get(FIGURES, query_string=query, headers=world.admin.headers)
    assert again.status_code == 200 and again.json["proactive"] == body["proactive"]

    # Annex one alone: the Art. 20 table is kept.
    only = client.put(
        FIGURES,
        query_string=query,
        json={"annex_one": {"total": 1, "news": 0, "other": 1}},
        headers=world.head.headers,
    )
    assert only.status_code == 200
    assert only.json["proactive"]["penalties"] == {"decisions": 40}
    assert only.json["annex_one"] == {"total": 1, "news": 0, "other": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"proactive": table(regulations={"issued": -1, "repealed": 0, "in_force": 0})},
            "proactive.regulations.issued",
        ),
        ({"proactive": table(regulations={"issued": 1, "repealed": 0})}, "proactive.regulations.in_force"),
        ({"proactive": table(licensing={"decisions": "12"})}, "proactive.licensing.decisions"),
        ({"proactive": table(licensing={"decisions": 1.5})}, "proactive.licensing.decisions"),
        ({"proactive": table(penalties={"decisions": 10**12})}, "proactive.penalties.decisions"),
        ({"proactive": table(fees={"amount_10k_yuan": -1})}, "proactive.fees.amount_10k_yuan"),
        ({"proactive": table(fees={"amount_10k_yuan": 0.123456})}, "proactive.fees.amount_10k_yuan"),
        ({"proactive": table(fees={"amount_10k_yuan": "lots"})}, "proactive.fees.amount_10k_yuan"),
        ({"proactive": table(fees={"amount_10k_yuan": 1e300})}, "proactive.fees.amount_10k_yuan"),
        ({"proactive": table(extra={"decisions": 1})}, "proactive.extra"),
        ({"proactive": {"licensing": {"decisions": 1}}}, "proactive.regulations"),
        ({"proactive": None}, "proactive"),
        ({"annex_one": {"total": 635, "news": 350, "other": 284}}, "annex_one.total"),
        ({"annex_one": {"total": 635, "news": 350}}, "annex_one.other"),
        ({"annex_one": [635]}, "annex_one"),
        ({}, "proactive"),
        ({"figures": 1}, "figures"),
    ],
)
def test_a_wrong_figure_is_a_422_naming_it_and_nothing_changes(
    client: FlaskClient, world: World, session: Any, body: dict[str, Any], field: str
):
    answer = client.put(
        FIGURES, query_string={"agency": "CITYHR", "year": LAST_YEAR}, json=body, headers=world.head.headers
    )
    assert answer.status_code == 422, answer.json
    assert field in answer.json["error"]["fields"], answer.json
    assert count(session, AnnualFigures) == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"agency": "CITYHR", "year": TODAY.year + 1}, "year"),
        ({"agency": "CITYHR", "year": 2007}, "year"),
        ({"agency": "CITYHR"}, "year"),
        ({"agency": "NOPE", "year": LAST_YEAR}, "agency"),
        ({"year": LAST_YEAR}, "agency"),
    ],
)
def test_the_agency_and_year_are_checked(
    client: FlaskClient, world: World, session: Any, query: dict[str, Any], field: str
):
    answer = client.put(FIGURES, query_string=query, json={"proactive": table()}, headers=world.head.headers)
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]
    assert count(session, AnnualFigures) == 0


def test_only_a_head_or_administrator_of_the_agency_enters_figures(
    client: FlaskClient, world: World, session: Any
):
    query = {"agency": "CITYHR", "year": LAST_YEAR}
    body = {"proactive": table()}
    assert client.put(FIGURES, query_string=query, json=body).status_code == 401
    for who in (world.officer, world.stranger, world.stranger_head):
        assert client.put(FIGURES, query_string=query, json=body, headers=who.headers).status_code == 403
        assert client.get(FIGURES, query_string=query, headers=who.headers).status_code == 403
    assert count(session, AnnualFigures) == 0
    root = platform_admin(session)
    assert client.put(FIGURES, query_string=query, json=body, headers=root.headers).status_code == 200
    assert client.put(FIGURES, query_string=query, json=body, headers=world.admin.headers).status_code == 200
