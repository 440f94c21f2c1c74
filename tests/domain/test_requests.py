"""The request lifecycle (docs/rules.md §Lifecycle): every action, every illegal move, every refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import FEE_PAYMENT, applicant, make_request
from webapp.domain.access_codes import ACCESS_CODE_ALPHABET, access_code_matches, new_access_code
from webapp.domain.calendar import current_calendar
from webapp.domain.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from webapp.domain.requests import (
    act,
    applicant_correct,
    applicant_withdraw,
    set_calendar_day,
    submit,
)
from webapp.domain.states import ACTIONS, TRANSITIONS, Status
from webapp.models import Event, OutboxMessage, Request

D = dt.date
RECEIVED = D(2024, 6, 3)  # a Monday; 2019 rules
# add_wd(2024-06-03, 20): Jun 4–7 (4), Jun 10 is 端午节, Jun 11–14 (8), 17–21 (13), 24–28 (18), Jul 1–2 (20)
DUE = D(2024, 7, 2)


def new_request(
    session: Any, now: dt.datetime, world: dict[str, Any], received_on: dt.date = RECEIVED
) -> Request:
    req, _ = make_request(session, now, world["agency"], received_on=received_on, officer=world["officer"])
    return req


def bring_to(session: Any, now: dt.datetime, world: dict[str, Any], status: Status) -> Request:
    """A request received on RECEIVED and moved into `status` by ordinary actions."""
    req = new_request(session, now, world)
    officer = world["officer"]
    if status == Status.RECEIVED:
        return req
    act(session, req, "accept", officer, now=now, on=D(2024, 6, 4))
    steps = {
        Status.IN_PROGRESS: [],
        Status.AWAITING_CORRECTION: [("request_correction", {"items": "请写明文件名称", "period_days": 10})],
        Status.CONSULTING: [("start_consultation", {"party": "某公司"})],
        Status.AWAITING_FEE: [("request_fee", {"basis": "per_page", "pages": 35})],
        Status.AWAITING_REASONS: [("request_reasons", {"items": "同日提出申请50件", "period_days": 10})],
        Status.REPLIED: [("reply", {"outcome": "disclosed"})],
    }[status]
    for action, fields in steps:
        act(session, req, action, officer, now=now, on=D(2024, 6, 5), **fields)
    assert req.status == status
    return req


def count(session: Any, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


# -- intake -----------------------------------------------------------------------------------------


def test_online_submission_gets_number_code_due_date_event_and_receipt(
    session: Any, now: dt.datetime, world: Any
):
    req, code = submit(
        session,
        agency=world["agency"],
        applicant=applicant(),
        description="申请公开某文件",
        delivery="email",
        now=now,
    )
    assert req.tracking_number == "CITYHR-2024-000001"
    assert req.channel == "online"
    assert req.received_on == D(2024, 6, 14)  # today in Beijing
    assert req.rules == "2019"
    assert req.status == Status.RECEIVED
    assert req.due_on == current_calendar(session).add_wd(D(2024, 6, 14), 20)
    assert not req.due_provisional
    assert code not in req.access_code_hash and access_code_matches(req, code)
    assert access_code_matches(req, code.lower().replace("-", ""))
    assert not access_code_matches(req, "AAAA-AAAA-AAAA-AAAA")
    assert [e.type for e in req.events] == ["submitted"]
    notices = session.execute(select(OutboxMessage).where(OutboxMessage.request_id == req.id)).scalars().all()
    # the receipt by e-mail and, to the mobile number given, by SMS (tests/workers/test_sms.py)
    assert [(n.kind, n.payload["notice"]) for n in notices] == [("notice", "receipt"), ("sms", "receipt")]


def test_tracking_numbers_count_per_agency_and_year(session: Any, now: dt.datetime, world: Any):
    numbers = [new_request(session, now, world, D(2024, 1, 5)).tracking_number for _ in range(3)]
    numbers.append(new_request(session, now, world, D(2023, 12, 29)).tracking_number)
    assert numbers == ["CITYHR-2024-000001", "CITYHR-2024-000002", "CITYHR-2024-000003", "CITYHR-2023-000001"]


def test_2008_rules_apply_before_15_may_2019(session: Any, now: dt.datetime, world: Any):
    assert new_request(session, now, world, D(2019, 5, 14)).rules == "2008"
    assert new_request(session, now, world, D(2019, 5, 15)).rules == "2019"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_on": D(2024, 6, 15)}, "received_on"),  # tomorrow in Beijing
        ({"received_on": D(2008, 4, 30)}, "received_on"),
        ({"received_on": None}, "received_on"),  # a letter needs its received-on date
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"delivery": "telepathy"}, "delivery"),
        ({"description": "  "}, "description"),
        ({"description": "字" * 5001}, "description"),
        ({"applicant": applicant(type="alien")}, "applicant.type"),
        ({"applicant": applicant(name="")}, "applicant.name"),
        ({"applicant": applicant(id_number="110105194912310021")}, "applicant.id_number"),  # check digit is X
        ({"applicant": applicant(id_number="11010519491331002X")}, "applicant.id_number"),  # month 13
        (
            {"applicant": applicant(type="commercial_enterprise", id_number="91350100M000100Y44")},
            "applicant.id_number",
        ),
        ({"applicant": applicant(phone=None, email=None, address=None)}, "applicant.address"),
        ({"applicant": applicant(email="not-an-address")}, "applicant.email"),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(
    session: Any, now: dt.datetime, world: Any, overrides: dict[str, Any], field: str
):
    fields: dict[str, Any] = {
        "agency": world["agency"],
        "applicant": applicant(),
        "description": "申请公开某文件",
        "delivery": "post",
        "now": now,
        "channel": "letter",
        "received_on": D(2024, 6, 3),
        "registered_by": world["officer"],
    }
    fields.update(overrides)
    before = (count(session, Request), count(session, Event), count(session, OutboxMessage))
    with pytest.raises(ValidationError) as err:
        submit(session, **fields)
    assert field in err.value.fields
    assert (count(session, Request), count(session, Event), count(session, OutboxMessage)) == before


def test_citizen_cannot_choose_a_channel_other_than_online(session: Any, now: dt.datetime, world: Any):
    with pytest.raises(ValidationError) as err:
        submit(
            session,
            agency=world["agency"],
            applicant=applicant(),
            description="x",
            delivery="post",
            now=now,
            channel="letter",
            received_on=D(2024, 6, 3),
        )
    assert "channel" in err.value.fields


def test_organisation_with_valid_credit_code_and_passport_holder_are_accepted(
    session: Any, now: dt.datetime, world
):
    org, _ = submit(
        session,
        agency=world["agency"],
        description="x",
        delivery="post",
        now=now,
        applicant=applicant(type="legal_service_org", name="某律师事务所", id_number="91350100M000100Y43"),
    )
    assert org.applicant_id_kind == "credit_code"
    person, _ = submit(
        session,
        agency=world["agency"],
        description="x",
        delivery="post",
        now=now,
        applicant=applicant(id_kind="passport", id_number="E12345678"),
    )
    assert person.applicant_id_kind == "passport"


# -- each action ------------------------------------------------------------------------------------


def test_accept(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    act(session, req, "accept", world["officer"], now=now, on=D(2024, 6, 4))
    assert req.status == Status.IN_PROGRESS
    assert req.due_on == DUE
    ev = req.events[-1]
    assert (ev.type, ev.from_status, ev.to_status, ev.actor_id, ev.on) == (
        "accepted",
        "received",
        "in_progress",
        world["officer"].id,
        D(2024, 6, 4),
    )


def test_correction_stops_clock_and_its_arrival_restarts_the_count(
    session: Any, now: dt.datetime, world: Any
):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    cal = current_calendar(session)
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=D(2024, 6, 5),
        items="请写明所需文件的名称或文号",
        period_days=10,
    )
    assert req.status == Status.AWAITING_CORRECTION
    assert req.due_on is None
    assert req.wait_ends_on == cal.add_wd(D(2024, 6, 5), 10) + dt.timedelta(days=1)
    assert req.events[-1].note == "请写明所需文件的名称或文号"
    act(session, req, "receive_correction", world["officer"], now=now, on=D(2024, 6, 12))
    assert req.status == Status.IN_PROGRESS
    assert req.due_on == cal.add_wd(D(2024, 6, 12), 20)
    assert req.wait_ends_on is None


def test_correction_only_once_and_only_within_seven_working_days_under_2019_rules(session, now, world):
    req = new_request(session, now, world)
    # add_wd(2024-06-03, 7): Jun 4, 5, 6, 7 (4), Jun 10 is 端午节, Jun 11, 12, 13 (7) — Jun 14 is too late
    with pytest.raises(IllegalTransition):
        act(
            session,
            req,
            "request_correction",
            world["officer"],
            now=now,
            on=D(2024, 6, 14),
            items="x",
            period_days=5,
        )
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=D(2024, 6, 13),
        items="x",
        period_days=5,
    )
    act(session, req, "receive_correction", world["officer"], now=now, on=D(2024, 6, 13))
    with pytest.raises(IllegalTransition):
        act(
            session,
            req,
            "request_correction",
            world["officer"],
            now=now,
            on=D(2024, 6, 13),
            items="y",
            period_days=5,
        )


def test_2008_rules_allow_a_late_correction(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world, D(2018, 3, 1))
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=D(2018, 3, 20),
        items="x",
        period_days=5,
    )
    assert req.status == Status.AWAITING_CORRECTION


@pytest.mark.parametrize("period", [0, 31, "10", None, 2.5, True])
def test_correction_period_must_be_a_sensible_number_of_working_days(session, now, world, period):
    req = new_request(session, now, world)
    with pytest.raises(ValidationError) as err:
        act(
            session,
            req,
            "request_correction",
            world["officer"],
            now=now,
            on=D(2024, 6, 4),
            items="x",
            period_days=period,
        )
    assert "period_days" in err.value.fields
    assert req.status == Status.RECEIVED and not req.correction_requested


def test_consultation_pauses_and_resumes_the_clock(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    cal = current_calendar(session)
    act(session, req, "start_consultation", world["officer"], now=now, on=D(2024, 6, 5), party="某公司")
    remaining = cal.count_wd(D(2024, 6, 5), DUE)
    assert (req.status, req.due_on, req.remaining_days) == (Status.CONSULTING, None, remaining)
    assert req.wait_ends_on == cal.add_wd(D(2024, 6, 5), 15)
    assert req.events[-1].data == {"party": "某公司"}
    act(session, req, "end_consultation", world["officer"], now=now, on=D(2024, 6, 13))
    assert req.status == Status.IN_PROGRESS
    assert req.due_on == cal.add_wd(D(2024, 6, 13), remaining)


def test_fee_pauses_and_payment_resumes(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    cal = current_calendar(session)
    act(
        session,
        req,
        "request_fee",
        world["officer"],
        now=now,
        on=D(2024, 6, 5),
        basis="per_page",
        pages=43,
        amount_yuan=120.5,
        reduction_reason="申请人经济困难",
    )
    assert req.status == Status.AWAITING_FEE and req.due_on is None
    assert req.wait_ends_on == cal.add_wd(D(2024, 6, 5), 20) + dt.timedelta(days=1)
    assert req.events[-1].data == {
        "basis": "per_page",
        "pages": 43,
        "computed_yuan": 130.0,
        "amount_yuan": 120.5,
        "reduction_reason": "申请人经济困难",
        "pay_how": FEE_PAYMENT,
    }
    act(
        session,
        req,
        "receive_fee",
        world["officer"],
        now=now,
        on=D(2024, 6, 7),
        amount_yuan=120.5,
        receipt_number="A1",
    )
    assert req.due_on == cal.add_wd(D(2024, 6, 7), cal.count_wd(D(2024, 6, 5), DUE))


def test_no_fee_under_2008_rules(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world, D(2018, 3, 1))
    with pytest.raises(IllegalTransition):
        act(
            session,
            req,
            "request_fee",
            world["officer"],
            now=now,
            on=D(2018, 3, 2),
            basis="per_page",
            pages=31,
        )


def test_extension_needs_the_head_and_moves_the_due_date(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    with pytest.raises(Forbidden):
        act(session, req, "extend", world["officer"], now=now, on=D(2024, 6, 5), days=10, reason="档案调取")
    with pytest.raises(Forbidden):
        act(session, req, "extend", world["admin"], now=now, on=D(2024, 6, 5), days=10, reason="档案调取")
    act(session, req, "extend", world["head"], now=now, on=D(2024, 6, 5), days=20, reason="需调取档案")
    assert req.extended_days == 20
    assert req.due_on == current_calendar(session).add_wd(DUE, 20)
    assert req.status == Status.IN_PROGRESS
    with pytest.raises(IllegalTransition):
        act(session, req, "extend", world["head"], now=now, on=D(2024, 6, 6), days=1, reason="再延")


@pytest.mark.parametrize(("received", "days"), [(D(2024, 6, 3), 21), (D(2018, 3, 1), 16), (D(2024, 6, 3), 0)])
def test_extension_limits_by_rule_set(session, now, world, received, days):
    req = new_request(session, now, world, received)
    with pytest.raises(ValidationError) as err:
        act(session, req, "extend", world["head"], now=now, on=received, days=days, reason="x")
    assert "days" in err.value.fields
    assert req.extended_days == 0


def test_no_extension_after_the_deadline(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world, D(2024, 4, 1))
    assert req.due_on is not None and req.due_on < D(2024, 6, 14)
    with pytest.raises(IllegalTransition):
        act(
            session,
            req,
            "extend",
            world["head"],
            now=now,
            on=req.due_on + dt.timedelta(days=1),
            days=5,
            reason="x",
        )
    act(session, req, "extend", world["head"], now=now, on=req.due_on, days=5, reason="x")


def test_reply_finishes_with_outcome_and_date(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=now,
        on=D(2024, 6, 13),
        outcome="not_held",
        referred_agency="市生态环境局",
        referred_phone="0571-87654321",
        note="请向市生态环境局申请",
    )
    assert (req.status, req.outcome, req.finished_on, req.referred_agency) == (
        Status.REPLIED,
        "not_held",
        D(2024, 6, 13),
        "市生态环境局",
    )
    assert req.due_on == DUE  # kept for the on-time figures
    assert req.events[-1].data == {"on_the_spot": False, "outcome": "not_held"}
    kinds = session.execute(
        select(OutboxMessage.kind, OutboxMessage.payload).where(OutboxMessage.request_id == req.id)
    )
    # each notice by e-mail and, the applicant having given a mobile number, by SMS
    assert [(k, p["notice"]) for k, p in kinds] == [
        ("notice", "receipt"),
        ("sms", "receipt"),
        ("notice", "reply"),
        ("sms", "reply"),
    ]


def test_on_the_spot_reply_only_on_the_day_of_receipt(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    with pytest.raises(IllegalTransition):
        act(session, req, "reply", world["officer"], now=now, on=D(2024, 6, 4), outcome="disclosed")
    act(session, req, "reply", world["officer"], now=now, on=RECEIVED, outcome="disclosed")
    assert req.events[-1].data["on_the_spot"] is True


@pytest.mark.parametrize("outcome", ["closed_other", "granted", None])
def test_reply_refuses_closure_and_unknown_outcomes(session, now, world, outcome):
    req = bring_to(session, now, world, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as err:
        act(session, req, "reply", world["officer"], now=now, on=D(2024, 6, 5), outcome=outcome)
    assert "outcome" in err.value.fields
    assert req.status == Status.IN_PROGRESS and req.outcome is None and req.finished_on is None


def test_close_takes_only_closure_outcomes(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.CONSULTING)
    with pytest.raises(ValidationError):
        act(session, req, "close", world["officer"], now=now, on=D(2024, 6, 6), outcome="disclosed")
    act(
        session,
        req,
        "close",
        world["officer"],
        now=now,
        on=D(2024, 6, 6),
        outcome="closed_other",
        note="撤回",
    )
    assert (req.status, req.outcome, req.finished_on) == (Status.REPLIED, "closed_other", D(2024, 6, 6))


def test_assign_to_a_colleague_only(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    act(session, req, "assign", world["officer"], now=now, assignee="head@hr.example")
    assert req.assignee_id == world["head"].id and req.status == Status.RECEIVED
    assert req.events[-1].public is False
    for email in ("officer@env.example", "admin@hr.example", "nobody@example", None):
        with pytest.raises(ValidationError) as err:
            act(session, req, "assign", world["officer"], now=now, assignee=email)
        assert "assignee" in err.value.fields


def test_comment_is_internal_and_allowed_after_the_reply(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.REPLIED)
    version = req.version
    act(session, req, "comment", world["officer"], now=now, note="已电话告知申请人")
    assert req.version == version + 1  # a comment changes no column but still moves the version
    ev = req.events[-1]
    assert (ev.type, ev.public, ev.note, req.status) == (
        "commented",
        False,
        "已电话告知申请人",
        Status.REPLIED,
    )
    with pytest.raises(ValidationError):
        act(session, req, "comment", world["officer"], now=now, note="")


def test_applicant_corrects_and_withdraws(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.AWAITING_CORRECTION)
    applicant_correct(session, req, "所需文件为2023年部门预算", now=now)
    assert req.status == Status.IN_PROGRESS
    assert req.due_on == current_calendar(session).add_wd(D(2024, 6, 14), 20)
    assert req.events[-1].actor_id is None
    applicant_withdraw(session, req, "已通过其他途径获得", now=now)
    assert (req.status, req.outcome, req.finished_on) == (Status.REPLIED, "closed_other", D(2024, 6, 14))
    assert req.events[-1].type == "withdrawn"


def test_history_has_no_gaps(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.CONSULTING)
    act(session, req, "end_consultation", world["officer"], now=now, on=D(2024, 6, 7))
    act(session, req, "reply", world["officer"], now=now, on=D(2024, 6, 11), outcome="disclosed")
    assert [e.seq for e in req.events] == [1, 2, 3, 4, 5]
    assert req.version == 5  # one version per change: submitted, then four actions


# -- refusals ---------------------------------------------------------------------------------------

ILLEGAL = [
    (action, status)
    for action in sorted(ACTIONS - {"withdraw"})
    for status in Status
    if status not in TRANSITIONS[action][0]
]
FIELDS: dict[str, dict[str, Any]] = {
    "request_correction": {"items": "x", "period_days": 5},
    "start_consultation": {"party": "x"},
    "request_fee": {"basis": "per_page", "pages": 31},
    "extend": {"days": 5, "reason": "x"},
    "reply": {"outcome": "disclosed"},
    "close": {"outcome": "closed_other"},
    "assign": {"assignee": "officer@hr.example"},
}


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(session, now, world, action, status):
    req = bring_to(session, now, world, status)
    session.flush()
    before = (
        req.status,
        req.version,
        len(req.events),
        req.due_on,
        req.outcome,
        count(session, OutboxMessage),
    )
    actor = world["head"] if action == "extend" else world["officer"]
    with pytest.raises(IllegalTransition):
        act(session, req, action, actor, now=now, on=D(2024, 6, 6), **FIELDS.get(action, {}))
    assert (
        req.status,
        req.version,
        len(req.events),
        req.due_on,
        req.outcome,
        count(session, OutboxMessage),
    ) == before


def test_withdrawing_a_finished_request_is_refused(session: Any, now: dt.datetime, world: Any):
    req = bring_to(session, now, world, Status.REPLIED)
    with pytest.raises(IllegalTransition):
        applicant_withdraw(session, req, None, now=now)


def test_stale_version_is_refused(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    version = req.version
    act(session, req, "accept", world["officer"], now=now, on=D(2024, 6, 4), version=version)
    with pytest.raises(Conflict):
        act(session, req, "comment", world["officer"], now=now, note="x", version=version)
    assert len(req.events) == 2


def test_staff_of_another_agency_cannot_act(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    with pytest.raises(Forbidden):
        act(session, req, "accept", world["stranger"], now=now)
    with pytest.raises(Forbidden):
        act(session, req, "extend", world["stranger_head"], now=now, days=5, reason="x")
    assert req.status == Status.RECEIVED


@pytest.mark.parametrize(("on", "field"), [(D(2024, 6, 15), "on"), (D(2024, 6, 2), "on")])
def test_action_date_not_in_the_future_nor_before_the_last_event(session, now, world, on, field):
    req = new_request(session, now, world)
    with pytest.raises(ValidationError) as err:
        act(session, req, "accept", world["officer"], now=now, on=on)
    assert field in err.value.fields
    assert req.status == Status.RECEIVED


def test_unknown_action_and_unknown_fields(session: Any, now: dt.datetime, world: Any):
    req = new_request(session, now, world)
    with pytest.raises(ValidationError) as err:
        act(session, req, "approve", world["officer"], now=now)
    assert "action" in err.value.fields
    with pytest.raises(ValidationError) as err:
        act(session, req, "accept", world["officer"], now=now, colour="blue")
    assert err.value.fields == {"colour": "不支持的字段"}
    assert req.status == Status.RECEIVED and len(req.events) == 1


# -- calendar changes -------------------------------------------------------------------------------


def test_calendar_change_moves_open_due_dates_with_a_history_event(
    session: Any, now: dt.datetime, world: Any
):
    open_req = bring_to(session, now, world, Status.IN_PROGRESS)
    done = bring_to(session, now, world, Status.REPLIED)
    assert open_req.due_on == DUE
    # A local holiday on Friday 2024-06-28, inside the counted interval: the due date moves one working day.
    moved = set_calendar_day(
        session, D(2024, 6, 28), is_workday=False, name="地方假日", actor=world["admin"], now=now
    )
    assert moved == 1
    assert open_req.due_on == D(2024, 7, 3)
    ev = open_req.events[-1]
    assert ev.type == "due_recomputed" and "由2024年7月2日调整为2024年7月3日" in ev.note
    assert done.events[-1].type == "replied"
    # Removing the override moves it back.
    set_calendar_day(session, D(2024, 6, 28), is_workday=None, name="", actor=world["admin"], now=now)
    assert open_req.due_on == DUE


def test_only_admins_change_the_calendar(session: Any, now: dt.datetime, world: Any):
    with pytest.raises(Forbidden):
        set_calendar_day(session, D(2024, 6, 28), is_workday=False, name="x", actor=world["head"], now=now)


def test_access_codes_are_16_letters_of_the_alphabet_drawn_evenly() -> None:
    codes = [new_access_code() for _ in range(4000)]
    assert len(set(codes)) == len(codes)
    letters: dict[str, int] = {}
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        for ch in "".join(groups):
            letters[ch] = letters.get(ch, 0) + 1
    assert set(letters) == set(ACCESS_CODE_ALPHABET)  # never 0, O, 1 or I
    # 64,000 letters over 32: 2,000 each expected; a letter drawn at half or twice that rate would show
    assert all(1700 < n < 2300 for n in letters.values()), letters
