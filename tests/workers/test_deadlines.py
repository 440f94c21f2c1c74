"""The deadline sweeps with a fixed `today` (docs/rules.md §Deadlines: the dates of what the workers do by
themselves).

Dates (2019 rules, the State Council's 2024 calendar; 2024-06-10 is the Dragon Boat Festival):
received Mon 2024-06-03, due add_wd(06-03, 20) = 2024-07-02.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.factories import at, make_agency, make_request, make_user
from webapp.domain.requests import act
from webapp.models import Event, OutboxMessage, Request
from workers.deadlines import run_sweeps

D = dt.date
RECEIVED = D(2024, 6, 3)


def sweep(session: Any, day: dt.date, **kw: Any) -> Any:
    return run_sweeps(session, today=day, now=at(day), **kw)


def setup(session: Any, code: str = "SWP") -> tuple[Any, Any, Any]:
    agency = make_agency(session, at(RECEIVED), code=code)
    officer = make_user(session, at(RECEIVED), agency)
    head = make_user(session, at(RECEIVED), agency, role="head")
    return agency, officer, head


def requested_correction(session: Any, agency: Any, officer: Any, period: int = 5) -> Request:
    req, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(
        session,
        req,
        "request_correction",
        officer,
        now=at(D(2024, 6, 4)),
        items="请写明文号",
        period_days=period,
    )
    session.commit()
    return req


def outbox(session: Any, req: Request) -> list[tuple[str, str]]:
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.payload)
        .where(
            OutboxMessage.request_id == req.id, OutboxMessage.kind != "sms"
        )  # SMS: tests/workers/test_sms.py
        .order_by(OutboxMessage.id)
    )
    return [(kind, str(payload["notice"])) for kind, payload in rows]


def test_a_lapsed_correction_closes_on_the_day_after_its_period(session: Any):
    agency, officer, _ = setup(session)
    req = requested_correction(session, agency, officer)
    # correction asked on 06-04 with 5 working days: 06-05, 06-06, 06-07, 06-11, 06-12 (06-10 holiday)
    assert req.wait_ends_on == D(2024, 6, 13)

    result = sweep(session, D(2024, 6, 12))
    assert result.corrections_lapsed == []
    assert req.status == "awaiting_correction"

    result = sweep(session, D(2024, 6, 13))
    assert result.corrections_lapsed == [req.tracking_number]
    session.refresh(req)
    assert (req.status, req.outcome, req.finished_on) == (
        "replied",
        "closed_correction_lapsed",
        D(2024, 6, 13),
    )
    closed = req.events[-1]
    assert (closed.type, closed.on, closed.actor_id) == ("closed", D(2024, 6, 13), None)
    assert outbox(session, req)[-1] == ("notice", "closure_notice")


def test_a_sweep_missed_for_days_closes_with_the_right_dates(session: Any):
    agency, officer, _ = setup(session)
    corr = requested_correction(session, agency, officer)
    fee, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(session, fee, "request_fee", officer, now=at(D(2024, 6, 5)), basis="per_page", pages=40)
    cons, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(session, cons, "start_consultation", officer, now=at(D(2024, 6, 5)), party="某公司")
    session.commit()
    # fee sent 06-05: lapses on the day after add_wd(06-05, 20) = 07-04; consultation resumes on 06-27
    assert fee.wait_ends_on == D(2024, 7, 5)
    assert cons.wait_ends_on == D(2024, 6, 27)

    # the workers were down from 06-12 until 07-10: the first sweep after catches up
    result = sweep(session, D(2024, 7, 10))
    assert result.summary()["corrections_lapsed"] == 1
    assert result.fees_unpaid == [fee.tracking_number]
    assert result.consultations_resumed == [cons.tracking_number]
    for r in (corr, fee, cons):
        session.refresh(r)
    assert (corr.outcome, corr.finished_on) == ("closed_correction_lapsed", D(2024, 6, 13))
    assert (fee.outcome, fee.finished_on) == ("closed_fee_unpaid", D(2024, 7, 5))
    assert cons.status == "in_progress" and cons.events[-1].type == "consultation_ended"
    assert cons.events[-1].on == D(2024, 6, 27)
    # paused on 06-05 with 18 working days left of 20 (06-04, 06-05 counted): resumed 06-27 → +18
    assert cons.due_on == D(2024, 7, 23)
    assert outbox(session, fee)[-1] == ("notice", "closure_notice")


def test_a_second_sweep_changes_nothing(session: Any):
    agency, officer, _ = setup(session)
    req = requested_correction(session, agency, officer)
    sweep(session, D(2024, 6, 20))
    session.refresh(req)
    version, events = req.version, len(req.events)
    notices = session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()

    again = sweep(session, D(2024, 6, 20))
    assert not any(v for k, v in again.summary().items() if k != "digests")
    session.refresh(req)
    assert (req.version, len(req.events)) == (version, events)
    assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == notices


def test_a_correction_received_in_time_is_not_closed(session: Any):
    agency, officer, _ = setup(session)
    req = requested_correction(session, agency, officer)
    act(session, req, "receive_correction", officer, now=at(D(2024, 6, 12)))
    session.commit()
    assert sweep(session, D(2024, 6, 20)).corrections_lapsed == []
    assert req.status == "in_progress"


def test_an_officer_act_after_the_lapse_day_keeps_dates_in_order(session: Any):
    """A fee lapsed on 07-05 while the workers were down; the head extended on 07-08: the closure is dated
    no earlier than the last act (an act's date may not precede the request's previous one)."""
    agency, officer, head = setup(session)
    fee, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(session, fee, "request_fee", officer, now=at(D(2024, 6, 5)), basis="per_page", pages=31)
    act(session, fee, "extend", head, now=at(D(2024, 7, 8)), days=5, reason="材料较多")
    session.commit()
    sweep(session, D(2024, 7, 9))
    session.refresh(fee)
    assert (fee.outcome, fee.finished_on) == ("closed_fee_unpaid", D(2024, 7, 8))


def test_consultations_under_2008_rules_wait_for_the_officer(session: Any):
    agency, officer, _ = setup(session)
    old, _ = make_request(session, at(RECEIVED), agency, received_on=D(2018, 3, 5), officer=officer)
    act(session, old, "start_consultation", officer, now=at(D(2018, 3, 6)), party="某公司")
    session.commit()
    assert old.wait_ends_on is None
    assert sweep(session, D(2024, 6, 20)).consultations_resumed == []


def staff_notices(session: Any) -> list[tuple[str, dict[str, Any]]]:
    rows = session.execute(
        select(OutboxMessage.delivery_key, OutboxMessage.payload)
        .where(OutboxMessage.kind == "staff")
        .order_by(OutboxMessage.id)
    )
    return list(rows)


def test_due_soon_and_overdue_marks_once_per_due_date(session: Any):
    agency, officer, _ = setup(session, code="MARK")
    req, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    session.commit()
    assert req.due_on == D(2024, 7, 2)

    # 06-26: due in 4 working days: not yet due soon (3 working days)
    assert sweep(session, D(2024, 6, 26)).due_soon_marked == 0
    # 06-27: due in 3 working days (06-28, 07-01, 07-02)
    result = sweep(session, D(2024, 6, 27))
    assert result.due_soon_marked == 1
    assert sweep(session, D(2024, 6, 28)).due_soon_marked == 0  # marked once per due date
    assert sweep(session, D(2024, 7, 2)).overdue_marked == 0  # due today is not overdue
    result = sweep(session, D(2024, 7, 3))
    assert result.overdue_marked == 1
    assert sweep(session, D(2024, 7, 4)).overdue_marked == 0

    keys = [key for key, _ in staff_notices(session)]
    tn = req.tracking_number
    assert f"due_soon:{tn}:2024-07-02" in keys
    assert f"overdue:{tn}:2024-07-02" in keys
    assert keys.count(f"overdue:{tn}:2024-07-02") == 1


def test_finished_and_paused_requests_are_not_marked(session: Any):
    agency, officer, _ = setup(session, code="QUIET")
    done, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(session, done, "accept", officer, now=at(D(2024, 6, 4)))
    act(session, done, "reply", officer, now=at(D(2024, 6, 5)), outcome="disclosed")
    paused, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    act(session, paused, "start_consultation", officer, now=at(D(2024, 6, 5)), party="某公司")
    session.commit()
    result = sweep(session, D(2024, 6, 14))
    assert (result.due_soon_marked, result.overdue_marked, result.digests) == (0, 0, 0)


def test_daily_digest_once_per_agency_and_working_day(session: Any):
    agency, officer, _ = setup(session, code="DIG")
    late, _ = make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    soon, _ = make_request(session, at(D(2024, 6, 6)), agency, received_on=D(2024, 6, 6), officer=officer)
    session.commit()
    # 07-03: `late` (due 07-02) overdue; `soon` due add_wd(06-06, 20) = 07-05, within 3 working days
    result = sweep(session, D(2024, 7, 3))
    assert result.digests == 1
    digests = [(k, p) for k, p in staff_notices(session) if k.startswith("digest:")]
    assert [k for k, _ in digests] == ["digest:DIG:2024-07-03"]
    payload = digests[0][1]
    assert payload["overdue"] == [[late.tracking_number, "2024-07-02"]]
    assert payload["due_soon"] == [[soon.tracking_number, "2024-07-05"]]
    assert sweep(session, D(2024, 7, 3)).digests == 0
    assert sweep(session, D(2024, 7, 6)).digests == 0  # a Saturday
    assert sweep(session, D(2024, 7, 8)).digests == 1


def test_the_sweep_command(app: Flask, session: Any):
    agency, officer, _ = setup(session, code="CLI")
    req = requested_correction(session, agency, officer)
    result = app.test_cli_runner().invoke(args=["sweep", "--today", "2024-06-17"])
    assert result.exit_code == 0, result.output
    assert "corrections_lapsed: 1" in result.output
    assert f"{req.tracking_number} closed_correction_lapsed" in result.output
    session.refresh(req)
    assert req.finished_on == D(2024, 6, 13)

    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    assert app.test_cli_runner().invoke(args=["sweep", "--today", future]).exit_code != 0


def test_no_personal_data_in_the_staff_notices(session: Any):
    agency, officer, _ = setup(session, code="PII")
    make_request(session, at(RECEIVED), agency, received_on=RECEIVED, officer=officer)
    session.commit()
    sweep(session, D(2024, 7, 3))
    for key, payload in staff_notices(session):
        assert "张三" not in key + str(payload)
        assert "11010519491231002X" not in key + str(payload)
    events = session.execute(select(Event.note)).scalars()
    assert all("张三" not in note for note in events)
