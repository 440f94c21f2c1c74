"""A staff member's password (webapp/domain/passwords.py): changed with the current one, reset by an
e-mailed link that is single-use, expires, goes through the outbox and is asked for at most three times an
hour; and a user's name, role and agencies edited (webapp/domain/accounts.py update_user)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, PASSWORD_HASH
from webapp.domain import accounts, passwords
from webapp.domain.errors import ValidationError
from webapp.domain.notices import MailOptions, compose
from webapp.models import OutboxMessage, PasswordReset

SECRET = "test-secret"
URL = "https://disclosure.example.gov.cn"


def outbox(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)))


@pytest.fixture
def officer(world: Any) -> Any:
    user = world["officer"]
    user.password_hash, user.name = PASSWORD_HASH, "刘经办"
    return user


def test_a_link_is_queued_for_a_known_address_only(session: Any, now: dt.datetime, officer: Any):
    before = outbox(session)
    assert passwords.request_reset(session, "nobody@hr.example", now=now) is None
    assert outbox(session) == before
    reset = passwords.request_reset(session, " Officer@HR.example ", now=now)
    assert (
        reset is not None and reset.user_id == officer.id and reset.expires_at == now + passwords.RESET_VALID
    )
    row = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "account")).scalar_one()
    assert row.payload == {"notice": "password_reset", "reset_id": reset.id}  # ids only, no token
    letter = compose(session, row, MailOptions(public_url=URL), secret=SECRET, now=now)
    token = passwords.token_of(reset, SECRET)
    assert letter.to == [officer.email] and f"{URL}/staff/password/reset/{token}" in letter.body
    assert "30分钟" in letter.body and reset.nonce not in letter.body
    officer.active = False
    assert passwords.request_reset(session, officer.email, now=now) is None


def test_at_most_three_links_an_hour(session: Any, now: dt.datetime, officer: Any):
    for minute in range(3):
        assert passwords.request_reset(session, officer.email, now=now + dt.timedelta(minutes=minute))
    assert passwords.request_reset(session, officer.email, now=now + dt.timedelta(minutes=10)) is None
    assert passwords.request_reset(session, officer.email, now=now + dt.timedelta(minutes=61))


def test_the_link_opens_once_before_it_expires(session: Any, now: dt.datetime, officer: Any):
    reset = passwords.request_reset(session, officer.email, now=now)
    other = passwords.request_reset(session, officer.email, now=now)
    assert reset is not None and other is not None
    token = passwords.token_of(reset, SECRET)
    assert passwords.reset_for(session, token, secret="another-secret", now=now) is None
    changed = token[:-1] + ("1" if token.endswith("0") else "0")  # one character other than it was
    assert passwords.reset_for(session, changed, secret=SECRET, now=now) is None
    assert passwords.reset_for(session, "x." + token[2:], secret=SECRET, now=now) is None
    late = now + passwords.RESET_VALID
    assert passwords.reset_for(session, token, secret=SECRET, now=late) is None  # expired
    with pytest.raises(ValidationError) as err:
        passwords.complete_reset(session, token, "short", secret=SECRET, now=now)
    assert list(err.value.fields) == ["password"]
    generation = officer.session_generation or 0
    assert passwords.complete_reset(session, token, "a-new-password-1", secret=SECRET, now=now) is officer
    assert accounts.verify_password(officer.password_hash, "a-new-password-1")
    assert officer.session_generation == generation + 1  # every session ends
    session.expire_all()
    assert session.get(PasswordReset, reset.id).used_at is not None
    for used in (token, passwords.token_of(other, SECRET)):  # this link and every other of the user
        with pytest.raises(ValidationError) as err:
            passwords.complete_reset(session, used, "another-password", secret=SECRET, now=now)
        assert list(err.value.fields) == ["token"]
    row = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "account")).scalars().first()
    assert (
        compose(session, row, MailOptions(public_url=URL), secret=SECRET, now=now).to == []
    )  # a dead link is not sent


def test_changing_ones_own_password_needs_the_current_one(session: Any, now: dt.datetime, officer: Any):
    link = passwords.request_reset(session, officer.email, now=now)
    for current, new, field in [
        ("wrong-password", "a-new-password-1", "current_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, PASSWORD, "new_password"),
    ]:
        with pytest.raises(ValidationError) as err:
            passwords.change_password(session, officer, current, new, now=now)
        assert list(err.value.fields) == [field]
    generation = officer.session_generation or 0
    passwords.change_password(session, officer, PASSWORD, "a-new-password-1", now=now)
    assert accounts.verify_password(officer.password_hash, "a-new-password-1")
    assert officer.session_generation == generation + 1
    assert (
        link is not None
        and passwords.reset_for(session, passwords.token_of(link, SECRET), secret=SECRET, now=now) is None
    )


def test_a_users_name_role_and_agencies_are_edited(session: Any, world: Any):
    officer, admin = world["officer"], world["admin"]
    changed = accounts.update_user(
        session,
        officer,
        name=" 王处长 ",
        role="head",
        agencies=[world["agency"], world["other"]],
        actor=admin,
    )
    assert changed == ["name", "role", "agencies"] and officer.name == "王处长" and officer.role == "head"
    assert {a.code for a in officer.agencies} == {"CITYHR", "CITYENV"}
    assert (
        accounts.update_user(
            session, officer, name="王处长", role="head", agencies=list(officer.agencies), actor=admin
        )
        == []
    )
    with pytest.raises(ValidationError) as err:
        accounts.update_user(session, officer, name="", role="officer", agencies=[], actor=admin)
    assert list(err.value.fields) == ["agencies"]
    with pytest.raises(ValidationError) as err:
        accounts.update_user(session, officer, name="", role="boss", agencies=[world["agency"]], actor=admin)
    assert list(err.value.fields) == ["role"]
    with pytest.raises(ValidationError) as err:  # an administrator never demotes themselves
        accounts.update_user(session, admin, name="", role="officer", agencies=[world["agency"]], actor=admin)
    assert list(err.value.fields) == ["role"]
    accounts.update_user(session, admin, name="平台管理员", role="admin", agencies=[], actor=admin)
    assert admin.name == "平台管理员"
