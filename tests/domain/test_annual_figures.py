"""What the annual report counts beyond the requests (docs/rules.md §Entered figures, §Enquiries): the
seed's annexes one and three reproduced cell by cell from entered figures and logged enquiries, the Art.
20 table as entered and summed over agencies, every wrong figure named, the enquiry log and its counter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import make_agency, make_user
from webapp.domain import reports
from webapp.domain.errors import Forbidden, ValidationError
from webapp.models import AnnualFigures, Enquiry

SEED_ANNEXES = Path(__file__).resolve().parents[1] / "data" / "seed-2013-annexes.txt"


def seed_tables() -> dict[str, list[tuple[str, str, int]]]:
    """The seed's annexes one and three as printed: title → [(指标, 单位, 数量)]."""
    tables: dict[str, list[tuple[str, str, int]]] = {}
    title = ""
    for line in SEED_ANNEXES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            title = line.strip("[]")
            tables[title] = []
            continue
        label, unit, value = line.split("|")
        tables[title].append((label, unit, int(value)))
    return tables


def proactive(**overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "regulations": {"issued": 2, "repealed": 1, "in_force": 14},
        "normative_documents": {"issued": 9, "repealed": 3, "in_force": 61},
        "licensing": {"decisions": 1520},
        "penalties": {"decisions": 37},
        "enforcement": {"decisions": 4},
        "fees": {"amount_10k_yuan": 12.5},
    }
    table.update(overrides)
    return table


def cells(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(r["label"], r["unit"], r["value"]) for r in rows]


# -- the seed ------------------------------------------------------------------------------------------


def test_the_seeds_annexes_one_and_three_from_entered_figures_and_logged_enquiries(
    session: Any, world: dict[str, Any]
):
    agency, officer, head = world["agency"], world["officer"], world["head"]
    seed = seed_tables()
    # The seed's report was written on 2014-01-02: the figures are entered then, the enquiries logged
    # through the year (the desk's counter for most, a few with their topic).
    entered = dt.datetime(2014, 1, 2, 2, 0, tzinfo=dt.UTC)
    reports.set_annual_figures(
        session, agency, 2013, annex_one={"total": 635, "news": 350, "other": 285}, actor=head, now=entered
    )
    for i in range(300):  # 网上咨询 300, each giving service information (提供服务类信息数 300)
        day = dt.date(2013, 1, 4) + dt.timedelta(days=i)
        reports.record_enquiry(
            session,
            agency,
            channel="online",
            on=day,
            topic="社保转移",
            service_info=True,
            actor=officer,
            now=entered,
        )
    for channel, total in (("in_person", 2434), ("phone", 3054)):
        left, day = total, dt.date(2013, 1, 4)
        while left:
            step = min(left, reports.enquiries.MAX_TALLY, 97)
            reports.tally_enquiries(
                session, agency, channel=channel, on=day, count=step, actor=officer, now=entered
            )
            left -= step
            day += dt.timedelta(days=3)
    # Other years and other agencies do not count.
    reports.record_enquiry(
        session, agency, channel="phone", on=dt.date(2014, 1, 2), actor=officer, now=entered
    )
    reports.tally_enquiries(
        session,
        world["other"],
        channel="phone",
        on=dt.date(2013, 5, 5),
        count=7,
        actor=world["stranger"],
        now=entered,
    )

    annex_one = reports.annex_one_rows(session, [agency.id], 2013)
    annex_three = reports.annex_three_rows(session, [agency.id], 2013)

    assert cells(annex_one) == seed["附表一 主动公开情况统计"]
    assert cells(annex_three) == seed["附表三 咨询情况统计"]
    assert reports.ANNEX_ONE_TITLE == "附表一 主动公开情况统计"
    assert reports.ANNEX_THREE_TITLE == "附表三 咨询情况统计"
    assert reports.enquiry_counts(session, [agency.id], 2013) == {
        "online": 300,
        "in_person": 2434,
        "phone": 3054,
        "service_info": 300,
    }


def test_nothing_entered_or_logged_gives_the_annexes_with_zeros(session: Any, world: dict[str, Any]):
    agency = world["agency"]
    assert [r["value"] for r in reports.annex_one_rows(session, [agency.id], 2020)] == [0, 0, 0]
    assert [r["value"] for r in reports.annex_three_rows(session, [agency.id], 2020)] == [0, 0, 0, 0]
    figures = reports.annual_figures(session, [agency.id], 2020)
    assert figures == {
        "proactive": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 0},
            "penalties": {"decisions": 0},
            "enforcement": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0.0},
        },
        "annex_one": {"total": 0, "news": 0, "other": 0},
    }
    assert reports.annual_figures(session, [], 2020) == figures
    assert reports.enquiry_counts(session, [], 2020) == {
        "online": 0,
        "in_person": 0,
        "phone": 0,
        "service_info": 0,
    }


# -- the Art. 20 table ---------------------------------------------------------------------------------


def test_figures_as_entered_summed_over_agencies_and_kept_per_year(
    session: Any, world: dict[str, Any], now: dt.datetime
):
    agency, other, head = world["agency"], world["other"], world["head"]
    reports.set_annual_figures(session, agency, 2023, proactive=proactive(), actor=head, now=now)
    reports.set_annual_figures(
        session,
        other,
        2023,
        proactive=proactive(fees={"amount_10k_yuan": "0.3001"}, licensing={"decisions": 0}),
        annex_one={"total": 10, "news": 4, "other": 6},
        actor=world["stranger_head"],
        now=now,
    )
    reports.set_annual_figures(
        session, agency, 2022, proactive=proactive(penalties={"decisions": 5}), actor=head, now=now
    )

    mine = reports.annual_figures(session, [agency.id], 2023)
    assert mine["proactive"] == proactive()
    assert mine["annex_one"] == {"total": 0, "news": 0, "other": 0}
    both = reports.annual_figures(session, [agency.id, other.id], 2023)
    assert both["proactive"]["regulations"] == {"issued": 4, "repealed": 2, "in_force": 28}
    assert both["proactive"]["licensing"] == {"decisions": 1520}
    assert both["proactive"]["fees"] == {"amount_10k_yuan": 12.8001}
    assert both["annex_one"] == {"total": 10, "news": 4, "other": 6}
    assert reports.annual_figures(session, [agency.id], 2022)["proactive"]["penalties"] == {"decisions": 5}


def test_entering_again_replaces_the_group_given_and_keeps_the_other(
    session: Any, world: dict[str, Any], now: dt.datetime
):
    agency, head = world["agency"], world["head"]
    reports.set_annual_figures(
        session,
        agency,
        2023,
        proactive=proactive(),
        annex_one={"total": 3, "news": 1, "other": 2},
        actor=head,
        now=now,
    )
    later = now + dt.timedelta(days=1)
    reports.set_annual_figures(
        session, agency, 2023, proactive=proactive(penalties={"decisions": 40}), actor=head, now=later
    )
    row = reports.stored_figures(session, agency.id, 2023)
    assert row is not None and row.penalties_decisions == 40 and row.annex_one_total == 3
    assert row.updated_at == later and row.fees_10k_yuan == Decimal("12.5")
    assert session.scalar(select(func.count()).select_from(AnnualFigures)) == 1
    assert reports.entered_groups(row) == {"proactive": True, "annex_one": True}
    assert reports.entered_groups(None) == {"proactive": False, "annex_one": False}


@pytest.mark.parametrize(
    ("proactive_in", "annex_one_in", "field"),
    [
        (
            proactive(regulations={"issued": -1, "repealed": 0, "in_force": 0}),
            None,
            "proactive.regulations.issued",
        ),
        (proactive(regulations={"issued": 1, "repealed": 0}), None, "proactive.regulations.in_force"),
        (proactive(licensing={"decisions": 1.5}), None, "proactive.licensing.decisions"),
        (proactive(licensing={"decisions": True}), None, "proactive.licensing.decisions"),
        (proactive(penalties={"decisions": "三"}), None, "proactive.penalties.decisions"),
        (proactive(enforcement={"decisions": 10**10}), None, "proactive.enforcement.decisions"),
        (proactive(fees={"amount_10k_yuan": -0.5}), None, "proactive.fees.amount_10k_yuan"),
        (proactive(fees={"amount_10k_yuan": "1.23456"}), None, "proactive.fees.amount_10k_yuan"),
        (proactive(fees={"amount_10k_yuan": "NaN"}), None, "proactive.fees.amount_10k_yuan"),
        (proactive(fees={"amount_10k_yuan": None}), None, "proactive.fees.amount_10k_yuan"),
        (proactive(fees=[1]), None, "proactive.fees"),
        (proactive(extra={"decisions": 1}), None, "proactive.extra"),
        (proactive(licensing={"decisions": 1, "permits": 2}), None, "proactive.licensing.permits"),
        ({"regulations": {"issued": 1, "repealed": 0, "in_force": 0}}, None, "proactive.licensing"),
        ("all of them", None, "proactive"),
        (None, {"total": 10, "news": 4, "other": 5}, "annex_one.total"),
        (None, {"total": 10, "news": 10}, "annex_one.other"),
        (None, {"total": 1, "news": -1, "other": 2}, "annex_one.news"),
        (None, 635, "annex_one"),
        (None, None, "proactive"),
    ],
)
def test_a_wrong_figure_is_named_and_nothing_is_written(
    session: Any, world: dict[str, Any], now: dt.datetime, proactive_in: Any, annex_one_in: Any, field: str
):
    agency, head = world["agency"], world["head"]
    with pytest.raises(ValidationError) as err:
        reports.set_annual_figures(
            session, agency, 2023, proactive=proactive_in, annex_one=annex_one_in, actor=head, now=now
        )
    assert field in err.value.fields
    assert reports.stored_figures(session, agency.id, 2023) is None


def test_the_year_must_be_a_report_year(session: Any, world: dict[str, Any], now: dt.datetime):
    for year in (2007, now.year + 1):
        with pytest.raises(ValidationError) as err:
            reports.set_annual_figures(
                session, world["agency"], year, proactive=proactive(), actor=world["head"], now=now
            )
        assert "year" in err.value.fields


def test_only_a_head_or_administrator_of_the_agency_enters_figures(
    session: Any, world: dict[str, Any], now: dt.datetime
):
    agency = world["agency"]
    for who in ("officer", "stranger_head", "stranger"):
        with pytest.raises(Forbidden):
            reports.set_annual_figures(
                session, agency, 2023, proactive=proactive(), actor=world[who], now=now
            )
    agency_admin = make_user(session, now, agency, "admin")
    reports.set_annual_figures(session, agency, 2023, proactive=proactive(), actor=agency_admin, now=now)
    reports.set_annual_figures(session, agency, 2023, proactive=proactive(), actor=world["admin"], now=now)
    row = reports.stored_figures(session, agency.id, 2023)
    assert row is not None and row.updated_by_id == world["admin"].id


# -- the enquiry log -----------------------------------------------------------------------------------


def test_an_enquiry_is_logged_with_its_channel_topic_and_outcome(
    session: Any, world: dict[str, Any], now: dt.datetime
):
    agency, officer = world["agency"], world["officer"]
    today = dt.date(2024, 6, 14)
    e = reports.record_enquiry(
        session,
        agency,
        channel="in_person",
        on=today,
        topic="  退休  待遇 ",
        outcome="referred",
        actor=officer,
        now=now,
    )
    assert (e.channel, e.asked_on, e.topic, e.outcome, e.service_info) == (
        "in_person",
        today,
        "退休 待遇",
        "referred",
        False,
    )
    assert e.recorded_by_id == officer.id
    assert reports.tally_enquiries(session, agency, channel="phone", on=today, actor=officer, now=now) == 1
    assert (
        reports.tally_enquiries(session, agency, channel="phone", on=today, count=5, actor=officer, now=now)
        == 6
    )
    assert reports.day_counts(session, agency.id, today) == {"online": 0, "in_person": 1, "phone": 6}
    summary = reports.enquiry_summary(session, [agency.id], 2024)
    assert summary["total"] == 7 and summary["referred"] == 1
    assert summary["by_channel"]["in_person"] == {"answered": 0, "referred": 1}
    assert summary["monthly"][5] == 7 and sum(summary["monthly"]) == 7
    assert [x.topic for x in reports.recent_enquiries(session, [agency.id])] == ["退休 待遇"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"on": dt.date(2024, 6, 15)}, "on"),
        ({"on": dt.date(2007, 12, 31)}, "on"),
        ({"topic": "话" * 201}, "topic"),
        ({"outcome": "ignored"}, "outcome"),
        ({"service_info": "yes"}, "service_info"),
    ],
)
def test_a_wrong_enquiry_is_named_and_nothing_is_logged(
    session: Any, world: dict[str, Any], now: dt.datetime, changes: dict[str, Any], field: str
):
    args: dict[str, Any] = {"channel": "phone", "on": dt.date(2024, 6, 14)} | changes
    with pytest.raises(ValidationError) as err:
        reports.record_enquiry(session, world["agency"], actor=world["officer"], now=now, **args)
    assert field in err.value.fields
    assert session.scalar(select(func.count()).select_from(Enquiry)) == 0


@pytest.mark.parametrize("count", [0, -1, 1001, True, 2.0])
def test_the_counter_takes_one_to_a_thousand(
    session: Any, world: dict[str, Any], now: dt.datetime, count: Any
):
    with pytest.raises(ValidationError) as err:
        reports.tally_enquiries(
            session,
            world["agency"],
            channel="phone",
            on=dt.date(2024, 6, 14),
            count=count,
            actor=world["officer"],
            now=now,
        )
    assert "count" in err.value.fields
    assert session.scalar(select(func.count()).select_from(Enquiry)) == 0


def test_only_the_agencys_staff_log_its_enquiries(session: Any, world: dict[str, Any], now: dt.datetime):
    day = dt.date(2024, 6, 14)
    for who in ("stranger", "stranger_head", "admin"):
        with pytest.raises(Forbidden):
            reports.record_enquiry(
                session, world["agency"], channel="phone", on=day, actor=world[who], now=now
            )
        with pytest.raises(Forbidden):
            reports.tally_enquiries(
                session, world["agency"], channel="phone", on=day, actor=world[who], now=now
            )
    reports.record_enquiry(session, world["agency"], channel="online", on=day, actor=world["head"], now=now)
    assert reports.enquiry_counts(session, [world["agency"].id], 2024)["online"] == 1


def test_another_agencys_figures_and_enquiries_do_not_leak(session: Any, now: dt.datetime):
    a, b = make_agency(session, now), make_agency(session, now)
    head_b = make_user(session, now, b, "head")
    reports.set_annual_figures(session, b, 2023, proactive=proactive(), actor=head_b, now=now)
    reports.tally_enquiries(
        session, b, channel="online", on=dt.date(2023, 3, 1), count=3, actor=head_b, now=now
    )
    assert reports.annual_figures(session, [a.id], 2023)["proactive"]["licensing"] == {"decisions": 0}
    assert reports.enquiry_counts(session, [a.id], 2023)["online"] == 0
    assert reports.enquiry_counts(session, [a.id, b.id], 2023)["online"] == 3
