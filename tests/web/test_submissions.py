"""One request per submission (docs/rules.md §One request per submission), through the test client: the
form token is single use, the same form sent again from the same browser opens the request it made, a
concurrent double submission makes one request; and a refused form says its files were not kept."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_citizen import PNG, application
from tests.web.test_staff import registration
from webapp.domain.idempotency import spend_form_token, spent_form_token
from webapp.models import Request
from webapp.web import submissions

TOKEN_FIELD = re.compile(r'name="form_token" type="hidden" value="([A-Za-z0-9_-]+)"')


def count(session: Any) -> int:
    return int(session.execute(select(func.count()).select_from(Request)).scalar_one())


def form_token(client: FlaskClient, page: str) -> str:
    match = TOKEN_FIELD.search(client.get(page).get_data(as_text=True))
    assert match, "no form token on the page"
    return match.group(1)


def test_a_form_token_makes_one_request(client: FlaskClient, people: People, session: Any):
    token = form_token(client, "/apply")
    first = post(client, "/apply", application(form_token=token))
    assert first.status_code == 302 and first.location == "/apply/receipt"
    number = session.scalars(select(Request)).one().tracking_number
    # The same page sent again, even from another browser (no session): no second request.
    other = client.application.test_client()
    again = post(other, "/apply", application(form_token=token, description="改了几个字再交"))
    assert again.status_code == 302 and again.location == "/track"
    assert count(session) == 1
    page = other.get("/track").get_data(as_text=True)
    assert "已经提交过" in page and number in page
    # From the browser that sent it: its receipt again.
    same = post(client, "/apply", application(form_token=token))
    assert same.location == "/apply/receipt"
    assert "已经提交过" in client.get("/apply/receipt").get_data(as_text=True)
    assert count(session) == 1


def test_a_fresh_page_has_a_fresh_token_and_the_same_content_is_caught(
    client: FlaskClient, people: People, session: Any
):
    first, second = form_token(client, "/apply"), form_token(client, "/apply")
    assert first != second
    assert post(client, "/apply", application(form_token=first)).location == "/apply/receipt"
    # Back, the page fetched again with a new token, the same answers typed again: the same request.
    assert post(client, "/apply", application(form_token=second)).location == "/apply/receipt"
    assert count(session) == 1
    # Another application from the same browser is one of its own.
    other = application(form_token=second, description="申请公开2024年度部门决算")
    assert post(client, "/apply", other).location == "/apply/receipt"
    assert count(session) == 2


def test_a_token_is_spent_once_even_at_the_same_time(app: Any, session: Any, now: Any):
    token = "t" * 10 + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    spend_form_token(session, token, "CITYHR-2026-000001", secret="s", now=now)
    assert spent_form_token(session, token, secret="s", now=now) == "CITYHR-2026-000001"
    assert spent_form_token(session, "x" * 40, secret="s", now=now) is None
    assert spent_form_token(session, "short", secret="s", now=now) is None
    # the unique hash: the second of two at once fails and is rolled back with its request
    with pytest.raises(IntegrityError), session.begin_nested():
        spend_form_token(session, token, "CITYHR-2026-000002", secret="s", now=now)


def test_a_registration_sent_twice_is_registered_once(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    token = form_token(client, "/staff/register")
    assert post(client, "/staff/register", registration(form_token=token)).status_code == 302
    number = session.scalars(select(Request)).one().tracking_number
    again = post(client, "/staff/register", registration(form_token=token))
    assert again.location == f"/staff/requests/{number}"
    assert count(session) == 1


@pytest.mark.parametrize(
    ("page", "login_as", "made_at"),
    [("/apply", None, "/track"), ("/staff/register", "officer", "/staff/requests/{number}")],
)
def test_the_second_of_two_at_once_opens_the_request_the_first_made(
    client: FlaskClient,
    people: People,
    session: Any,
    monkeypatch: Any,
    page: str,
    login_as: Any,
    made_at: str,
):
    if login_as:
        login(client, getattr(people, login_as))
    fields = application if page == "/apply" else registration
    token = form_token(client, page)
    assert post(client, page, fields(form_token=token)).status_code == 302
    number = session.scalars(select(Request)).one().tracking_number
    # The second passed the check before the first spent the token: spending it fails on the unique index.
    real, calls = submissions.earlier, []

    def missed_once(form: Any) -> str | None:
        calls.append(form)
        return None if len(calls) == 1 else real(form)

    monkeypatch.setattr(submissions, "earlier", missed_once)
    other = client.application.test_client()
    if login_as:
        login(other, getattr(people, login_as))
    again = post(other, page, fields(form_token=token))
    assert again.status_code == 302 and again.location == made_at.format(number=number)
    assert len(calls) == 2 and count(session) == 1
    assert number in other.get(again.location).get_data(as_text=True)


def test_a_refused_form_says_its_files_were_not_kept(client: FlaskClient, people: People, session: Any):
    response = post(
        client,
        "/apply",
        {**application(phone="abc"), "attachments": [(io.BytesIO(PNG), "身份证.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="attachments-error">.*所选附件没有保存.*重新选择附件', html)
    assert count(session) == 0
