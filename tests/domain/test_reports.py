"""Annex two (docs/rules.md §Annex two): the seed's table exactly, every figure of both forms over generated
years against an independent count, section 四, the performance figures, snapshots and sign-off."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests import report_data
from tests.factories import make_agency, make_request, make_user
from webapp.domain import reports
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import Forbidden, IllegalTransition, ValidationError
from webapp.domain.requests import act
from webapp.domain.states import OUTCOMES
from webapp.models import Agency, Event, ReportSnapshot, Request

# The national forms' row labels, as printed.
FORMS_DIR = Path(__file__).resolve().parents[1] / "data" / "forms"

# The seed's 附表二 (the 2013 annual report the product was born from), row 4's typing slip corrected
# (printed there as "其他形式申请数网上申请数").
SEED_ANNEX_TWO = [
    ("依申请公开信息目录数", "条", 0),
    ("申请总数", "条", 0),
    ("其中,1.当面申请数", "条", 0),
    ("2.传真申请数", "条", 0),
    ("3.电子邮件申请数", "条", 0),
    ("4.网上申请数", "条", 0),
    ("5.信函申请数", "条", 0),
    ("6.其他形式申请数", "条", 0),
    ("对申请的答复总数", "条", 0),
    ("其中:1.同意公开答复数", "条", 0),
    ("2.同意部分公开答复数", "条", 0),
    ("3.否决公开答复数", "条", 0),
    ("其中: ①“信息不存在”数", "条", 0),
    ("②“非本部门掌握”数", "条", 0),
    ("③“申请内容不明确”数", "条", 0),
]


def form_lines(name: str) -> list[str]:
    path = FORMS_DIR / name
    return [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]


def scope(*agencies: Agency) -> reports.Scope:
    return reports.Scope(tuple(agencies))


def test_every_outcome_has_exactly_one_row_in_each_form():
    assert set(reports.OUTCOME_ROWS) == set(OUTCOMES)
    keys_2021 = {key for _, key in reports.FORM_2021 if key}
    keys_2013 = {key for _, key in reports.FORM_2013}
    for code, row in reports.OUTCOME_ROWS.items():
        assert row.row_2021 in keys_2021, code
        assert row.row_2013 in keys_2013, code
        assert row.sub_2013 is None or row.sub_2013 in keys_2013, code
    # docs/rules.md §Annex two: only the first two outcomes are not refusals in the 2013 form; ①②③ as marked.
    assert reports.outcomes_for("answer:disclosed") == ["disclosed"]
    assert reports.outcomes_for("answer:partial") == ["partially_disclosed"]
    assert len(reports.outcomes_for("answer:refused")) == len(OUTCOMES) - 2
    assert reports.outcomes_for("refused:not_exist") == ["not_exist"]
    assert reports.outcomes_for("refused:not_held") == ["not_held"]
    assert reports.outcomes_for("refused:unclear") == ["closed_correction_lapsed", "unclear"]
    assert reports.outcomes_for("3.4.1") == ["not_exist", "not_held"]


def test_labels_are_the_national_forms_labels_in_order():
    assert [label for label, _ in reports.FORM_2013] == form_lines("annex-two-2013.txt")
    assert [label + ("" if key else ":") for label, key in reports.FORM_2021] == form_lines(
        "annex-two-2021.txt"
    )


def test_golden_an_agency_without_requests_gives_exactly_the_seeds_annex_two(session: Any, now: dt.datetime):
    quiet = make_agency(session, now, code="BCHR", name="白城市人力资源和社会保障局")
    busy = make_agency(session, now, code="BUSY")
    # Requests of another agency, and of this agency in other years, do not count in 2013.
    officer = make_user(session, now, busy)
    make_request(session, now, busy, received_on=dt.date(2013, 6, 3), officer=officer)
    make_request(session, now, quiet, received_on=dt.date(2014, 1, 2), officer=make_user(session, now, quiet))

    table = reports.annex_two(session, scope(quiet), 2013, "2013")

    assert [(r["label"], r["unit"], r["value"]) for r in table["rows"]] == SEED_ANNEX_TWO
    assert table["form"] == "2013" and table["year"] == 2013 and table["agencies"] == ["BCHR"]
    assert table["rows"][5]["label"] == "4.网上申请数"


def test_an_empty_2021_table_has_every_row_and_zero_everywhere(session: Any, now: dt.datetime):
    agency = make_agency(session, now)
    table = reports.annex_two(session, scope(agency), 2023, "2021")
    assert table["columns"] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert len(table["rows"]) == 30
    headings = [r["label"] for r in table["rows"] if r["values"] is None]
    assert headings == [
        "三、本年度办理结果",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
    ]
    assert all(r["values"] == [0] * 7 for r in table["rows"] if r["values"] is not None)
    four = table["review_litigation"]
    assert [g["values"] for g in four["groups"]] == [[0] * 5] * 3
    assert four["columns"] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_catalogue_count_comes_from_the_report_settings(session: Any, now: dt.datetime):
    a = make_agency(session, now)
    b = make_agency(session, now)
    a.report_settings = {"catalogue_counts": {"2022": 7}}
    b.report_settings = {"catalogue_counts": {"2022": 5, "2023": 1}}
    session.flush()
    assert reports.annex_two(session, scope(a), 2022, "2013")["rows"][0]["value"] == 7
    assert reports.annex_two(session, scope(a, b), 2022, "2013")["rows"][0]["value"] == 12


@pytest.fixture
def generated(session: Any, now: dt.datetime) -> dict[str, Any]:
    """Several thousand requests of one agency received 2020–2023 (direct rows plus requests lived
    through the domain functions), some of another agency, and review and litigation records."""
    rng = random.Random(20241)
    main = make_agency(session, now, code="GEN", name="生成数据局")
    other = make_agency(session, now, code="GEN2", name="另一局")
    main.report_settings = {"catalogue_counts": {"2022": 9}}
    officer = make_user(session, now, main)
    head = make_user(session, now, main, role="head")
    first, last = dt.date(2020, 1, 1), dt.date(2023, 12, 31)
    report_data.bulk_requests(session, main, rng, 4000, first=first, last=last, today=dt.date(2024, 6, 13))
    report_data.bulk_requests(session, other, rng, 600, first=first, last=last, today=dt.date(2024, 6, 13))
    lived = report_data.lived_requests(
        session, main, officer, head, rng, 200, first=dt.date(2021, 1, 4), last=dt.date(2023, 12, 29), now=now
    )
    appeals = report_data.appeals_for(session, rng, [main.id, other.id], 300)
    session.flush()
    return {"main": main, "other": other, "lived": lived, "appeals": appeals, "head": head}


def appeals_of(appeals: list[Any], agency_ids: set[int], session: Any) -> list[Any]:
    owners = {rid: aid for rid, aid in session.execute(select(Request.id, Request.agency_id))}
    return [a for a in appeals if owners[a.request_id] in agency_ids]


def test_generated_years_every_figure_matches_an_independent_count(session: Any, generated: dict[str, Any]):
    main, other = generated["main"], generated["other"]
    rows = report_data.load_rows(session, [main.id])
    assert len(rows) == 4200 and generated["lived"] == 200
    cal = current_calendar(session)
    timings = []
    previous_carried_out = None
    for year in (2021, 2022, 2023):
        started = time.perf_counter()
        t2013 = reports.annex_two(session, scope(main), year, "2013")
        t2021 = reports.annex_two(session, scope(main), year, "2021")
        perf = reports.performance(session, scope(main), year)
        timings.append(time.perf_counter() - started)

        catalogue = 9 if year == 2022 else 0
        assert [r["value"] for r in t2013["rows"]] == report_data.expected_2013(rows, year, catalogue)
        assert [r["values"] for r in t2021["rows"]] == report_data.expected_2021(rows, year)
        four = [g["values"] for g in t2021["review_litigation"]["groups"]]
        assert four == report_data.expected_section_four(
            appeals_of(generated["appeals"], {main.id}, session), year
        )

        # The national form's check, in every column: 一 + 二 = 三(七) + 四.
        by_key = {r["key"]: r["values"] for r in t2021["rows"] if r["key"]}
        for col in range(7):
            assert (
                by_key["received"][col] + by_key["carried_in"][col]
                == by_key["finished"][col] + by_key["carried_out"][col]
            ), (year, col)
        # What is carried out of one year is what is carried into the next.
        if previous_carried_out is not None:
            assert by_key["carried_in"] == previous_carried_out
        previous_carried_out = by_key["carried_out"]
        assert min(by_key["carried_in"][6], by_key["carried_out"][6]) > 0
        # The 2021 form's (七) and the 2013 form's answers count the same requests.
        assert by_key["finished"][6] == t2013["rows"][8]["value"]

        expected = report_data.expected_performance(rows, year, cal)
        strip = {"code", "label"}
        assert perf["overall"] == expected["overall"]
        assert {
            p["code"]: {k: v for k, v in p.items() if k not in strip} for p in perf["by_channel"]
        } == expected["by_channel"]
        assert {
            p["code"]: {k: v for k, v in p.items() if k not in strip} for p in perf["by_outcome"]
        } == expected["by_outcome"]
    print(f"\nannex two, both forms and performance, per year over {len(rows)} requests: {timings}")

    # Rolled up over both agencies: the sum of each.
    both = reports.annex_two(session, scope(main, other), 2022, "2021")
    all_rows = report_data.load_rows(session, [main.id, other.id])
    assert [r["values"] for r in both["rows"]] == report_data.expected_2021(all_rows, 2022)
    assert both["agencies"] == ["GEN", "GEN2"]
    four = [g["values"] for g in both["review_litigation"]["groups"]]
    assert four == report_data.expected_section_four(generated["appeals"], 2022)
    t2013 = reports.annex_two(session, scope(main, other), 2022, "2013")
    assert [r["value"] for r in t2013["rows"]] == report_data.expected_2013(all_rows, 2022, 9)


def test_monthly_intake_and_outcome_chart(session: Any, generated: dict[str, Any]):
    main = generated["main"]
    rows = report_data.load_rows(session, [main.id])
    intake = reports.monthly_intake(session, scope(main), 2022)
    assert intake == [
        sum(1 for r in rows if r.received_on.year == 2022 and r.received_on.month == m) for m in range(1, 13)
    ]
    chart = dict(reports.outcome_categories(reports.outcome_counts(session, scope(main), 2022)))
    finished = [r for r in rows if report_data.in_year(r.finished_on, 2022)]
    assert sum(chart.values()) == len(finished)
    assert chart["予以公开"] == sum(1 for r in finished if r.outcome == "disclosed")
    assert chart["其他处理"] == sum(1 for r in finished if str(r.outcome).startswith("closed_"))


def test_performance_excludes_the_paused_days(session: Any, now: dt.datetime):
    agency = make_agency(session, now)
    officer = make_user(session, now, agency)
    # Received Monday 2024-03-04; consultation 03-06 → 03-13 (5 working days); replied 03-20: 12 − 5 = 7.
    req, _ = make_request(session, now, agency, received_on=dt.date(2024, 3, 4), officer=officer)
    act(session, req, "accept", officer, now=now, on=dt.date(2024, 3, 5))
    act(session, req, "start_consultation", officer, now=now, on=dt.date(2024, 3, 6), party="第三方")
    act(session, req, "end_consultation", officer, now=now, on=dt.date(2024, 3, 13))
    act(session, req, "reply", officer, now=now, on=dt.date(2024, 3, 20), outcome="disclosed")
    spot, _ = make_request(session, now, agency, received_on=dt.date(2024, 3, 4), officer=officer)
    act(session, spot, "reply", officer, now=now, on=dt.date(2024, 3, 4), outcome="not_exist")
    withdrawn, _ = make_request(session, now, agency, received_on=dt.date(2024, 3, 4), officer=officer)
    act(session, withdrawn, "withdraw", None, now=now, on=dt.date(2024, 3, 5))

    perf = reports.performance(session, scope(agency), 2024)
    assert perf["overall"] == {
        "replies": 2,
        "on_time": 2,
        "late": 0,
        "on_the_spot": 1,
        "mean_days": 3.5,
        "median_days": 3.5,
    }
    assert [(p["code"], p["mean_days"]) for p in perf["by_outcome"]] == [
        ("disclosed", 7.0),
        ("not_exist", 0.0),
    ]
    assert reports.performance(session, scope(agency), 2023)["overall"]["replies"] == 0


# -- review and litigation ------------------------------------------------------------------------------


def finished_request(session: Any, now: dt.datetime, agency: Agency, on: dt.date) -> Request:
    officer = make_user(session, now, agency)
    req, _ = make_request(session, now, agency, received_on=on, officer=officer)
    act(session, req, "reply", officer, now=now, on=on, outcome="withheld_third_party")
    return req


def test_recording_a_review_writes_the_history_and_counts_in_section_four(session: Any, now: dt.datetime):
    agency = make_agency(session, now)
    officer = make_user(session, now, agency)
    req = finished_request(session, now, agency, dt.date(2023, 3, 1))
    review = reports.record_appeal(
        session, req, kind="review", result="pending", filed_on=dt.date(2023, 5, 4), actor=officer, now=now
    )
    suit = reports.record_appeal(
        session,
        req,
        kind="litigation_after_review",
        result="corrected",
        filed_on=dt.date(2023, 6, 1),
        decided_on=dt.date(2023, 11, 20),
        case_number="（2023）吉08行初12号",
        actor=officer,
        now=now,
    )
    events = [e for e in req.events if e.type == "appeal_recorded"]
    assert [e.on for e in events] == [dt.date(2023, 5, 4), dt.date(2023, 6, 1)]
    assert events[1].note == "行政诉讼（复议后起诉）：纠正（（2023）吉08行初12号）"
    assert events[0].data == {"appeal_id": review.id, "kind": "review", "result": "pending"}

    four = reports.section_four(session, scope(agency), 2023)
    assert [g["values"] for g in four["groups"]] == [[0, 0, 0, 1, 1], [0] * 5, [0, 1, 0, 0, 1]]

    reports.decide_appeal(
        session, review, result="upheld", decided_on=dt.date(2024, 1, 10), actor=officer, now=now
    )
    assert req.events[-1].type == "appeal_decided" and req.events[-1].on == dt.date(2024, 1, 10)
    # As it stood at the end of 2023 the review was pending; in 2024 it counts under its result.
    assert reports.section_four(session, scope(agency), 2023)["groups"][0]["values"] == [0, 0, 0, 1, 1]
    assert reports.section_four(session, scope(agency), 2024)["groups"][0]["values"] == [1, 0, 0, 0, 1]
    assert suit.result == "corrected"
    with pytest.raises(IllegalTransition):
        reports.decide_appeal(
            session, review, result="other", decided_on=dt.date(2024, 2, 1), actor=officer, now=now
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "appeal", "result": "pending", "filed_on": dt.date(2023, 5, 1)}, "kind"),
        ({"kind": "review", "result": "won", "filed_on": dt.date(2023, 5, 1)}, "result"),
        ({"kind": "review", "result": "pending", "filed_on": dt.date(2023, 1, 1)}, "filed_on"),
        ({"kind": "review", "result": "pending", "filed_on": dt.date(2030, 1, 1)}, "filed_on"),
        ({"kind": "review", "result": "upheld", "filed_on": dt.date(2023, 5, 1)}, "decided_on"),
        (
            {
                "kind": "review",
                "result": "pending",
                "filed_on": dt.date(2023, 5, 1),
                "decided_on": dt.date(2023, 6, 1),
            },
            "decided_on",
        ),
        (
            {
                "kind": "review",
                "result": "upheld",
                "filed_on": dt.date(2023, 5, 1),
                "decided_on": dt.date(2023, 4, 1),
            },
            "decided_on",
        ),
    ],
)
def test_bad_review_records_are_refused_naming_the_field(
    session: Any, now: dt.datetime, fields: Any, field: str
):
    agency = make_agency(session, now)
    req = finished_request(session, now, agency, dt.date(2023, 3, 1))
    before = len(req.events)
    with pytest.raises(ValidationError) as info:
        reports.record_appeal(session, req, actor=None, now=now, **fields)
    assert field in info.value.fields
    assert len(req.events) == before


def test_staff_of_another_agency_cannot_record_a_review(session: Any, now: dt.datetime):
    agency, other = make_agency(session, now), make_agency(session, now)
    req = finished_request(session, now, agency, dt.date(2023, 3, 1))
    with pytest.raises(Forbidden):
        reports.record_appeal(
            session,
            req,
            kind="review",
            result="pending",
            filed_on=dt.date(2023, 5, 1),
            actor=make_user(session, now, other),
            now=now,
        )


# -- snapshots ------------------------------------------------------------------------------------------


def test_year_end_snapshots_freeze_every_agency_once_and_notice_a_late_correction(
    session: Any, now: dt.datetime
):
    agency = make_agency(session, now, code="SNAP", name="快照局")
    quiet = make_agency(session, now, code="QUIET")
    officer = make_user(session, now, agency)
    head = make_user(session, now, agency, role="head")
    req, _ = make_request(session, now, agency, received_on=dt.date(2023, 4, 3), officer=officer)
    act(session, req, "reply", officer, now=now, on=dt.date(2023, 4, 3), outcome="disclosed")
    open_req, _ = make_request(session, now, agency, received_on=dt.date(2023, 12, 27), officer=officer)
    january = dt.datetime(2024, 1, 2, 1, tzinfo=dt.UTC)

    created = reports.snapshot_year(session, 2023, january)
    mine = {(s.agency.code, s.form) for s in created}
    assert {("SNAP", "2013"), ("SNAP", "2021"), ("QUIET", "2013"), ("QUIET", "2021")} <= mine
    assert reports.snapshot_year(session, 2023, january) == []  # idempotent
    snap = reports.latest_snapshot(session, agency, 2023, "2021")
    assert snap is not None and snap.revision == 1 and snap.created_by_id is None
    assert snap.figures == reports.annex_two(session, scope(agency), 2023, "2021")
    assert len(snap.checksum) == 64

    status = reports.snapshot_status(session, scope(agency, quiet), 2023, "2021")
    assert [s["data_changed"] for s in status] == [False, False]

    # Work done after the year's end on a request received in it does not change the year's data.
    act(session, open_req, "accept", officer, now=now, on=dt.date(2024, 1, 8))
    act(session, open_req, "reply", officer, now=now, on=dt.date(2024, 1, 8), outcome="not_held")
    assert reports.data_checksum(session, agency, 2023) == snap.checksum

    # A late correction: a request of 2023 registered only now, and an outcome corrected.
    make_request(session, now, agency, received_on=dt.date(2023, 11, 6), officer=officer)
    session.execute(update(Request).where(Request.id == req.id).values(outcome="partially_disclosed"))
    session.expire_all()
    (status,) = reports.snapshot_status(session, scope(agency), 2023, "2021")
    assert status["data_changed"] and status["current_checksum"] != snap.checksum
    changes = {(d["label"], d["column"]): (d["snapshot"], d["current"]) for d in status["differences"]}
    assert changes == {
        ("一、本年新收政府信息公开申请数量", "自然人"): (2, 3),
        ("一、本年新收政府信息公开申请数量", "总计"): (2, 3),
        ("（一）予以公开", "自然人"): (1, 0),
        ("（一）予以公开", "总计"): (1, 0),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "自然人"): (0, 1),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计"): (0, 1),
        ("四、结转下年度继续办理", "自然人"): (1, 2),
        ("四、结转下年度继续办理", "总计"): (1, 2),
    }
    (status_2013,) = reports.snapshot_status(session, scope(agency), 2023, "2013")
    assert {d["label"]: (d["snapshot"], d["current"]) for d in status_2013["differences"]} == {
        "申请总数": (2, 3),
        "5.信函申请数": (2, 3),
        "其中:1.同意公开答复数": (1, 0),
        "2.同意部分公开答复数": (0, 1),
    }

    # The head freezes the corrected table as revision 2 and signs it off.
    second = reports.create_snapshot(session, agency, 2023, "2021", actor=head, now=now)
    assert second.revision == 2 and second.created_by_id == head.id
    (status,) = reports.snapshot_status(session, scope(agency), 2023, "2021")
    assert status["snapshot"]["revision"] == 2 and not status["data_changed"]
    reports.sign_off(session, second, actor=head, now=now)
    assert second.signed_off_by_id == head.id and second.signed_off_at == now


def test_only_the_agencys_head_signs_off_once(session: Any, now: dt.datetime):
    agency, other = make_agency(session, now), make_agency(session, now)
    snap = reports.create_snapshot(session, agency, 2023, "2013", actor=None, now=now)
    for user in (
        make_user(session, now, agency, role="officer"),
        make_user(session, now, agency, role="admin"),
        make_user(session, now, other, role="head"),
    ):
        with pytest.raises(Forbidden):
            reports.sign_off(session, snap, actor=user, now=now)
    head = make_user(session, now, agency, role="head")
    reports.sign_off(session, snap, actor=head, now=now)
    with pytest.raises(IllegalTransition):
        reports.sign_off(session, snap, actor=head, now=now)


def test_a_year_not_over_cannot_be_frozen_and_officers_cannot_freeze(session: Any, now: dt.datetime):
    agency = make_agency(session, now)
    with pytest.raises(ValidationError) as info:
        reports.create_snapshot(session, agency, 2024, "2021", actor=None, now=now)
    assert "year" in info.value.fields
    with pytest.raises(Forbidden):
        reports.create_snapshot(session, agency, 2023, "2021", actor=make_user(session, now, agency), now=now)
    with pytest.raises(ValidationError) as info:
        reports.create_snapshot(session, agency, 2023, "2020", actor=None, now=now)
    assert "form" in info.value.fields
    assert session.execute(select(ReportSnapshot)).first() is None
    assert session.execute(select(Event).where(Event.type == "appeal_recorded")).first() is None
