"""A staff member's password (on the staff blueprint): changed on their account page with the current one
(every other session ends), or reset by an e-mailed single-use link that expires (webapp/domain/passwords.py;
docs/security.md §Password reset). Asking for a link answers alike whether or not the address has an
account, and is rate-limited per address (webapp/security.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, Length

from webapp.domain import passwords
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.web.auth import staff, staff_required
from webapp.web.common import now
from webapp.web.forms import TOO_LONG, PageForm, required, show_domain_errors, strip
from webapp.web.staff import bp, finish_login
from webapp.web.two_factor import PasswordChangeForm, account_page

MISMATCH = _l("两次输入的新密码不一致")


class ForgotForm(PageForm):
    email = EmailField(_l("电子邮箱"), [required(), Length(max=254, message=TOO_LONG)], filters=[strip])


class ResetForm(PageForm):
    new_password = PasswordField(_l("新密码"), [required()], description=_l("至少8位"))
    confirm = PasswordField(_l("再次输入新密码"), [required(), EqualTo("new_password", message=MISMATCH)])


@bp.post("/account/password")
@staff_required()
def account_password() -> Any:
    """The user's own new password; this browser stays logged in with a new session, every other ends."""
    form = PasswordChangeForm(prefix="password")
    if form.validate_on_submit():
        user = staff()
        try:
            passwords.change_password(
                db.session(), user, form.current_password.data or "", form.new_password.data or "", now=now()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
        else:
            db.session.commit()
            response = finish_login(user, url_for(".account"))  # a new session: the message after it
            flash(_l("密码已修改；其他设备上的登录已全部退出。"), "success")
            return response
    return account_page(password=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def password_forgot() -> Any:
    form = ForgotForm()
    sent = False
    if form.validate_on_submit():
        passwords.request_reset(db.session(), form.email.data or "", now=now())
        db.session.commit()
        sent = True  # the same answer whether or not the address has an account
    status = 422 if form.is_submitted() and not sent else 200
    return render_template("staff/password_forgot.html", form=form, sent=sent), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> Any:
    secret = str(current_app.config["SECRET_KEY"])
    alive = passwords.reset_for(db.session(), token[:100], secret=secret, now=now()) is not None
    form = ResetForm()
    if alive and form.validate_on_submit():
        try:
            passwords.complete_reset(
                db.session(), token, form.new_password.data or "", secret=secret, now=now()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, {"password": "new_password"})
        else:
            db.session.commit()
            flash(_l("密码已重置，请用新密码登录；其他设备上的登录已全部退出。"), "success")
            return redirect(url_for(".login"))
    status = 404 if not alive else 422 if form.is_submitted() else 200
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    return render_template("staff/password_reset.html", form=form, alive=alive), status, headers
