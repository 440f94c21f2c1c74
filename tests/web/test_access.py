"""Who may open which page: every staff and admin page refuses anonymous users (to the login page) and
other agencies' staff (404, as if the request did not exist); admin pages refuse officers and heads (403);
every form refuses a post without a valid CSRF token. Pages are found from the app's URL map, so a page
added later is checked too."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import VALID_RESIDENT_ID, People, make_request
from tests.web.conftest import csrf_token, login, post
from webapp.domain.calendar import china_today
from webapp.domain.states import Status
from webapp.models import Attachment, Event, Request

NOT_A_PAGE = {"/staff/reports/annex-two.css", "/staff/reports/annual.css"}


def page_rules(app: Flask, prefix: str) -> list[tuple[str, str]]:
    """(method, rule) of every page under a prefix."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix) or rule.rule in NOT_A_PAGE or rule.rule == "/staff/login":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


def fill(rule: str, req: Request | None = None, attachment_id: int = 1) -> str:
    tracking_number = req.tracking_number if req is not None else "CITYHR-2024-000001"
    filled = (
        rule.replace("<tracking_number>", tracking_number)
        .replace("<action>", "accept")
        .replace("<code>", "CITYHR")
        .replace("<int:year>", "2024")
        .replace("<day>", "2024-06-10")
        .replace("<fmt>", "csv")
        .replace(f"<int(max={2**31 - 1}):attachment_id>", str(attachment_id))
    ).replace(f"<int(max={2**31 - 1}):", "<id:")  # any other row id (users, tokens, groups…): 1
    return re.sub(r"<id:\w+>", "1", filled)


@pytest.fixture
def letter(session: Any, people: People) -> Request:
    now = dt.datetime.now(dt.UTC)
    req, _ = make_request(session, now, people.agency, received_on=china_today(now), officer=people.officer)
    session.commit()
    return req


def all_staff_rules(app: Flask) -> list[tuple[str, str]]:
    return page_rules(app, "/staff/") + page_rules(app, "/admin/")


def test_the_url_map_has_the_pages(app: Flask):
    rules = {rule for _, rule in all_staff_rules(app)}
    for page in ("/staff/queue", "/staff/requests/<tracking_number>", "/staff/register", "/staff/approvals"):
        assert page in rules
    for page in ("/admin/agencies", "/admin/users", "/admin/tokens", "/admin/calendar", "/staff/reports"):
        assert page in rules


def test_every_staff_and_admin_page_sends_anonymous_users_to_log_in(
    app: Flask, client: FlaskClient, people: People, letter: Request
):
    token = csrf_token(client)
    checked = 0
    for method, rule in all_staff_rules(app):
        if rule == "/staff/logout" or rule.startswith("/staff/password/"):
            continue  # a forgotten password's pages are for those who cannot log in (test_accounts.py)
        path = fill(rule, letter)
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.location.startswith("/staff/login"), (method, path, response.location)
        checked += 1
    assert checked > 20
    assert letter.status == Status.RECEIVED  # and nothing was done


def test_another_agencys_staff_see_none_of_its_requests(
    app: Flask, client: FlaskClient, people: People, letter: Request, session: Any
):
    for intruder in (people.stranger, people.stranger_head):
        login(client, intruder)
        token = csrf_token(client)
        for method, rule in all_staff_rules(app):
            if "<tracking_number>" not in rule:
                continue
            path = fill(rule, letter)
            data = {"csrf_token": token, "accept-csrf_token": token} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            # A head's page is refused to an officer by role first (403); all else is a 404.
            expected = 403 if intruder.role == "officer" and rule.startswith("/staff/approvals") else 404
            assert response.status_code == expected, (intruder.email, method, path, response.status_code)
        # Nor their lists: naming the agency is as if it did not exist.
        assert client.get("/staff/queue?agency=CITYHR").status_code == 404
        assert client.get("/staff/requests?agency=CITYHR").status_code == 404
        link = f'href="/staff/requests/{letter.tracking_number}"'
        assert link not in client.get("/staff/queue").text
        assert link not in client.get(f"/staff/requests?q={letter.tracking_number}").text
        post(client, "/staff/logout")
    session.refresh(letter)
    assert letter.status == Status.RECEIVED and len(letter.events) == 1


def test_admin_pages_refuse_officers_and_heads(app: Flask, client: FlaskClient, people: People):
    for user in (people.officer, people.head):
        login(client, user)
        token = csrf_token(client)
        for method, rule in page_rules(app, "/admin/"):
            response = client.open(
                fill(rule), method=method, data={"csrf_token": token} if method == "POST" else None
            )
            assert response.status_code == 403, (user.role, method, rule, response.status_code)
            assert "无权访问" in response.get_data(as_text=True)
        post(client, "/staff/logout")


def test_head_pages_refuse_officers(client: FlaskClient, people: People, letter: Request):
    login(client, people.officer)
    assert client.get("/staff/approvals").status_code == 403
    assert client.get("/staff/reports").status_code == 403
    assert post(client, f"/staff/approvals/{letter.tracking_number}/approve").status_code == 403
    assert post(client, f"/staff/approvals/{letter.tracking_number}/decline").status_code == 403


def test_the_citizens_request_pages_need_the_code_first(client: FlaskClient, people: People, letter: Request):
    for path in (
        f"/track/{letter.tracking_number}",
        f"/track/{letter.tracking_number}/attachments/1",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/track"
    for path in (f"/track/{letter.tracking_number}/correction", f"/track/{letter.tracking_number}/withdraw"):
        response = post(client, path, {"text": "x", "confirm": "y"})
        assert response.status_code == 302 and response.location == "/track"
    assert letter.status == Status.RECEIVED


# -- CSRF ------------------------------------------------------------------------------------------------


def all_form_posts(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")
    )


@pytest.mark.parametrize("bad_token", [None, "", "not-a-token", "other-session"])
def test_every_form_refuses_a_post_without_a_valid_csrf_token(
    app: Flask, client: FlaskClient, people: People, letter: Request, session: Any, bad_token: str | None
):
    if bad_token == "other-session":
        other = app.test_client()
        bad_token = csrf_token(other)
    login(client, people.admin)
    before = session.scalar(select(func.count()).select_from(Event))
    posts = all_form_posts(app)
    assert {"/apply", "/track", "/staff/login", "/staff/requests/<tracking_number>/actions/<action>"} <= set(
        posts
    )
    for rule in posts:
        data: dict[str, str] = {"email": people.admin.email, "password": "x", "note": "x"}
        if bad_token is not None:
            data["csrf_token"] = bad_token
        response = client.post(fill(rule, letter), data=data)
        assert response.status_code == 400, (rule, response.status_code)
        assert "页面已过期或表单无效" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Event)) == before
    # Still logged in: the refused logout did not log out.
    assert client.get("/staff/queue").status_code == 200


def test_the_json_api_takes_no_csrf_token(client: FlaskClient, people: People):
    response = client.post(
        "/api/v1/requests",
        json={
            "agency": "CITYHR",
            "applicant": {
                "type": "natural_person",
                "name": "张三",
                "id_number": VALID_RESIDENT_ID,
                "phone": "13900000000",
            },
            "description": "申请公开预算",
            "delivery": "pickup",
        },
    )
    assert response.status_code == 201


# -- the staff session --------------------------------------------------------------------------------


def test_login_starts_a_new_session_with_safe_cookie_flags(
    client: FlaskClient, people: People, letter: Request
):
    before = csrf_token(client)
    with client.session_transaction() as s:
        s["tracked"] = [letter.tracking_number]
    response = login(client, people.officer)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as s:
        assert "tracked" not in s  # nothing from before the login survives
    assert csrf_token(client) != before
    assert client.get("/staff/queue").status_code == 200


def test_a_wrong_password_and_an_unknown_email_answer_alike(client: FlaskClient, people: People):
    wrong = post(client, "/staff/login", {"email": people.officer.email, "password": "nope-nope"})
    unknown = post(client, "/staff/login", {"email": "nobody@hr.example", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "电子邮箱或密码不正确" in wrong.get_data(as_text=True)
    assert "电子邮箱或密码不正确" in unknown.get_data(as_text=True)
    assert client.get("/staff/queue").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(client: FlaskClient, people: People):
    response = post(
        client,
        "/staff/login?next=/staff/approvals",
        {"email": people.head.email, "password": "correct-horse-7"},
    )
    assert response.location == "/staff/approvals"
    post(client, "/staff/logout")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = post(
            client,
            f"/staff/login?next={target}",
            {"email": people.head.email, "password": "correct-horse-7"},
        )
        assert response.location == "/staff/queue", target
        post(client, "/staff/logout")


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(
    client: FlaskClient, people: People, session: Any, app: Flask
):
    login(client, people.officer)
    people.officer.active = False
    session.commit()
    assert client.get("/staff/queue").status_code == 302
    response = post(client, "/staff/login", {"email": people.officer.email, "password": "correct-horse-7"})
    assert response.status_code == 422


def test_a_changed_password_ends_the_users_sessions(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    people.officer.password_hash = people.officer.password_hash + "x"  # as a reset would
    session.commit()
    assert client.get("/staff/queue").status_code == 302


def test_logout_ends_the_session(client: FlaskClient, people: People):
    login(client, people.officer)
    assert client.get("/staff/logout").status_code == 405  # a link cannot log you out
    response = post(client, "/staff/logout")
    assert response.status_code == 302
    assert client.get("/staff/queue").status_code == 302


def test_attachments_of_another_request_are_not_served(
    client: FlaskClient, people: People, letter: Request, session: Any
):
    now = dt.datetime.now(dt.UTC)
    other, _ = make_request(session, now, people.agency, received_on=china_today(now), officer=people.officer)
    session.commit()
    login(client, people.officer)
    response = client.post(
        f"/staff/requests/{other.tracking_number}/attachments",
        data={"csrf_token": csrf_token(client), "attachments": [(io.BytesIO(b"%PDF-1.4 x"), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    att = session.scalars(select(Attachment).where(Attachment.request_id == other.id)).one()
    response = client.get(f"/staff/requests/{other.tracking_number}/attachments/{att.id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 x"
    response.close()
    assert client.get(f"/staff/requests/{letter.tracking_number}/attachments/{att.id}").status_code == 404
