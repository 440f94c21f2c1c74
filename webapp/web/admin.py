"""The administrator's pages: agencies and their report settings, users and roles, API tokens, and the
working-day calendar with its overrides (a new year's 调休 notice), which move open requests' due dates.

Two levels (webapp/authz.py, docs/security.md): the platform's administrator (of no agency) sees and
manages everything; an agency's administrator sees and manages only its own agencies' settings and the
users and tokens within them, may look at the calendar and changes neither it, nor an agency's name, nor
creates agencies. Every page lists only what its reader may manage; anything else is a 404 (an agency,
user or token outside theirs) or a 403 (what is the platform's alone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain import accounts, documents, upload_limits
from webapp.domain.errors import DomainError, Forbidden, ValidationError
from webapp.domain.errors import NotFound as DomainNotFound
from webapp.domain.states import ROLE_LABELS
from webapp.extensions import db
from webapp.i18n import _l, wants_english
from webapp.models import Agency, ApiToken, User
from webapp.models.base import MAX_ID
from webapp.render.letters import application_form
from webapp.web.admin_forms import (
    AgencyCreateForm,
    AgencyNameForm,
    AgencyParentForm,
    CatalogueCountForm,
    DocumentSettingsForm,
    TokenIssueForm,
    UploadLimitsForm,
    UserCreateForm,
    UserEditForm,
)
from webapp.web.auth import staff, staff_required
from webapp.web.common import install_error_pages, now, today
from webapp.web.documents import pdf_answer
from webapp.web.forms import (
    NOT_A_CHOICE,
    options,
    show_domain_errors,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
install_error_pages(bp)


@bp.before_request
@staff_required("admin")
def _admins_only() -> None:
    """Every page here is the administrator's: others are sent to log in, or refused (403)."""


@bp.context_processor
def _level() -> dict[str, Any]:
    # also rendered for an error page before anyone is logged in (a POST without its CSRF token)
    return {"platform": current_user.is_authenticated and authz.is_platform_admin(staff())}


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html")


# -- agencies ------------------------------------------------------------------------------------------


def agency_or_404(code: str) -> Agency:
    """An agency the reader manages (every one for the platform's administrator, else their own)."""
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    return authz.agency_or_404(staff(), agency)


def managed_agencies() -> list[Agency]:
    return [a for a in accounts.list_agencies(db.session()) if authz.may_manage_agency(staff(), a)]


def managed_users() -> list[User]:
    return [u for u in accounts.list_users(db.session()) if authz.may_manage_user(staff(), u)]


@bp.route("/agencies", methods=["GET", "POST"])
def agencies() -> Any:
    form = AgencyCreateForm()
    if request.method == "POST":
        authz.require_platform_admin(staff())
    if form.validate_on_submit():
        try:
            agency = accounts.create_agency(
                db.session(), (form.code.data or "").upper(), form.name.data or "", now=now()
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
        else:
            db.session.commit()
            flash(_l("已创建机关 %(code)s。", code=agency.code), "success")
            return redirect(url_for(".agency", code=agency.code))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/agencies.html", form=form, agencies=managed_agencies()), status


def agency_page(
    agency: Agency,
    *,
    name: AgencyNameForm | None = None,
    count: CatalogueCountForm | None = None,
    documents_form: DocumentSettingsForm | None = None,
    limits: UploadLimitsForm | None = None,
    parent: AgencyParentForm | None = None,
    code: int = 200,
) -> Any:
    parent_form = parent or AgencyParentForm(formdata=None, prefix="parent")
    parent_form.parent.choices = parent_choices(agency)
    if parent is None:
        above = db.session.get(Agency, agency.parent_id) if agency.parent_id is not None else None
        parent_form.parent.data = above.code if above else ""
    name_form = name or AgencyNameForm(formdata=None, prefix="agency")
    if name is None:
        name_form.name.data = agency.name
    count_form = count or CatalogueCountForm(formdata=None, prefix="catalogue")
    if count is None:
        count_form.year.data = today().year
    raw = (agency.report_settings or {}).get("catalogue_counts")
    counts = sorted((int(y), int(n)) for y, n in raw.items()) if isinstance(raw, dict) else []
    staff_of = [u for u in accounts.list_users(db.session()) if u.belongs_to(agency.id)]
    if limits is None:
        limits = UploadLimitsForm(formdata=None, prefix="limits")
        current_limits = upload_limits.limits_for(agency)
        for setting in upload_limits.FIELDS:
            limits[setting].data = getattr(current_limits, setting)
    renamable = authz.may_rename_agency(staff(), agency)
    if documents_form is None:
        documents_form = DocumentSettingsForm(formdata=None, prefix="documents")
        current = documents.settings_for(db.session(), agency)
        for setting in documents.SETTING_FIELDS:
            getattr(documents_form, setting).data = getattr(current, setting)
    return (
        render_template(
            "admin/agency.html",
            agency=agency,
            documents_form=documents_form,
            name_form=name_form,
            count_form=count_form,
            counts=counts,
            limits_form=limits,
            members=staff_of,
            renamable=renamable,
            parent_form=parent_form,
            children=[a for a in accounts.list_agencies(db.session()) if a.parent_id == agency.id],
        ),
        code,
    )


@bp.get("/agencies/<code>")
def agency(code: str) -> Any:
    return agency_page(agency_or_404(code))


@bp.post("/agencies/<code>/name")
def agency_name(code: str) -> Any:
    agency = agency_or_404(code)
    if not authz.may_rename_agency(staff(), agency):
        raise Forbidden(_l("机关名称由平台管理员修改"))
    form = AgencyNameForm(prefix="agency")
    return save_agency_form(
        agency,
        form,
        lambda: accounts.update_agency(db.session(), agency, name=form.name.data or ""),
        _l("已保存机关名称。"),
        name=form,
    )


def parent_choices(agency: Agency) -> list[Any]:
    """The agencies the agency may report to, by code (itself left out; the domain refuses a cycle)."""
    others = [a for a in accounts.list_agencies(db.session()) if a.id != agency.id]
    none = ("", _l("无（不属于任何人民政府）"))
    return options([none, *((a.code, agency_choice(a)) for a in others)])


@bp.post("/agencies/<code>/parent")
def agency_parent(code: str) -> Any:
    """The government the agency's report rolls up into: the platform administrator's alone (it moves
    figures between governments' reports)."""
    agency = agency_or_404(code)
    authz.require_platform_admin(staff())
    form = AgencyParentForm(prefix="parent")
    form.parent.choices = parent_choices(agency)

    def work() -> None:
        chosen = (form.parent.data or "").strip().upper()
        parent = None
        if chosen:
            parent = db.session.execute(select(Agency).where(Agency.code == chosen)).scalar_one_or_none()
            if parent is None:
                raise ValidationError(_l("上级政府设置有误"), {"parent": NOT_A_CHOICE})
        accounts.set_parent(db.session(), agency, parent)

    return save_agency_form(agency, form, work, _l("已保存上级政府。"), parent=form)


def save_agency_form(agency: Agency, form: Any, work: Callable[[], object], done: str, **page: Any) -> Any:
    """One of the agency page's forms: the domain change committed and the page shown again, or the
    page with the form's errors beside its fields (nothing written)."""
    if form.validate_on_submit():
        try:
            work()
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".agency", code=agency.code))
    return agency_page(agency, code=422, **page)


@bp.post("/agencies/<code>/documents")
def document_settings(code: str) -> Any:
    agency = agency_or_404(code)
    form = DocumentSettingsForm(prefix="documents")
    return save_agency_form(
        agency,
        form,
        lambda: documents.save_settings(
            db.session(),
            agency,
            {name: form[name].data for name in documents.SETTING_FIELDS},
            {},  # the agency's own texts are the text editor's (webapp/web/admin_texts.py)
            now=now(),
        ),
        _l("已保存文书设置。此后发出的文书按新设置生成，已发出的文书不变。"),
        documents_form=form,
    )


@bp.post("/agencies/<code>/upload-limits")
def agency_upload_limits(code: str) -> Any:
    agency = agency_or_404(code)
    form = UploadLimitsForm(prefix="limits")
    return save_agency_form(
        agency,
        form,
        lambda: upload_limits.save_limits(
            db.session(), agency, {name: form[name].data for name in upload_limits.FIELDS}
        ),
        _l("已保存上传限额。"),
        limits=form,
    )


@bp.get("/agencies/<code>/application-form.pdf")
def application_form_pdf(code: str) -> Any:
    agency = agency_or_404(code)
    return pdf_answer(
        application_form(agency.name),
        f"政府信息公开申请表-{agency.code}.pdf",
        f"application-form-{agency.code}",
    )


@bp.post("/agencies/<code>/catalogue")
def catalogue(code: str) -> Any:
    agency = agency_or_404(code)
    form = CatalogueCountForm(prefix="catalogue")
    return save_agency_form(
        agency,
        form,
        lambda: accounts.set_catalogue_count(db.session(), agency, int(form.year.data or 0), form.count.data),
        _l("已保存%(year)s年度的依申请公开信息目录数。", year=form.year.data),
        count=form,
    )


@bp.post("/agencies/<code>/catalogue/<int:year>/delete")
def catalogue_delete(code: str, year: int) -> Any:
    agency = agency_or_404(code)
    try:
        accounts.set_catalogue_count(db.session(), agency, year, None)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_l("已删除%(year)s年度的目录数。", year=year), "success")
    return redirect(url_for(".agency", code=code))


# -- users ------------------------------------------------------------------------------------------------


def users_page(form: UserCreateForm, code: int = 200) -> Any:
    return (
        render_template(
            "admin/users.html",
            form=form,
            users=managed_users(),
        ),
        code,
    )


@bp.route("/users", methods=["GET", "POST"])
def users() -> Any:
    form = UserCreateForm()
    # Only agencies the reader covers are offered (webapp.authz.covers), and a choice outside them is
    # refused as not one of the options.
    offered = offered_agencies()
    form.agencies.choices = options((a.id, agency_choice(a)) for a in offered)
    if not form.is_submitted() and len(offered) == 1:
        form.agencies.data = [offered[0].id]  # the one agency the reader manages: the new user's
    if form.validate_on_submit():
        chosen = [a for a in offered if a.id in (form.agencies.data or [])]
        try:
            role = form.role.data or ""
            if (chosen or role == authz.ADMIN) and not authz.may_grant(staff(), role, chosen):
                # The choices hold the reader's agencies only: what is left is an agency administrator
                # choosing none for an administrator, which would make a platform administrator (an
                # officer or head without an agency is refused by create_user itself).
                raise ValidationError(_l("用户信息有误"), {"agencies": _l("请至少选择一个您管理的机关")})
            user = accounts.create_user(
                db.session(),
                form.email.data or "",
                role=role,
                agencies=chosen,
                password=form.password.data or "",
                name=form.name.data or "",
                now=now(),
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc, {"agency": "agencies"})
        else:
            db.session.commit()
            flash(_l("已创建用户 %(email)s。", email=user.email), "success")
            return redirect(url_for(".users"))
    return users_page(form, 422 if form.is_submitted() else 200)


def agency_choice(agency: Agency) -> str:
    return f"{agency.name}{paren(agency.code)}"


def paren(text: object) -> str:
    """An aside in the reader's punctuation (as the templates' paren())."""
    return f" ({text})" if wants_english() else f"（{text}）"


def offered_agencies() -> list[Agency]:
    """The agencies the reader may give a user: those its own cover (webapp.authz.covers)."""
    return [a for a in accounts.list_agencies(db.session()) if authz.covers(staff(), [a])]


@bp.route(f"/users/<int(max={MAX_ID}):user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Any:
    """A user's name, role and agencies, within the reader's walls: a user it manages, given no more than
    it holds (webapp.authz.may_grant); anyone else is answered as if it did not exist."""
    user = authz.user_or_404(staff(), db.session.get(User, user_id))
    form = UserEditForm(obj=None if request.method == "POST" else user)
    offered = offered_agencies()
    form.agencies.choices = options((a.id, agency_choice(a)) for a in offered)
    if request.method == "GET":
        form.agencies.data = [a.id for a in user.agencies]
    if form.validate_on_submit():
        chosen = [a for a in offered if a.id in (form.agencies.data or [])]
        role = form.role.data or ""
        try:
            # The user is one the reader manages, so all of its agencies are among those offered; the
            # choice must stay within the reader's (an agency administrator choosing none for an
            # administrator would make a platform administrator).
            if (chosen or role == authz.ADMIN) and not authz.may_grant(staff(), role, chosen):
                raise ValidationError(_l("用户信息有误"), {"agencies": _l("请至少选择一个您管理的机关")})
            changed = accounts.update_user(
                db.session(),
                user,
                name=form.name.data or "",
                role=role,
                agencies=chosen,
                actor=staff(),
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
        else:
            db.session.commit()
            flash(
                _l("已保存 %(email)s 的信息。", email=user.name or user.email)
                if changed
                else _l("没有修改。"),
                "success",
            )
            return redirect(url_for(".users"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user.html", form=form, user=user), status


@bp.get(f"/users/<int(max={MAX_ID}):user_id>/deactivate")
def user_deactivate(user_id: int) -> Any:
    """The step before a user is deactivated: who, and what it does, with the button that does it."""
    user = authz.user_or_404(staff(), db.session.get(User, user_id))
    if not user.active or user.id == staff().id:
        return redirect(url_for(".users"))
    return render_template("admin/user_deactivate.html", user=user)


@bp.post(f"/users/<int(max={MAX_ID}):user_id>/active")
def user_active(user_id: int) -> Response:
    user = authz.user_or_404(staff(), db.session.get(User, user_id))
    active = request.form.get("active") == "1"
    try:
        accounts.set_user_active(db.session(), user, active=active, actor=staff(), now=now())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        message = (
            _l("已启用 %(email)s。", email=user.name or user.email)
            if active
            else _l("已停用 %(email)s，其令牌已全部撤销。", email=user.name or user.email)
        )
        flash(message, "success")
    return redirect(url_for(".users"))


# -- tokens --------------------------------------------------------------------------------------------------


def tokens_page(form: TokenIssueForm, *, issued: tuple[User, str] | None = None, code: int = 200) -> Any:
    return (
        render_template(
            "admin/tokens.html",
            form=form,
            tokens=[t for t in accounts.list_tokens(db.session()) if authz.may_manage_token(staff(), t)],
            issued=issued,
        ),
        code,
    )


def token_form() -> TokenIssueForm:
    form = TokenIssueForm()
    form.user.choices = options(
        (u.id, f"{u.name or u.email}{paren(ROLE_LABELS[u.role])}")
        for u in accounts.list_users(db.session())
        if authz.may_issue_token(staff(), u)
    )
    return form


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> Any:
    form = token_form()
    if request.method == "POST" and form.user.data is not None and 0 < form.user.data <= MAX_ID:
        # A user outside the reader's reach is answered as if it did not exist (an inactive one of
        # their own is simply not among the choices).
        authz.user_or_404(staff(), db.session.get(User, form.user.data))
    if form.validate_on_submit():
        user = db.session.get(User, form.user.data)
        if user is None or not authz.may_issue_token(staff(), user):
            raise DomainNotFound(_l("用户不存在"))
        token = accounts.issue_token(
            db.session(), user, now=now(), label=form.label.data or "", issued_by=staff()
        )
        db.session.commit()
        # Shown on this answer only (never stored, never redirected through the session).
        fresh = TokenIssueForm(formdata=None)
        fresh.user.choices = form.user.choices
        return (*tokens_page(fresh, issued=(user, token)), {"Cache-Control": "no-store"})
    return tokens_page(form, code=422 if form.is_submitted() else 200)


@bp.post(f"/tokens/<int(max={MAX_ID}):token_id>/revoke")
def revoke(token_id: int) -> Response:
    authz.token_or_404(staff(), db.session.get(ApiToken, token_id))
    accounts.revoke_token(db.session(), token_id, now=now())
    db.session.commit()
    flash(_l("令牌已撤销。"), "success")
    return redirect(url_for(".tokens"))
