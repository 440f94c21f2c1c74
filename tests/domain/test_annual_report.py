"""The annual report's narrative check and its 2013 annexes (docs/rules.md §The annual report): which
numbers of a sentence are quotes of the tables and when they are flagged; the seed's three 2013 tables
reproduced from its figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert

from webapp.domain.reports import annual
from webapp.domain.reports.annual.checks import flags, quotes
from webapp.domain.reports.figures import set_annual_figures
from webapp.models import Enquiry

FACTS: dict[str, int | float] = {
    "received": 120,
    "received_change": -8,
    "finished": 118,
    "on_time": 110,
    "on_time_rate": 97.3,
    "channel:online": 80,
    "outcome:3.1": 40,
    "reviews": 2,
    "topic:征收补偿": 30,
}


def test_only_numbers_named_by_their_words_are_quotes():
    text = (
        "2024年，本局共收到政府信息公开申请120件，比上年减少8件。依据国办公开办函〔2021〕30号，"
        "本年度办结118件，其中予以公开40件；按期答复110件，按期答复率97.3%。网上申请80件。"
        "全年召开培训会3次，被申请行政复议2件。申请内容主要涉及征收补偿30件。"
    )
    found = {(q.fact, q.quoted) for q in quotes(text, FACTS)}
    assert found == {
        ("received", 120),
        ("received_change", -8),
        ("finished", 118),
        ("outcome:3.1", 40),
        ("on_time", 110),
        ("on_time_rate", 97.3),
        ("channel:online", 80),
        ("reviews", 2),
        ("topic:征收补偿", 30),
    }
    assert flags(text, FACTS) == []


def test_a_quote_the_tables_contradict_is_flagged_with_its_sentence():
    text = "本局共收到政府信息公开申请121件，比上年增加8件。按期答复率97.3%。网上申请1,080件。"
    assert flags(text, FACTS) == [
        {
            "fact": "received",
            "sentence": "本局共收到政府信息公开申请121件，比上年增加8件。",
            "quoted": 121,
            "expected": 120,
        },
        {
            "fact": "received_change",
            "sentence": "本局共收到政府信息公开申请121件，比上年增加8件。",
            "quoted": 8,
            "expected": -8,
        },
        {"fact": "channel:online", "sentence": "网上申请1,080件。", "quoted": 1080, "expected": 80},
    ]
    assert flags("", FACTS) == [] and flags(None, FACTS) == []


def test_the_seeds_three_tables_from_its_figures(session: Any, world: Any, now: dt.datetime):
    """The seed's 2013 report: annex one from the figures entered, annex three from the enquiries
    logged, annex two from the requests (none), and the drafts quoting them."""
    agency = world["agency"]
    set_annual_figures(
        session,
        agency,
        2013,
        annex_one={"total": 635, "news": 350, "other": 285},
        actor=world["head"],
        now=now,
    )
    rows = [("online", True)] * 300 + [("in_person", False)] * 2434 + [("phone", False)] * 3054
    session.execute(
        insert(Enquiry),
        [
            {
                "agency_id": agency.id,
                "channel": c,
                "asked_on": dt.date(2013, 5, 6),
                "topic": "",
                "service_info": s,
                "outcome": "answered",
                "created_at": now,
            }
            for c, s in rows
        ],
    )
    report = annual.annual_report(session, annual.report_scope(session, ["CITYHR"]), 2013, "2013")
    tables = {s["key"]: s["tables"] for s in report["sections"] if s["tables"]}

    def rows_of(key: str) -> list[tuple[str, str, int]]:
        return [(r["label"], r["unit"], r["value"]) for r in tables[key][0]["rows"]]

    assert rows_of("annex_one") == [
        ("主动公开信息数", "条", 635),
        ("其中:政务动态信息", "条", 350),
        ("其它类信息", "条", 285),
    ]
    assert rows_of("annex_three") == [
        ("提供服务类信息数", "条", 300),
        ("网上咨询数", "人次", 300),
        ("现场接待人数", "人次", 2434),
        ("咨询电话接听数", "人次", 3054),
    ]
    assert [r[2] for r in rows_of("annex_two")] == [0] * 15
    texts = {s["key"]: s.get("text") for s in report["sections"]}
    assert "主动公开政府信息635条，其中政务动态信息350条，其它类信息285条" in texts["proactive"]
    assert "接受咨询5788人次" in texts["overview"] and "未收到政府信息公开申请" in texts["requests"]
    assert report["flags"] == 0
