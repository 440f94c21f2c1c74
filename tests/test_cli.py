"""The operator's commands (README.md §Command line)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.factories import make_agency, make_request
from webapp.domain.accounts import check_password, user_for_token
from webapp.domain.calendar import current_calendar
from webapp.models import Agency, ApiToken, Event, Request, User


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_create_agency_user_and_token(app: Flask, session: Any):
    result = run(app, "create-agency", "CITYHR", "白城市人力资源和社会保障局")
    assert result.exit_code == 0, result.output
    agency = session.execute(select(Agency).where(Agency.code == "CITYHR")).scalar_one()
    assert agency.name == "白城市人力资源和社会保障局"

    result = run(
        app,
        "create-user",
        "Li@Example.gov.cn",
        "--role",
        "head",
        "--agency",
        "CITYHR",
        "--password",
        "long enough",
    )
    assert result.exit_code == 0, result.output
    user = session.execute(select(User).where(User.email == "li@example.gov.cn")).scalar_one()
    assert user.role == "head" and [a.code for a in user.agencies] == ["CITYHR"]
    assert check_password(user, "long enough") and not check_password(user, "wrong password")
    assert "long enough" not in (user.password_hash or "")

    result = run(app, "create-token", "li@example.gov.cn")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(session, token, now=dt.datetime.now(dt.UTC)) is user
    assert user_for_token(session, token + "x", now=dt.datetime.now(dt.UTC)) is None
    # Issued at the operator's command line: no administrator recorded (the history says so).
    assert session.execute(select(ApiToken.issued_by_id).where(ApiToken.user_id == user.id)).one() == (None,)

    result = run(app, "revoke-token", "li@example.gov.cn")
    assert result.exit_code == 0 and "revoked 1 token" in result.output
    assert user_for_token(session, token, now=dt.datetime.now(dt.UTC)) is None


def test_cli_refuses_bad_input_with_a_clear_message(app: Flask, session: Any):
    assert run(app, "create-agency", "DUP", "甲局").exit_code == 0
    result = run(app, "create-agency", "DUP", "乙局")
    assert result.exit_code != 0 and "已存在" in result.output
    result = run(app, "create-agency", "lower", "丙局")
    assert result.exit_code != 0 and "code" in result.output
    result = run(app, "create-user", "x@example.gov.cn", "--role", "officer", "--agency", "NOPE")
    assert result.exit_code != 0 and "unknown agency NOPE" in result.output
    result = run(app, "create-user", "x@example.gov.cn", "--role", "officer")
    assert result.exit_code != 0 and "agency" in result.output
    result = run(app, "create-token", "nobody@example.gov.cn")
    assert result.exit_code != 0 and "unknown user" in result.output


def test_demo_data_loads_a_year_of_requests_once(app: Flask, session: Any):
    result = run(app, "demo-data", "--requests", "60")
    assert result.exit_code == 0, result.output
    requests = session.execute(select(func.count()).select_from(Request)).scalar_one()
    assert 20 < requests <= 60
    # Every request has a submitted event, and the history's lifecycle is complete.
    submitted = session.execute(
        select(func.count()).select_from(Event).where(Event.type == "submitted")
    ).scalar_one()
    assert submitted == requests
    finished = session.execute(select(func.count()).select_from(Request).where(Request.status == "replied"))
    assert finished.scalar_one() > 0
    assert run(app, "demo-data", "--if-empty").output.startswith("agencies exist")
    # The demo's two administrators: the platform's, and DEMO's own.
    admins = {
        u.email: [a.code for a in u.agencies]
        for u in session.scalars(select(User).where(User.role == "admin"))
    }
    assert admins == {"admin@demo.gov.cn": [], "agency-admin@demo.gov.cn": ["DEMO"]}


def test_calendar_commands_move_open_due_dates(app: Flask, session: Any):
    now = dt.datetime.now(dt.UTC)
    agency = make_agency(session, now, code="CAL")
    open_request, _ = make_request(session, now, agency, channel="online")
    due = open_request.due_on
    assert due is not None
    cal = current_calendar(session)
    day = due - dt.timedelta(days=1)
    while not cal.is_workday(day):  # a working day inside the counted interval
        day -= dt.timedelta(days=1)
    result = run(app, "calendar", "set", day.isoformat(), "holiday", "地方假日")
    assert result.exit_code == 0, result.output
    assert "moved on 1 open requests" in result.output
    session.refresh(open_request)
    assert open_request.due_on is not None and open_request.due_on > due
    assert open_request.events[-1].type == "due_recomputed"
    result = run(app, "calendar", "show", str(day.year))
    assert f"{day.isoformat()} holiday  地方假日" in result.output


def test_create_agency_under_a_government(app: Flask, session: Any):
    assert run(app, "create-agency", "GOV", "示范市人民政府").exit_code == 0
    result = run(app, "create-agency", "GOVHR", "示范市人力资源和社会保障局", "--parent", "GOV")
    assert result.exit_code == 0, result.output
    government, child = (
        session.execute(select(Agency).where(Agency.code == c)).scalar_one() for c in ("GOV", "GOVHR")
    )
    assert child.parent_id == government.id
    assert run(app, "create-agency", "X1", "某局", "--parent", "NOPE").exit_code != 0
