"""The citizen's optional account (/account, on the citizen blueprint): sign in with a code sent to a mobile
number or an e-mail address, "我的申请", claim an earlier request by number and access code, choose how
notices arrive, sign out here or everywhere (webapp/domain/citizens.py). And, for anyone holding a
tracking number, "忘记查询码？": a new access code sent to the contact on file
(webapp/domain/lost_codes.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from webapp.domain import citizens, lost_codes
from webapp.domain.errors import NotFound, Unauthorized, ValidationError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Request
from webapp.web import tracking
from webapp.web.citizen import bp, find
from webapp.web.common import calendar, clock_view, now, today
from webapp.web.forms import CitizenCodeForm, CitizenContactForm, LostCodeForm, NotifyForm, TrackForm

PENDING = "citizen_contact"  # session key: the contact a code was just sent to


LOST_CODE_SENT = _l(
    "如果该申请编号存在，且申请时留有电子邮箱或手机号码，新的查询码已发送至该联系方式，请查收。"
    "查询码只以加密形式保存、无法找回，因此发送的是新查询码：原查询码随即失效。"
)


def _contact(typed: str) -> citizens.Contact:
    typed = typed.strip()
    return citizens.contact_of(email=typed) if "@" in typed else citizens.contact_of(phone=typed)


@bp.route("/account/sign-in", methods=["GET", "POST"])
def account_sign_in() -> Any:
    form = CitizenContactForm()
    if form.validate_on_submit():
        try:
            contact = _contact(form.contact.data or "")
        except ValidationError as exc:
            form.contact.errors = [str(next(iter(exc.fields.values()), exc.message))]
        else:
            sent = citizens.send_code(
                db.session(), contact, secret=current_app.config["SECRET_KEY"], now=now()
            )
            db.session.commit()
            if not sent:
                flash(
                    _l("获取验证码过于频繁：请使用已收到的验证码，或一分钟后再试（每小时最多5次）"), "error"
                )
            session[PENDING] = [contact.kind, contact.value]
            return redirect(url_for(".account_code"))
    status = 422 if form.is_submitted() else 200
    return render_template("citizen/sign_in.html", form=form), status


@bp.route("/account/code", methods=["GET", "POST"])
def account_code() -> Any:
    pending = session.get(PENDING)
    if not (isinstance(pending, list) and len(pending) == 2):
        return redirect(url_for(".account_sign_in"))
    contact = citizens.Contact(str(pending[0]), str(pending[1]))
    form = CitizenCodeForm()
    if form.validate_on_submit():
        try:
            _, token = citizens.sign_in(
                db.session(),
                contact,
                form.code.data or "",
                secret=current_app.config["SECRET_KEY"],
                now=now(),
            )
        except Unauthorized as exc:
            db.session.commit()  # the wrong try counts
            form.code.errors = [str(next(iter(exc.fields.values()), exc.message))]
        else:
            db.session.commit()
            session.pop(PENDING, None)
            tracking.sign_in_citizen(token)
            return redirect(url_for(".account"))
    status = 422 if form.is_submitted() else 200
    return render_template("citizen/sign_in_code.html", form=form, contact=contact), status


def _signed_in() -> Any:
    who = tracking.citizen()
    if who is None:
        flash(_l("请先登录"), "info")
    return who


@bp.get("/account")
def account() -> Any:
    who = _signed_in()
    if who is None:
        return redirect(url_for(".account_sign_in"))
    return _account_page(who)


def _account_page(who: Any, *, claim: TrackForm | None = None, code: int = 200) -> Any:
    cal, day = calendar(), today()
    reqs = citizens.requests_of(db.session(), who)
    notify = NotifyForm(formdata=None, notify=who.notify)
    return (
        render_template(
            "citizen/account.html",
            who=who,
            rows=[(r, clock_view(r, cal, day)) for r in reqs],
            claim=claim or TrackForm(formdata=None),
            notify=notify,
        ),
        code,
    )


@bp.post("/account/claim")
def account_claim() -> Any:
    who = _signed_in()
    if who is None:
        return redirect(url_for(".account_sign_in"))
    form = TrackForm()
    if form.validate_on_submit():
        try:
            req = citizens.claim(
                db.session(), who, form.tracking_number.data or "", form.access_code.data or "", now=now()
            )
        except NotFound as exc:
            db.session.rollback()
            form.access_code.errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_l("已将申请%(n)s加入我的申请", n=req.tracking_number), "success")
            return redirect(url_for(".account"))
    return _account_page(who, claim=form, code=422)


@bp.post("/account/notify")
def account_notify() -> Any:
    who = _signed_in()
    if who is None:
        return redirect(url_for(".account_sign_in"))
    form = NotifyForm()
    if form.validate_on_submit():
        citizens.set_notify(db.session(), who, form.notify.data or "")
        db.session.commit()
        flash(_l("通知方式已保存"), "success")
    return redirect(url_for(".account"))


@bp.get("/account/requests/<tracking_number>")
def account_request(tracking_number: str) -> Response:
    """Open one of the account's requests: its status page, as number and access code would."""
    who = _signed_in()
    if who is None:
        return redirect(url_for(".account_sign_in"))
    req: Request | None = find(tracking_number)
    if req is None or not citizens.owns(db.session(), who, req):
        return redirect(url_for(".account"))
    tracking.grant(req)
    db.session.commit()
    return redirect(url_for(".status", tracking_number=req.tracking_number))


@bp.post("/account/sign-out")
def account_sign_out() -> Response:
    everywhere = request.form.get("everywhere") == "1"
    who = tracking.citizen()
    if who is not None and everywhere:
        citizens.sign_out_everywhere(db.session(), who)
        db.session.commit()
    tracking.sign_out_citizen()
    tracking.forget()
    db.session.commit()
    flash(_l("已在所有设备上退出") if everywhere else _l("已退出"), "success")
    return redirect(url_for(".index"))


@bp.route("/track/lost-code", methods=["GET", "POST"])
def lost_code() -> Any:
    """忘记查询码: the same answer whatever the number; the code itself is never on a page."""
    form = LostCodeForm()
    if form.is_submitted():
        valid = form.validate()
        typed = (form.contact.data or "").strip()
        contact = None
        try:  # checked even when another field is wrong: every error at once
            contact = lost_codes.typed_contact(**{"email" if "@" in typed else "phone": typed})
        except ValidationError as exc:
            valid = False
            if not form.contact.errors:
                form.contact.errors = [str(next(iter(exc.fields.values()), exc.message))]
        if valid:
            lost_codes.reissue_access_code(db.session(), form.tracking_number.data or "", contact, now=now())
            db.session.commit()
            flash(LOST_CODE_SENT, "success")
            return redirect(url_for(".track"))
    status = 422 if form.is_submitted() else 200
    return render_template("citizen/lost_code.html", form=form), status
