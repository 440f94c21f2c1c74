"""Two-factor sign-in on the pages (webapp/domain/two_factor.py): the login's second step
(/staff/login/code), the user's own account page with enrolment, new recovery codes and switching it off
(/staff/account…), an administrator's reset of a user's second factor and an agency's requirement.

Until a required user has enrolled, every staff and administration page sends them to enrolment
(`enforce_enrolment`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import segno
from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo, Length

from webapp import authz
from webapp.domain import accounts, totp
from webapp.domain import two_factor as tf
from webapp.domain.dates import china_time
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency, User
from webapp.models.base import MAX_ID
from webapp.web import admin
from webapp.web.auth import end_second_step, known_device, pending_user, staff, staff_required
from webapp.web.common import now
from webapp.web.forms import PageForm, required, show_domain_errors, strip
from webapp.web.staff import bp, finish_login, home_for


class CodeForm(PageForm):
    code = StringField(
        _l("验证码或恢复码"),
        [required(), Length(max=40, message=_l("验证码为6位数字，恢复码为12位字母或数字"))],
        filters=[strip],
        description=_l("输入身份验证器应用显示的6位数字；手机不在身边时，可输入一个恢复码。"),
    )


class EnrolForm(PageForm):
    code = StringField(
        _l("验证码"),
        [required(), Length(max=40, message=_l("验证码为6位数字"))],
        filters=[strip],
        description=_l("扫码或输入密钥后，输入应用显示的6位数字。"),
    )


class PasswordCheckForm(PageForm):
    password = PasswordField(_l("当前密码"), [required()], description=_l("为确认是您本人操作，请输入密码。"))


class PasswordChangeForm(PageForm):
    """The user's own new password (webapp/web/accounts.py), on the account page beside two-factor."""

    current_password = PasswordField(_l("当前密码"), [required()])
    new_password = PasswordField(_l("新密码"), [required()], description=_l("至少8位"))
    confirm = PasswordField(
        _l("再次输入新密码"), [required(), EqualTo("new_password", message=_l("两次输入的新密码不一致"))]
    )


class AgencyTwoFactorForm(PageForm):
    required = BooleanField(_l("要求本机关的经办人和负责人使用两步验证"))


def setting() -> str:
    return tf.mode(current_app.config.get("STAFF_2FA"))


# -- the login's second step -----------------------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(staff()))
    moment = now()
    found = pending_user(now=moment.timestamp())
    if found is None:
        end_second_step()
        flash(_l("请重新输入电子邮箱和密码。"), "info")
        return redirect(url_for(".login"))
    user, next_url = found
    form = CodeForm()
    if form.validate_on_submit():
        if (until := accounts.locked_until(user, now=moment)) is not None and not known_device(user):
            return code_locked_out(form, until)
        method = tf.verify(
            db.session(), user, form.code.data or "", secret_key=current_app.config["SECRET_KEY"], now=moment
        )
        if method is not None:
            accounts.login_succeeded(user)
            db.session.commit()
            response = finish_login(user, next_url)
            if method == "recovery":
                left = tf.remaining_recovery_codes(db.session(), user)
                flash(
                    _l("您使用了一个恢复码，还剩 %(n)s 个。可在“我的账号”中生成新的恢复码。", n=left), "info"
                )
            return response
        until = accounts.login_failed(user, now=moment)
        db.session.commit()
        if until is not None and not known_device(user):
            return code_locked_out(form, until)
        form.code.errors = [tf.WRONG_CODE]
    status = 422 if form.is_submitted() else 200
    return render_template("staff/login_code.html", form=form), status


def code_locked_out(form: CodeForm, until: dt.datetime) -> Any:
    """429 with the time (Beijing) the account opens again; the password is asked again after it."""
    end_second_step()
    form.summary = str(
        _l(
            "登录失败次数过多，该账号已暂时锁定。请于 %(time)s（北京时间）之后再试。",
            time=china_time(until),
        )
    )
    seconds = max(1, math.ceil((until - now()).total_seconds()))
    return (
        render_template("staff/login_code.html", form=form, locked=True),
        429,
        {"Retry-After": str(seconds)},
    )


# -- the user's own page ------------------------------------------------------------------------------------


def account_page(
    *,
    regenerate: PasswordCheckForm | None = None,
    disable: PasswordCheckForm | None = None,
    password: PasswordChangeForm | None = None,
) -> Any:
    """The user's own page; a form given came back with its errors (422). `password`: the password
    change's form (webapp/web/accounts.py)."""
    user = staff()
    status = 422 if (regenerate or disable or password) else 200
    return render_template(
        "staff/account.html",
        user=user,
        setting=setting(),
        enrolled=tf.enrolled(user),
        required=tf.required(user, setting()),
        remaining=tf.remaining_recovery_codes(db.session(), user) if tf.enrolled(user) else 0,
        regenerate_form=regenerate or PasswordCheckForm(formdata=None, prefix="regenerate"),
        disable_form=disable or PasswordCheckForm(formdata=None, prefix="disable"),
        password_form=password or PasswordChangeForm(formdata=None, prefix="password"),
    ), status


@bp.get("/account")
@staff_required()
def account() -> Any:
    return account_page()


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data: URI (the page's CSP allows data: images, no inline SVG)."""
    return str(segno.make(text, error="l").svg_data_uri(scale=6, border=4, dark="#000", light="#fff"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@staff_required()
def two_factor_enrol() -> Any:
    user = staff()
    if setting() == "off" or tf.enrolled(user):  # the account page says why
        return redirect(url_for(".account"))
    secret_key = current_app.config["SECRET_KEY"]
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = tf.confirm_enrolment(
                db.session(), user, form.code.data or "", secret_key=secret_key, now=now()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
        else:
            db.session.commit()
            return render_template("staff/recovery_codes.html", codes=codes, enrolled_now=True)
    secret = tf.begin_enrolment(db.session(), user, secret_key=secret_key)
    db.session.commit()
    uri = totp.provisioning_uri(secret, account=user.email, issuer=str(tf.ISSUER))
    return render_template(
        "staff/two_factor_enrol.html",
        form=form,
        qr=qr_data_uri(uri),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=tf.required(user, setting()),
    ), 422 if form.is_submitted() else 200


def password_confirmed(form: PasswordCheckForm) -> bool:
    """The user's password, entered again; a wrong one counts as a failed login."""
    if not form.validate_on_submit():
        return False
    user = staff()
    if accounts.check_password(user, form.password.data or ""):
        db.session.commit()
        return True
    accounts.login_failed(user, now=now())
    db.session.commit()
    form.password.errors = [_l("密码不正确")]
    return False


@bp.post("/account/two-factor/recovery-codes")
@staff_required()
def two_factor_recovery_codes() -> Any:
    form = PasswordCheckForm(prefix="regenerate")
    if not tf.enrolled(staff()):
        return redirect(url_for(".account"))
    if not password_confirmed(form):
        return account_page(regenerate=form)
    codes = tf.new_recovery_codes(
        db.session(), staff(), secret_key=current_app.config["SECRET_KEY"], now=now()
    )
    db.session.commit()
    return render_template("staff/recovery_codes.html", codes=codes, enrolled_now=False)


@bp.post("/account/two-factor/disable")
@staff_required()
def two_factor_disable() -> Any:
    form = PasswordCheckForm(prefix="disable")
    if not tf.enrolled(staff()):
        return redirect(url_for(".account"))
    if not password_confirmed(form):
        return account_page(disable=form)
    tf.disable(db.session(), staff())
    db.session.commit()
    flash(_l("已停用两步验证。"), "success")
    return redirect(url_for(".account"))


# -- administrators ------------------------------------------------------------------------------------------


def may_manage(actor: User, user: User) -> bool:
    """The platform's administrator manages everyone; an agency's administrator the users all of whose
    agencies are its own (never the platform's administrator): webapp.authz.may_manage_user."""
    return authz.may_manage_user(actor, user)


@admin.bp.post(f"/users/<int(max={MAX_ID}):user_id>/two-factor/reset")
def reset_user(user_id: int) -> Response:
    user = db.session.get(User, user_id)
    if user is None or not may_manage(staff(), user):
        raise NotFound()
    tf.reset(db.session(), user)
    db.session.commit()
    flash(_l("已重置 %(email)s 的两步验证，其登录已全部退出。", email=user.email), "success")
    return redirect(url_for("admin.users"))


@admin.bp.post("/agencies/<code>/two-factor")
def agency_requirement(code: str) -> Response:
    agency = admin.agency_or_404(code)  # the platform's administrator, or the agency's own
    form = AgencyTwoFactorForm(prefix="two-factor")
    if form.validate_on_submit():
        tf.set_agency_requirement(db.session(), agency, required=bool(form.required.data))
        db.session.commit()
        if agency.staff_2fa_required:
            flash(_l("已要求本机关的经办人和负责人使用两步验证。"), "success")
        else:
            flash(_l("已取消对本机关经办人和负责人的两步验证要求。"), "success")
    return redirect(url_for("admin.agency", code=agency.code))


def agency_form(agency: Agency) -> AgencyTwoFactorForm:
    form = AgencyTwoFactorForm(formdata=None, prefix="two-factor")
    form.required.data = bool(agency.staff_2fa_required)
    return form


# -- enrolment before anything else --------------------------------------------------------------------------

OPEN_BEFORE_ENROLMENT = {
    "staff.login",
    "staff.login_code",
    "staff.logout",
    "staff.logout_everywhere",
    "staff.two_factor_enrol",
}


def enforce_enrolment() -> Response | None:
    """A logged-in user who must use two-factor sign-in and has not enrolled reaches only enrolment and
    logout among the staff and administration pages."""
    if request.blueprint not in ("staff", "admin") or request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    if not current_user.is_authenticated or not tf.must_enrol(staff(), setting()):
        return None
    return redirect(url_for("staff.two_factor_enrol"))  # the page says why


def init_two_factor(app: Flask) -> None:
    app.before_request(enforce_enrolment)
    app.jinja_env.globals["two_factor_form"] = agency_form
    app.jinja_env.globals["two_factor_setting"] = setting
    app.jinja_env.globals["may_reset_two_factor"] = lambda user: (
        tf.enrolled(user) and current_user.is_authenticated and may_manage(staff(), user)
    )
