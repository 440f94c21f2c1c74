"""Two-factor sign-in on the pages: enrolment from the user's own page, the login's second step with a
code or a recovery code, replays refused, wrong codes counted toward the lockout, who must enrol
(STAFF_2FA and the agency's requirement), switching it off and new recovery codes with the password,
an administrator's reset. The test app runs with STAFF_2FA=off; each test here sets what it needs."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, PASSWORD_HASH, People, make_user
from tests.web.conftest import login, post
from webapp.domain import totp
from webapp.domain import two_factor as tf
from webapp.domain.accounts import LOCK_AFTER, issue_token
from webapp.models import User

SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
RECOVERY = re.compile(r'<li><code class="code">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code></li>')


@pytest.fixture
def two_factor(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The product's default: administrators (and agencies that require it) must use it."""
    monkeypatch.setitem(app.config, "STAFF_2FA", "admins")
    return app


def code(secret: str, steps: int = 0) -> str:
    """The code an authenticator app shows `steps` periods from now (the window takes -1, 0 and 1).

    Like a person who sees the code about to change, it waits for the next period when fewer than five
    seconds of this one are left, so the code is still in the window when a busy server checks it."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    return totp.code_at(secret, time.time() + 30 * steps)


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Enrol the logged-in user as a person would: read the secret off the page, type its code."""
    page = client.get("/staff/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns' in html  # the QR code, drawn here
    match = SECRET.search(html)
    assert match
    secret = match.group(1).replace(" ", "")
    done = post(client, "/staff/account/two-factor", {"code": code(secret, -1)})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = RECOVERY.findall(done.get_data(as_text=True))
    assert len(codes) == tf.RECOVERY_CODES
    return secret, codes


def logout(client: FlaskClient) -> None:
    assert post(client, "/staff/logout").status_code == 302


def second_step(client: FlaskClient, typed: str) -> TestResponse:
    return post(client, "/staff/login/code", {"code": typed})


def logged_in(client: FlaskClient) -> bool:
    return client.get("/staff/account").status_code == 200


def test_an_administrator_is_sent_to_enrolment_before_any_page(
    two_factor: Flask, client: FlaskClient, people: People, session: Any
):
    response = login(client, people.admin)
    assert response.location == "/staff/account/two-factor"
    for page in ("/admin/", "/admin/users", "/staff/queue", "/staff/account", "/staff/requests"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.location == "/staff/account/two-factor", page
    assert post(client, "/admin/agencies", {"code": "NEW", "name": "新机关"}).location == (
        "/staff/account/two-factor"
    )
    page = client.get("/staff/account/two-factor").get_data(as_text=True)
    assert "您的账号须使用两步验证" in page
    enrol(client)
    assert client.get("/admin/").status_code == 200
    # an officer of an agency that does not require it is not stopped
    logout(client)
    login(client, people.officer)
    assert client.get("/staff/queue").status_code == 200


def test_bearer_tokens_are_unaffected(two_factor: Flask, client: FlaskClient, people: People, session: Any):
    token = issue_token(session, people.admin, now=dt.datetime.now(dt.UTC))
    session.commit()
    assert not tf.enrolled(people.admin)
    response = client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_login_with_a_code_after_the_password(
    two_factor: Flask, client: FlaskClient, people: People, session
):
    login(client, people.admin)
    secret, _ = enrol(client)
    logout(client)

    response = login(client, people.admin)
    assert response.location == "/staff/login/code"
    # half logged in: nothing but the code page and logout
    for page in ("/staff/queue", "/admin/", "/staff/account", "/staff/account/two-factor"):
        response = client.get(page)
        assert response.status_code == 302 and response.location.startswith("/staff/login?"), page
    assert client.get("/staff/login/code").status_code == 200

    wrong = "000000" if code(secret, 1) != "000000" else "111111"
    response = second_step(client, wrong)
    assert response.status_code == 422
    assert "验证码不正确或已使用过" in response.get_data(as_text=True)
    response = second_step(client, code(secret, 1))
    assert response.status_code == 302 and response.location == "/staff/queue"
    assert logged_in(client)
    assert client.get("/admin/").status_code == 200
    session.refresh(people.admin)
    assert people.admin.failed_logins == 0


def test_a_used_code_is_refused_again(two_factor: Flask, client: FlaskClient, people: People, session):
    login(client, people.officer)  # not required: enrols of their own accord
    assert client.get("/staff/queue").status_code == 200
    secret, _ = enrol(client)
    logout(client)
    login(client, people.officer)
    # the code that confirmed the enrolment is used up
    assert second_step(client, code(secret, -1)).status_code == 422
    used = code(secret, 0)
    assert second_step(client, used).status_code == 302
    logout(client)
    login(client, people.officer)
    assert second_step(client, used).status_code == 422  # the same code, still within its window
    assert not logged_in(client)
    assert second_step(client, code(secret, 1)).status_code == 302


def test_a_recovery_code_opens_once(two_factor: Flask, client: FlaskClient, people: People, session):
    login(client, people.admin)
    _, codes = enrol(client)
    logout(client)
    login(client, people.admin)
    response = second_step(client, codes[0].lower())
    assert response.status_code == 302
    assert f"还剩 {tf.RECOVERY_CODES - 1} 个" in client.get(response.location).get_data(as_text=True)
    logout(client)
    login(client, people.admin)
    assert second_step(client, codes[0]).status_code == 422
    assert second_step(client, codes[1]).status_code == 302


def test_wrong_codes_count_toward_the_lockout(
    two_factor: Flask, client: FlaskClient, people: People, session
):
    login(client, people.officer)
    secret, _ = enrol(client)
    logout(client)
    client.delete_cookie("gd_device")  # someone who has the password, on another browser
    wrong = next(c for c in ("000000", "111111", "222222") if c not in {code(secret, k) for k in (-1, 0, 1)})
    login(client, people.officer)
    for _ in range(LOCK_AFTER - 1):
        assert second_step(client, wrong).status_code == 422
    # a right password again does not start the count afresh
    login(client, people.officer)
    response = second_step(client, wrong)
    assert response.status_code == 429
    assert "已暂时锁定" in response.get_data(as_text=True)
    session.refresh(people.officer)
    assert people.officer.failed_logins == LOCK_AFTER
    # the half-login is over, and the account is locked: not even the password opens it now
    assert client.get("/staff/login/code").location == "/staff/login"
    assert (
        post(client, "/staff/login", {"email": people.officer.email, "password": PASSWORD}).status_code == 429
    )


def test_an_agency_can_require_it_of_its_officers_and_heads(
    two_factor: Flask, client: FlaskClient, people: People, session
):
    login(client, people.admin)
    admin_secret, _ = enrol(client)
    page = client.get("/admin/agencies/CITYHR").get_data(as_text=True)
    assert "要求本机关的经办人和负责人使用两步验证" in page
    response = post(client, "/admin/agencies/CITYHR/two-factor", {"two-factor-required": "y"})
    assert response.status_code == 302
    session.refresh(people.agency)
    assert people.agency.staff_2fa_required
    # another agency's setting is not this administrator's
    assert post(client, "/admin/agencies/CITYENV/two-factor", {"two-factor-required": "y"}).status_code == 404
    session.refresh(people.other_agency)
    assert not people.other_agency.staff_2fa_required
    logout(client)

    assert login(client, people.head).location == "/staff/account/two-factor"
    assert client.get("/staff/queue").location == "/staff/account/two-factor"
    logout(client)
    assert login(client, people.stranger).location == "/staff/queue"  # CITYENV requires nothing
    assert client.get("/staff/queue").status_code == 200
    logout(client)

    login(client, people.admin)
    assert second_step(client, code(admin_secret, 1)).status_code == 302
    assert post(client, "/admin/agencies/CITYHR/two-factor", {}).status_code == 302  # unticked
    session.refresh(people.agency)
    assert not people.agency.staff_2fa_required


def test_everyone_must_enrol_with_all(app: Flask, client: FlaskClient, people: People, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_2FA", "all")
    assert login(client, people.officer).location == "/staff/account/two-factor"
    assert client.get("/staff/queue").location == "/staff/account/two-factor"


def test_off_asks_nobody(app: Flask, client: FlaskClient, people: People, session, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_2FA", "admins")
    login(client, people.admin)
    enrol(client)
    logout(client)
    monkeypatch.setitem(app.config, "STAFF_2FA", "off")
    assert login(client, people.admin).location == "/staff/queue"  # no code asked, though enrolled
    assert client.get("/admin/").status_code == 200
    assert client.get("/staff/account/two-factor").location == "/staff/account"
    assert "本系统未启用两步验证" in client.get("/staff/account").get_data(as_text=True)
    assert "要求本机关的经办人和负责人" not in client.get("/admin/agencies/CITYHR").get_data(as_text=True)


def test_new_recovery_codes_and_switching_off_need_the_password(
    two_factor: Flask, client: FlaskClient, people: People, session
):
    login(client, people.officer)
    _, old = enrol(client)
    page = client.get("/staff/account").get_data(as_text=True)
    assert f"未使用的恢复码：{tf.RECOVERY_CODES} 个" in page

    response = post(client, "/staff/account/two-factor/recovery-codes", {"regenerate-password": "wrong-one"})
    assert response.status_code == 422
    assert "密码不正确" in response.get_data(as_text=True)
    response = post(client, "/staff/account/two-factor/recovery-codes", {"regenerate-password": PASSWORD})
    assert response.status_code == 200
    new = RECOVERY.findall(response.get_data(as_text=True))
    assert len(new) == tf.RECOVERY_CODES and not set(new) & set(old)

    response = post(client, "/staff/account/two-factor/disable", {"disable-password": ""})
    assert response.status_code == 422
    session.refresh(people.officer)
    assert tf.enrolled(people.officer)
    response = post(client, "/staff/account/two-factor/disable", {"disable-password": PASSWORD})
    assert response.location == "/staff/account"
    session.refresh(people.officer)
    assert not tf.enrolled(people.officer) and people.officer.totp_secret is None
    logout(client)
    assert login(client, people.officer).location == "/staff/queue"  # the password alone again

    # the old recovery codes died with the regeneration: enrol again, they still do not open
    _, fresh = enrol(client)
    logout(client)
    login(client, people.officer)
    assert second_step(client, old[0]).status_code == 422
    assert second_step(client, new[0]).status_code == 422
    assert second_step(client, fresh[0]).status_code == 302


def test_an_administrator_resets_a_users_second_factor(
    two_factor: Flask, app: Flask, client: FlaskClient, people: People, session
):
    login(client, people.officer)
    enrol(client)
    officer_browser = app.test_client()
    login(officer_browser, people.officer)
    assert officer_browser.get("/staff/login/code").status_code == 200
    logout(client)

    other_admin = make_user(
        session, dt.datetime.now(dt.UTC), people.other_agency, "admin", "admin@env.example"
    )
    other_admin.password_hash = PASSWORD_HASH
    session.commit()
    login(client, other_admin)
    enrol(client)
    assert "重置 刘经办 的两步验证" not in client.get("/admin/users").get_data(as_text=True)
    response = post(client, f"/admin/users/{people.officer.id}/two-factor/reset")
    assert response.status_code == 404  # not one of this administrator's users
    logout(client)

    login(client, people.admin)
    enrol(client)
    assert "重置 刘经办 的两步验证" in client.get("/admin/users").get_data(as_text=True)
    response = post(client, f"/admin/users/{people.officer.id}/two-factor/reset")
    assert response.location == "/admin/users"
    user = session.get(User, people.officer.id)
    session.refresh(user)
    assert not tf.enrolled(user)
    # the half-login begun before the reset is over
    assert officer_browser.get("/staff/login/code").location == "/staff/login"
    logout(client)
    assert login(client, people.officer).location == "/staff/queue"


def test_the_reset_command_lets_a_platform_administrator_in_who_lost_everything(
    two_factor: Flask, app: Flask, client: FlaskClient, people: People, session
):
    login(client, people.admin)
    enrol(client)
    logout(client)
    login(client, people.admin)  # the phone and the recovery codes are gone: stuck at the code page
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-2fa", "ADMIN@hr.example"])
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    assert client.get("/staff/login/code").location == "/staff/login"
    assert login(client, people.admin).location == "/staff/account/two-factor"  # enrols again
    unknown = runner.invoke(args=["reset-2fa", "nobody@hr.example"])
    assert unknown.exit_code != 0 and "unknown user" in unknown.output
