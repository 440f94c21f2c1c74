"""Staff accounts on the pages: a user's own password changed (the current one asked, every other
session ended), reset by an e-mailed single-use link that expires (the same answer for any address,
rate-limited), an administrator editing a user's name, role and agencies within their own walls, and the
history naming who did what."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import app_config
from tests.factories import PASSWORD, People, make_request
from tests.web.conftest import csrf_token, login, post
from webapp import create_app
from webapp.domain.notices import MailOptions, compose
from webapp.domain.requests import act
from webapp.extensions import db
from webapp.models import OutboxMessage, PasswordReset, User

NEW = "a-new-password-7"


def reset_link(session: Any, app: Flask, user: User) -> str:
    """The link of the user's latest reset e-mail, as the relay writes it."""
    row = (
        session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "account").order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    letter = compose(
        session, row, MailOptions(public_url="http://localhost"), secret=app.config["SECRET_KEY"]
    )
    assert letter.to == [user.email]
    match = re.search(r"http://localhost(/staff/password/reset/\S+)", letter.body)
    assert match
    return match.group(1)


def test_changing_ones_password_ends_the_other_sessions(app: Flask, client: FlaskClient, people: People):
    elsewhere = app.test_client()
    login(elsewhere, people.officer)
    login(client, people.officer)
    assert "修改密码" in client.get("/staff/account").text
    wrong = post(
        client,
        "/staff/account/password",
        {"password-current_password": "nope", "password-new_password": NEW, "password-confirm": NEW},
    )
    assert wrong.status_code == 422 and re.search(
        r'id="password-current_password-error">.*当前密码不正确', wrong.text
    )
    mismatch = post(
        client,
        "/staff/account/password",
        {
            "password-current_password": PASSWORD,
            "password-new_password": NEW,
            "password-confirm": "other-1234",
        },
    )
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    done = post(
        client,
        "/staff/account/password",
        {"password-current_password": PASSWORD, "password-new_password": NEW, "password-confirm": NEW},
    )
    assert done.status_code == 302 and done.location == "/staff/account"
    assert "密码已修改" in client.get("/staff/account").text  # this browser stays in
    assert elsewhere.get("/staff/account").status_code == 302  # the other is sent to log in
    fresh = app.test_client()
    assert (
        post(fresh, "/staff/login", {"email": people.officer.email, "password": PASSWORD}).status_code == 422
    )
    login(fresh, people.officer, NEW)


def test_a_reset_link_is_sent_alike_opens_once_and_expires(
    app: Flask, client: FlaskClient, people: People, session: Any
):
    assert "忘记密码" in client.get("/staff/login").text
    answers = []
    for email in ("nobody@example.gov.cn", people.officer.email):
        response = post(client, "/staff/password/forgot", {"email": email})
        answers.append((response.status_code, re.sub(r'value="[^"]+"', "", response.text)))
    assert answers[0] == answers[1] and answers[0][0] == 200 and "重置链接的邮件已经发出" in answers[0][1]
    assert session.scalar(select(PasswordReset.user_id)) == people.officer.id  # one link, for the officer

    other = app.test_client()
    login(other, people.officer)
    link = reset_link(session, app, people.officer)
    assert client.get(link).status_code == 200
    short = post(client, link, {"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and re.search(r'id="new_password-error">.*至少8位', short.text)
    done = post(client, link, {"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location == "/staff/login"
    assert other.get("/staff/account").status_code == 302  # every session ended
    login(app.test_client(), people.officer, NEW)
    again = client.get(link)
    assert again.status_code == 404 and "链接无效、已使用或已过期" in again.text
    assert (
        post(client, link, {"new_password": "another-pass-1", "confirm": "another-pass-1"}).status_code == 404
    )

    # A link past its 30 minutes opens nothing.
    post(client, "/staff/password/forgot", {"email": people.head.email})
    late = reset_link(session, app, people.head)
    reset = session.execute(select(PasswordReset).where(PasswordReset.user_id == people.head.id)).scalar_one()
    reset.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    assert client.get(late).status_code == 404
    assert client.get("/staff/password/reset/1." + "0" * 64).status_code == 404


@pytest.fixture
def limited(database_url: str, tmp_path: Any) -> Iterator[FlaskClient]:
    app = create_app({**app_config(database_url, tmp_path), "RATELIMIT_ENABLED": True})
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_asking_for_links_is_rate_limited_per_address(limited: FlaskClient, session: Any, people: People):
    token = csrf_token(limited, "/staff/password/forgot")
    codes = [
        limited.post(
            "/staff/password/forgot", data={"csrf_token": token, "email": f"x{i}@example.gov.cn"}
        ).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_an_administrator_edits_a_user_within_their_walls(client: FlaskClient, people: People, session: Any):
    login(client, people.admin)  # agency CITYHR's administrator
    page = client.get(f"/admin/users/{people.officer.id}")
    assert page.status_code == 200 and "示范市生态环境局" not in page.text  # only its own agencies offered
    done = post(
        client,
        f"/admin/users/{people.officer.id}",
        {"name": "刘科长", "role": "head", "agencies": str(people.agency.id)},
    )
    assert done.status_code == 302 and "已保存 刘科长 的信息" in client.get("/admin/users").text
    session.refresh(people.officer)
    assert (people.officer.name, people.officer.role) == ("刘科长", "head")
    outside = post(
        client,
        f"/admin/users/{people.officer.id}",
        {"name": "x", "role": "officer", "agencies": str(people.other_agency.id)},
    )
    assert outside.status_code == 422
    root = post(client, f"/admin/users/{people.officer.id}", {"name": "x", "role": "admin"})
    assert root.status_code == 422 and "请至少选择一个您管理的机关" in root.text
    assert client.get(f"/admin/users/{people.stranger.id}").status_code == 404  # another agency's
    assert client.get(f"/admin/users/{people.platform.id}").status_code == 404
    session.refresh(people.officer)
    assert people.officer.role == "head" and [a.code for a in people.officer.agencies] == ["CITYHR"]
    own = post(
        client,
        f"/admin/users/{people.admin.id}",
        {"name": "我", "role": "officer", "agencies": str(people.agency.id)},
    )
    assert own.status_code == 422 and "不能修改自己的角色和所属机关" in own.text


def test_the_history_names_who_did_what(client: FlaskClient, people: People, session: Any):
    moment = dt.datetime.now(dt.UTC)
    req, _ = make_request(session, moment, people.agency, channel="online")
    act(session, req, "assign", people.head, now=moment, assignee=people.officer.email)
    session.commit()
    login(client, people.officer)
    page = client.get(f"/staff/requests/{req.tracking_number}").text
    assert "指派给 刘经办（officer@hr.example）" in page
    assert "申请人或系统" not in page
    history = page[page.index('id="history-h"') :]
    assert f"{people.head.email}" in history and "申请人 ·" in history  # the online submission: the applicant
