"""Two levels of administration (webapp/authz.py, docs/security.md): the attack an agency's administrator
made on every other agency, step by step, now refused; what each level may still do; and tokens that
name their issuer in the history ("经 X 签发的令牌")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import PASSWORD_HASH, VALID_RESIDENT_ID, People, applicant, make_user
from tests.web.conftest import login, post
from webapp import authz
from webapp.domain import accounts
from webapp.domain.requests import submit
from webapp.models import Agency, ApiToken, CalendarOverride, Event, Request, User

NEW_PASSWORD = "long-enough-1"


@dataclass
class Scene:
    people: People
    admin_b: User  # the administrator of the other agency (CITYENV): the attacker
    request_a: Request  # a request of agency A (CITYHR)


@pytest.fixture
def scene(people: People, session: Any) -> Scene:
    now = dt.datetime.now(dt.UTC)
    admin_b = make_user(session, now, people.other_agency, "admin", "admin@env.example")
    admin_b.password_hash = PASSWORD_HASH
    admin_b.name = "乙局管理员"
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(name="甲局申请人赵某", phone="13900001111"),
        description="甲局的申请：所需信息",
        delivery="email",
        now=now,
    )
    session.commit()
    return Scene(people, admin_b, req)


def issue(client: FlaskClient, user: User, label: str = "对接") -> Any:
    return post(client, "/admin/tokens", {"user": str(user.id), "label": label})


def token_in(response: Any) -> str:
    match = re.search(r'id="new-token">(gd_[\w-]+)<', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(1)


def count(session: Any, model: Any, *where: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model).where(*where)))


# -- the attack, step by step ----------------------------------------------------------------------------


def test_b_admin_cannot_issue_a_token_for_a_head_or_the_platform(
    client: FlaskClient, scene: Scene, session: Any
):
    p = scene.people
    login(client, scene.admin_b)
    for target in (p.head, p.platform, p.admin):
        assert issue(client, target).status_code == 404
        assert count(session, ApiToken, ApiToken.user_id == target.id) == 0
    page = client.get("/admin/tokens").get_data(as_text=True)
    for other in (p.head, p.officer, p.platform, p.admin):
        assert other.email not in page  # not offered, not listed


def test_b_admin_cannot_create_a_platform_admin_nor_staff_of_a(
    client: FlaskClient, scene: Scene, session: Any
):
    login(client, scene.admin_b)
    response = post(
        client, "/admin/users", {"email": "root@evil.example", "role": "admin", "password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert re.search(r'id="agencies-error">.*请至少选择一个您管理的机关', response.get_data(as_text=True))
    response = post(
        client,
        "/admin/users",
        {
            "email": "mole@evil.example",
            "role": "head",
            "agencies": str(scene.people.agency.id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert re.search(r'id="agencies-error">', response.get_data(as_text=True))
    assert count(session, User, User.email.in_(["root@evil.example", "mole@evil.example"])) == 0
    # An administrator of its own agency it may make: the same rights as its own.
    response = post(
        client,
        "/admin/users",
        {
            "email": "deputy@env.example",
            "role": "admin",
            "agencies": str(scene.people.other_agency.id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    deputy = session.scalars(select(User).where(User.email == "deputy@env.example")).one()
    assert [a.code for a in deputy.agencies] == ["CITYENV"] and authz.is_agency_admin(deputy)


def test_b_admin_cannot_rename_a_nor_touch_its_settings(client: FlaskClient, scene: Scene, session: Any):
    login(client, scene.admin_b)
    assert post(client, "/admin/agencies/CITYHR/name", {"agency-name": "被改名的局"}).status_code == 404
    assert client.get("/admin/agencies/CITYHR").status_code == 404
    response = post(client, "/admin/agencies/CITYHR/documents", {"documents-letterhead": "伪造文头"})
    assert response.status_code == 404
    assert post(client, "/admin/agencies/CITYHR/catalogue", {"catalogue-year": "2025"}).status_code == 404
    assert client.get("/admin/agencies/CITYHR/application-form.pdf").status_code == 404
    # Its own agency's name is the platform's too; creating agencies as well.
    assert post(client, "/admin/agencies/CITYENV/name", {"agency-name": "改名"}).status_code == 403
    assert post(client, "/admin/agencies", {"code": "EVIL", "name": "假机关"}).status_code == 403
    session.expire_all()
    names = dict(session.execute(select(Agency.code, Agency.name)).all())
    assert names == {"CITYHR": "示范市人力资源和社会保障局", "CITYENV": "示范市生态环境局"}
    listing = client.get("/admin/agencies").get_data(as_text=True)
    assert "CITYENV" in listing and "CITYHR" not in listing and "新建机关" not in listing


def test_b_admin_cannot_change_the_calendar(client: FlaskClient, scene: Scene, session: Any):
    login(client, scene.admin_b)
    day = {"day-day": "2025-06-12", "day-kind": "holiday", "day-name": "假日"}
    assert post(client, "/admin/calendar/days?year=2025", day).status_code == 403
    assert post(client, "/admin/calendar/days/2025-06-10/clear").status_code == 403
    assert post(client, "/admin/calendar/confirm?year=2099", {"confirm-note": "x"}).status_code == 403
    assert count(session, CalendarOverride) == 0
    page = client.get("/admin/calendar?year=2025")
    assert page.status_code == 200  # it may look
    html = page.get_data(as_text=True)
    assert "只有平台管理员可以修改" in html and 'name="day-day"' not in html and "可在下方录入" not in html


def test_b_admin_cannot_see_nor_deactivate_users_of_a(client: FlaskClient, scene: Scene, session: Any):
    p = scene.people
    login(client, scene.admin_b)
    page = client.get("/admin/users").get_data(as_text=True)
    assert p.stranger.email in page and p.officer.email not in page and p.platform.email not in page
    for target in (p.officer, p.head, p.platform):
        assert post(client, f"/admin/users/{target.id}/active", {"active": "0"}).status_code == 404
    session.expire_all()
    assert p.officer.active and p.head.active and p.platform.active


def test_a_token_b_admin_issued_for_its_officer_reads_nothing_of_a(
    client: FlaskClient, scene: Scene, session: Any
):
    p = scene.people
    login(client, scene.admin_b)
    token = token_in(issue(client, p.stranger))
    headers = {"Authorization": f"Bearer {token}"}
    number = scene.request_a.tracking_number
    assert client.get(f"/api/v1/requests/{number}", headers=headers).status_code == 404
    queue = client.get("/api/v1/queue", headers=headers)
    assert queue.status_code == 200 and "甲局申请人赵某" not in queue.get_data(as_text=True)
    comment = client.post(
        f"/api/v1/requests/{number}/actions", json={"action": "comment", "note": "冒充"}, headers=headers
    )
    assert comment.status_code == 404
    assert count(session, Event, Event.request_id == scene.request_a.id) == 1  # only its submission


# -- the history names who issued the token --------------------------------------------------------------


def test_a_comment_through_a_token_shows_its_issuer_in_the_history(
    client: FlaskClient, scene: Scene, session: Any
):
    p = scene.people
    login(client, p.admin)  # agency A's administrator issues its officer a token
    token = token_in(issue(client, p.officer, "门户网站"))
    number = scene.request_a.tracking_number
    answer = client.post(
        f"/api/v1/requests/{number}/actions",
        json={"action": "comment", "note": "经接口的意见"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    event = answer.json["events"][-1]
    assert event["actor"] == p.officer.email  # the actor is still the token's user
    assert event["token"]["issued_by"] == p.admin.email
    assert event["token"]["via"] == "经 系统管理员 签发的令牌" and event["token"]["label"] == "门户网站"
    row = session.scalars(select(Event).where(Event.note == "经接口的意见")).one()
    assert row.actor_id == p.officer.id and row.token is not None and row.token.issued_by_id == p.admin.id

    # On the staff page, the officer's own comment from the page names no token; the API's does.
    officer = client.application.test_client()
    login(officer, p.officer)
    response = post(officer, f"/staff/requests/{number}/actions/comment", {"comment-note": "页面上的意见"})
    assert response.status_code == 302
    html = officer.get(f"/staff/requests/{number}").get_data(as_text=True)
    assert re.search(
        r"刘经办（officer@hr.example）（经 系统管理员 签发的令牌）", html
    )  # by name, then the token
    assert html.count("签发的令牌") == 1
    page_event = session.scalars(select(Event).where(Event.note == "页面上的意见")).one()
    assert page_event.actor_id == p.officer.id and page_event.token_id is None


def test_a_registration_through_a_token_records_it(client: FlaskClient, scene: Scene, session: Any):
    """The intake writes its rows in one statement on PostgreSQL: the token is among them."""
    p = scene.people
    login(client, p.admin)
    token = token_in(issue(client, p.officer))
    body = {
        "agency": "CITYHR",
        "applicant": {
            "type": "natural_person",
            "name": "来信人",
            "id_number": VALID_RESIDENT_ID,
            "phone": "13900000000",
            "address": "示范市解放路8号",
        },
        "description": "信件申请",
        "delivery": "post",
        "channel": "letter",
        "received_on": dt.datetime.now(dt.UTC).date().isoformat(),
    }
    answer = client.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.json
    req = session.scalars(
        select(Request).where(Request.tracking_number == answer.json["tracking_number"])
    ).one()
    assert req.events[0].token is not None and req.events[0].token.issued_by_id == p.admin.id


# -- what each level still does --------------------------------------------------------------------------


def test_an_agency_admin_keeps_its_own_agency(client: FlaskClient, scene: Scene, session: Any):
    p = scene.people
    login(client, p.admin)
    response = post(
        client,
        "/admin/agencies/CITYHR/catalogue",
        {"catalogue-year": "2025", "catalogue-count": "7"},
    )
    assert response.status_code == 302
    html = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert "由平台管理员修改" in html and 'name="agency-name"' not in html
    assert 'name="documents-letterhead"' in html  # its letterhead and contact block are its own
    token = token_in(issue(client, p.head))
    assert token.startswith("gd_")
    tokens = client.get("/admin/tokens").get_data(as_text=True)
    assert "系统管理员" in tokens  # the issuer column
    assert post(client, f"/admin/users/{p.officer2.id}/active", {"active": "0"}).status_code == 302
    session.expire_all()
    assert not p.officer2.active and session.get(Agency, p.agency.id).catalogue_count(2025) == 7


def test_the_platform_admin_manages_everyone(client: FlaskClient, scene: Scene, session: Any):
    p = scene.people
    login(client, p.platform)
    assert post(client, "/admin/agencies/CITYHR/name", {"agency-name": "新名称局"}).status_code == 302
    token_in(issue(client, scene.admin_b))
    response = post(
        client, "/admin/users", {"email": "root2@example.gov.cn", "role": "admin", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    root2 = session.scalars(select(User).where(User.email == "root2@example.gov.cn")).one()
    assert authz.is_platform_admin(root2)
    page = client.get("/admin/users").get_data(as_text=True)
    assert all(u.email in page for u in (p.officer, p.stranger, scene.admin_b, root2))


# -- the rules themselves --------------------------------------------------------------------------------


def test_nobody_grants_more_than_they_hold(scene: Scene):
    p, b = scene.people, scene.admin_b
    a_agency, b_agency = p.agency, p.other_agency
    assert authz.may_grant(p.platform, "admin", [])  # the platform's makes platform administrators
    assert not authz.may_grant(p.admin, "admin", [])  # an agency's does not
    assert authz.may_grant(p.admin, "admin", [a_agency])
    assert not authz.may_grant(p.admin, "officer", [a_agency, b_agency])  # B is not its own
    assert not authz.may_grant(b, "officer", [a_agency])
    assert not authz.may_grant(p.head, "officer", [a_agency])  # not an administrator at all
    assert not authz.may_grant(p.admin, "root", [a_agency])
    assert authz.may_issue_token(p.admin, p.head) and not authz.may_issue_token(b, p.head)
    assert not authz.may_issue_token(p.admin, p.platform) and authz.may_issue_token(p.platform, p.platform)
    assert not authz.may_manage_user(p.admin, scene.admin_b)
    assert authz.may_edit_calendar(p.platform) and not authz.may_edit_calendar(p.admin)
    assert not authz.may_rename_agency(p.admin, a_agency) and authz.may_manage_agency(p.admin, a_agency)
    assert not authz.may_manage_agency(b, a_agency) and not authz.may_create_agency(b)


def test_a_user_of_two_agencies_is_managed_only_by_an_administrator_of_both(scene: Scene, session: Any):
    p = scene.people
    now = dt.datetime.now(dt.UTC)
    both = accounts.create_user(
        session, "both@example.gov.cn", role="officer", agencies=[p.agency, p.other_agency], now=now
    )
    wide = accounts.create_user(
        session, "wide@example.gov.cn", role="admin", agencies=[p.agency, p.other_agency], now=now
    )
    assert not authz.may_manage_user(p.admin, both) and not authz.may_issue_token(scene.admin_b, both)
    assert authz.may_manage_user(wide, both) and authz.may_manage_user(p.platform, both)
    assert authz.may_manage_user(wide, p.admin) and not authz.may_manage_user(p.admin, wide)


def test_an_administration_form_posted_without_a_session_is_refused_plainly(client: FlaskClient):
    """The pages' error answer for someone not logged in (the CSRF refusal) shows no level, and no 500."""
    response = client.post("/admin/users", data={"email": "x@example.gov.cn"})
    assert response.status_code == 400
