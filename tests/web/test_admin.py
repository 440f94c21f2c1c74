"""The administrator's pages through the test client: agencies and report settings, users, tokens, and
the working-day calendar whose overrides move open requests' due dates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People, make_request
from tests.web.conftest import login, post
from webapp.domain.accounts import user_for_token
from webapp.domain.calendar import current_calendar
from webapp.domain.reports.annual import report_scope
from webapp.models import Agency, ApiToken, CalendarOverride, CalendarYear, User


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_agencies_and_their_report_settings(client: FlaskClient, people: People, session):
    login(client, people.platform)
    response = post(client, "/admin/agencies", {"code": "cityedu", "name": "示范市教育局"})
    assert response.location == "/admin/agencies/CITYEDU"
    response = post(client, "/admin/agencies", {"code": "CITYEDU", "name": "又一个"})
    assert response.status_code == 422
    assert re.search(r'id="code-error">.*该机关代码已存在', response.get_data(as_text=True))
    assert (
        post(client, "/admin/agencies/CITYEDU/name", {"agency-name": "示范市教育委员会"}).status_code == 302
    )
    response = post(
        client, "/admin/agencies/CITYEDU/catalogue", {"catalogue-year": "2025", "catalogue-count": "12"}
    )
    assert response.status_code == 302
    response = post(
        client, "/admin/agencies/CITYEDU/catalogue", {"catalogue-year": "1999", "catalogue-count": "-1"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="catalogue-count-error">.*应为不小于0的整数', html)
    agency = session.scalars(select(Agency).where(Agency.code == "CITYEDU")).one()
    assert agency.name == "示范市教育委员会" and agency.catalogue_count(2025) == 12
    response = post(
        client, "/admin/agencies/CITYEDU/catalogue", {"catalogue-year": "1999", "catalogue-count": "3"}
    )
    assert re.search(r'id="catalogue-year-error">.*年度应在2008至2100之间', response.get_data(as_text=True))
    assert post(client, "/admin/agencies/CITYEDU/catalogue/2025/delete").status_code == 302
    session.refresh(agency)
    assert agency.catalogue_count(2025) == 0
    assert client.get("/admin/agencies/NOSUCH").status_code == 404


def test_users_are_created_with_a_role_and_agencies_and_deactivated(
    client: FlaskClient, people: People, session
):
    login(client, people.admin)
    response = post(
        client,
        "/admin/users",
        {"email": "New@HR.example", "name": "新经办", "role": "officer", "password": "long-enough-1"},
    )
    assert response.status_code == 422  # an officer needs an agency
    assert re.search(
        r'id="agencies-error">.*经办人和负责人须属于至少一个机关', response.get_data(as_text=True)
    )
    response = post(
        client,
        "/admin/users",
        {
            "email": "New@HR.example",
            "name": "新经办",
            "role": "officer",
            "agencies": str(people.agency.id),
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 302
    user = session.scalars(select(User).where(User.email == "new@hr.example")).one()
    assert user.role == "officer" and [a.code for a in user.agencies] == ["CITYHR"]
    # The new officer can log in with the password the administrator set.
    other = client.application.test_client()
    assert (
        post(other, "/staff/login", {"email": "new@hr.example", "password": "long-enough-1"}).status_code
        == 302
    )
    assert post(client, f"/admin/users/{user.id}/active", {"active": "0"}).status_code == 302
    session.refresh(user)
    assert not user.active
    assert other.get("/staff/queue").status_code == 302  # logged out
    response = post(client, f"/admin/users/{people.admin.id}/active", {"active": "0"})
    assert "不能停用自己的账号" in client.get(response.location).get_data(as_text=True)


def test_a_token_is_shown_once_and_revoked(client: FlaskClient, people: People, session):
    login(client, people.admin)
    response = post(client, "/admin/tokens", {"user": str(people.officer.id), "label": "门户网站"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token">(gd_[\w-]+)<', response.get_data(as_text=True)).group(1)
    assert user_for_token(session, token, now=now()) == people.officer
    assert token not in client.get("/admin/tokens").get_data(as_text=True)  # never again
    row = session.scalars(select(ApiToken).where(ApiToken.label == "门户网站")).one()
    assert client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert post(client, f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_calendar_override_moves_open_due_dates_with_a_history_entry(
    client: FlaskClient, people: People, session: Any
):
    moment = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    req, _ = make_request(
        session, moment, people.agency, received_on=dt.date(2024, 6, 3), officer=people.officer
    )
    session.commit()
    assert req.due_on == dt.date(2024, 7, 2)
    login(client, people.platform)
    html = client.get("/admin/calendar?year=2024").get_data(as_text=True)
    assert "2024年6月10日 端午节" in html and "2024年5月11日 劳动节" in html  # a holiday, a makeup day
    response = post(
        client,
        "/admin/calendar/days?year=2024",
        {"day-day": "2024-06-12", "day-kind": "holiday", "day-name": "地方"},
    )
    assert response.location == "/admin/calendar?year=2024"
    assert "1件未办结申请的答复期限随之调整" in client.get(response.location).get_data(as_text=True)
    session.refresh(req)
    assert req.due_on == dt.date(2024, 7, 3)
    assert req.events[-1].type == "due_recomputed" and "调整为2024年7月3日" in req.events[-1].note
    assert session.get(CalendarOverride, dt.date(2024, 6, 12)).name == "地方"
    assert post(client, "/admin/calendar/days/2024-06-12/clear").status_code == 302
    session.refresh(req)
    assert req.due_on == dt.date(2024, 7, 2)
    response = post(client, "/admin/calendar/days?year=2024", {"day-day": "", "day-kind": "weekday"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="day-day-error">.*必填', html) and re.search(
        r'id="day-kind-error">.*请从列表中选择', html
    )


def test_next_years_notice_is_entered_and_confirmed(client: FlaskClient, people: People, session):
    year = max(current_calendar(session).covered_years) + 1
    saturday = next(dt.date(year, 1, d) for d in range(1, 8) if dt.date(year, 1, d).weekday() == 5)
    login(client, people.platform)
    html = client.get(f"/admin/calendar?year={year}").get_data(as_text=True)
    assert "未覆盖" in html and f"确认{year}年录入完毕" in html
    post(
        client,
        f"/admin/calendar/days?year={year}",
        {"day-day": f"{year}-01-01", "day-kind": "holiday", "day-name": "元旦"},
    )
    post(
        client,
        f"/admin/calendar/days?year={year}",
        {"day-day": saturday.isoformat(), "day-kind": "workday", "day-name": "元旦调休"},
    )
    response = post(client, f"/admin/calendar/confirm?year={year}", {"confirm-note": "国办发明电"})
    assert response.status_code == 302
    assert session.get(CalendarYear, year).note == "国办发明电"
    html = client.get(f"/admin/calendar?year={year}").get_data(as_text=True)
    assert "已确认" in html and f"{year}年1月{saturday.day}日 元旦调休" in html


def test_the_platform_admin_sets_the_government_an_agency_reports_to(
    client: FlaskClient, people: People, session
):
    """上级政府 on the agency page: the government's report adds up the agency's tables; the agency itself
    and any agency below it are refused beside the field; an agency's administrator only reads it."""
    login(client, people.platform)
    assert post(client, "/admin/agencies", {"code": "CITYGOV", "name": "示范市人民政府"}).status_code == 302
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert "上级政府" in page and '<option value="CITYGOV">示范市人民政府（CITYGOV）</option>' in page
    assert 'value="CITYHR"' not in page  # not itself
    assert post(client, "/admin/agencies/CITYHR/parent", {"parent-parent": "CITYGOV"}).status_code == 302
    assert post(client, "/admin/agencies/CITYENV/parent", {"parent-parent": "CITYHR"}).status_code == 302
    hr, env, gov = (
        session.scalars(select(Agency).where(Agency.code == c)).one()
        for c in ("CITYHR", "CITYENV", "CITYGOV")
    )
    session.refresh(hr)
    session.refresh(env)
    assert hr.parent_id == gov.id and env.parent_id == hr.id
    assert report_scope(session, ["CITYGOV"]).rolled_up == ["CITYHR", "CITYENV"]
    page = client.get("/admin/agencies/CITYGOV").get_data(as_text=True)
    assert "所属机关：" in page and "CITYHR" in page
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert '<option selected value="CITYGOV">' in page

    # itself, its own agency, an agency two levels below it: refused on the field, nothing changed
    for code, message in (
        ("CITYGOV", "不能选择本机关"),
        ("CITYHR", "CITYHR 属于本机关，不能作为本机关的上级政府"),
        ("CITYENV", "CITYENV 属于本机关，不能作为本机关的上级政府"),
        ("NOSUCH", "请从列表中选择"),
    ):
        response = post(client, "/admin/agencies/CITYGOV/parent", {"parent-parent": code})
        assert response.status_code == 422, code
        assert re.search(rf'id="parent-parent-error">.*{message}', response.get_data(as_text=True)), code
    session.refresh(gov)
    assert gov.parent_id is None

    # back to no government
    assert post(client, "/admin/agencies/CITYENV/parent", {"parent-parent": ""}).status_code == 302
    session.refresh(env)
    assert env.parent_id is None
    assert report_scope(session, ["CITYGOV"]).rolled_up == ["CITYHR"]

    # the agency's own administrator sees it and cannot change it
    post(client, "/staff/logout")
    login(client, people.admin)
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert "示范市人民政府（CITYGOV）" in page and "上级政府由平台管理员设置" in page
    assert 'action="/admin/agencies/CITYHR/parent"' not in page
    assert post(client, "/admin/agencies/CITYHR/parent", {"parent-parent": ""}).status_code == 403
    session.refresh(hr)
    assert hr.parent_id == gov.id
