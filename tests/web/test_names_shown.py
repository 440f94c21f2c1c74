"""Staff pages name people by their display name, not their e-mail (the e-mail only when a user has no
name); the users list says 修改 / 停用 with the name for screen readers and the agencies by name; a user
is deactivated only after a page that says what it does; a new user's agency is chosen for an
administrator who manages one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_english_pages import Text
from tests.web.test_staff import letter
from webapp.domain.requests import act


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_the_head_sees_who_proposed_and_who_made_each_document_by_name(
    client: FlaskClient, people: People, session: Any
):
    req = letter(session, people)
    moment = dt.datetime.now(dt.UTC)
    act(session, req, "assign", people.head, now=moment, assignee=people.officer.email)
    act(session, req, "propose_extension", people.officer, now=moment, days=5, reason="档案在外地")
    session.commit()
    login(client, people.head)
    approvals = visible(client.get("/staff/approvals").get_data(as_text=True))
    assert "刘经办" in approvals and "officer@hr.example" not in approvals
    html = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert "经办人 刘经办" in visible(html)
    start = html.index('id="documents"')
    documents = visible(html[start : html.index("</section>", start)])
    assert "· 刘经办" in documents and "officer@hr.example" not in documents


def test_the_users_list_names_agencies_and_users_and_asks_before_deactivating(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.admin)
    html = client.get("/admin/users").get_data(as_text=True)
    text = visible(html)
    assert not re.search(r">(修改|停用|启用) [^<]*@", html)  # no e-mail in the links' text
    assert 'aria-label="停用 陈主任">停用</a>' in html and 'aria-label="修改 陈主任">修改</a>' in html
    assert "示范市人力资源和社会保障局" in text and not re.search(r">\s*CITYHR\s*<", html)
    # The one agency this administrator manages is chosen already on the new-user form.
    assert re.search(
        rf'<input checked[^>]*name="agencies"[^>]*value="{people.agency.id}"', html
    ) or re.search(rf'<input[^>]*name="agencies"[^>]*value="{people.agency.id}"[^>]*checked', html)
    # 停用 leads to a page that says what it does; only its button deactivates.
    confirm = client.get(f"/admin/users/{people.head.id}/deactivate")
    page = visible(confirm.get_data(as_text=True))
    assert confirm.status_code == 200 and "陈主任" in page and "不能再登录" in page
    session.refresh(people.head)
    assert people.head.active
    assert f'action="/admin/users/{people.head.id}/active"' in confirm.get_data(as_text=True)
    done = post(client, f"/admin/users/{people.head.id}/active", {"active": "0"})
    assert "已停用 陈主任" in client.get(done.location).get_data(as_text=True)
    session.refresh(people.head)
    assert not people.head.active
    again = client.get("/admin/users").get_data(as_text=True)
    assert 'aria-label="启用 陈主任">启用</button>' in again


def test_the_platform_administrator_chooses_the_agency_among_several(client: FlaskClient, people: People):
    login(client, people.platform)
    html = client.get("/admin/users").get_data(as_text=True)
    assert not re.search(r'<input[^>]*name="agencies"[^>]*checked', html)
    assert not re.search(r'<input checked[^>]*name="agencies"', html)


def test_the_history_keeps_the_name_a_user_had_when_they_acted(
    client: FlaskClient, people: People, session: Any
):
    req = letter(session, people)
    act(session, req, "comment", people.officer, now=dt.datetime.now(dt.UTC), note="已电话联系申请人")
    session.commit()
    login(client, people.admin)
    renamed = post(
        client,
        f"/admin/users/{people.officer.id}",
        {"name": "刘科长", "role": "officer", "agencies": str(people.agency.id)},
    )
    assert renamed.status_code == 302
    officer = client.application.test_client()
    login(officer, people.officer)
    act(session, req, "comment", people.officer, now=dt.datetime.now(dt.UTC), note="已寄出材料")
    session.commit()
    page = visible(officer.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True))
    assert "已电话联系申请人 刘经办（officer@hr.example）" in page  # as it was when they commented
    assert "已寄出材料 刘科长（officer@hr.example）" in page
