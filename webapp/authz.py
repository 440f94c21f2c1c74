"""Who may do what (docs/architecture.md §Authorisation): the one place that says it.

Principals: the applicant (no account; holds the access code of one request), and staff users with one
role — officer, head or admin — belonging to one or more agencies. An administrator of no agency is the
platform's: it manages agencies, users, tokens and the calendar, and reads every agency's reports, but
handles no request. An administrator of one or more agencies administers those only (docs/security.md,
"Two levels of administration"): the users, tokens and settings of its own agencies; the agencies' names,
new agencies, the shared calendar and everyone else stay the platform's. Nobody grants more than they
hold: a user is created, or a token issued for one, only by an administrator whose agencies cover all of
that user's (the platform's covers everyone).

The rules are plain functions of the principal and the thing (no Flask); the `*_or_404` / `require_*`
helpers raise the domain's errors, which the API answers as JSON and the pages as error pages. Anything a
principal may not see is answered exactly as if it did not exist (404), never 403: a 403 says it exists.
A 403 is kept for a role refused a kind of page or action whose existence is no secret (admin pages,
reports, the head's approvals).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from webapp.domain.access_codes import access_code_matches
from webapp.domain.errors import Forbidden, NotFound
from webapp.i18n import _l

if TYPE_CHECKING:
    from webapp.models import Agency, ApiToken, Attachment, Request, User

OFFICER, HEAD, ADMIN = "officer", "head", "admin"
STAFF_ROLES = (OFFICER, HEAD, ADMIN)

REQUEST_NOT_FOUND = _l("申请不存在或访问码不正确")


# -- the rules ------------------------------------------------------------------------------------------


def has_role(user: User | None, *roles: str) -> bool:
    """An active user of one of `roles` (any staff role when none are given)."""
    return user is not None and bool(user.active) and user.role in (roles or STAFF_ROLES)


def is_platform_admin(user: User | None) -> bool:
    return has_role(user, ADMIN) and user is not None and not user.agencies


def in_agency(user: User | None, agency_id: int) -> bool:
    """An active staff member of that agency."""
    return has_role(user) and user is not None and user.belongs_to(agency_id)


def may_see_request(user: User | None, req: Request) -> bool:
    """Staff see, and act within their role on, every request of their own agencies and nothing else."""
    return in_agency(user, req.agency_id)


def applicant_may_see(req: Request, access_code: str | None) -> bool:
    """The applicant proves it is theirs with the access code given at submission."""
    return bool(access_code) and access_code_matches(req, access_code or "")


def may_see_attachment(user: User | None, req: Request, att: Attachment) -> bool:
    """Staff of the agency see every file; the applicant sees the files they uploaded themselves and the
    files the reply released to them (webapp/domain/release.py)."""
    if att.request_id != req.id:
        return False
    if user is not None:
        return may_see_request(user, req)
    return att.uploaded_by_id is None or att.released_on is not None


def may_register_for(user: User | None, agency: Agency) -> bool:
    """Staff register requests that came by other channels for their own agencies only."""
    return in_agency(user, agency.id)


def may_read_reports(user: User | None, agencies: Iterable[Agency]) -> bool:
    """A head or administrator of every agency asked for; the platform's administrator of all."""
    if not has_role(user, HEAD, ADMIN):
        return False
    if is_platform_admin(user):
        return True
    return all(in_agency(user, a.id) for a in agencies)


def may_sign_off(user: User | None, agency_id: int) -> bool:
    """Only the agency's own head signs its annual table off."""
    return has_role(user, HEAD) and in_agency(user, agency_id)


def may_enter_figures(user: User | None, agency: Agency) -> bool:
    """The figures an agency enters for its annual report (the Art. 20 table, annex one): a head or
    administrator of the agency; the platform's administrator of any."""
    if not has_role(user, HEAD, ADMIN):
        return False
    return is_platform_admin(user) or in_agency(user, agency.id)


def may_log_enquiry(user: User | None, agency: Agency) -> bool:
    """The enquiry log (咨询): the agency's own staff, who answer the enquiries (the platform's
    administrator answers none)."""
    return in_agency(user, agency.id)


def may_handle_mail_of(user: User | None, agency_id: int | None) -> bool:
    """The email channel's review list: staff of the mailbox's agency, as the list itself shows."""
    return agency_id is not None and in_agency(user, agency_id)


def sees_full_id_number(user: User | None, req: Request | None) -> bool:
    """Who needs the applicant's whole ID number: staff of the request's agency handling it, on the
    request itself (identity checks, the reply letter). Lists, queues, exports, API list items and the
    applicant's own tracking page show it masked."""
    return req is not None and may_see_request(user, req)


# -- administration: two levels --------------------------------------------------------------------------


def is_agency_admin(user: User | None) -> bool:
    """An administrator of its own agencies (it belongs to at least one)."""
    return has_role(user, ADMIN) and user is not None and bool(user.agencies)


def may_administer(user: User | None) -> bool:
    """Opens the administration pages: an administrator of either level."""
    return has_role(user, ADMIN)


def may_manage_agency(user: User | None, agency: Agency) -> bool:
    """See the agency's page and change its settings (letterhead, contact block, numbering, texts,
    catalogue counts): the platform's administrator for every agency, an agency administrator for its
    own."""
    return is_platform_admin(user) or (is_agency_admin(user) and in_agency(user, agency.id))


def may_create_agency(user: User | None) -> bool:
    return is_platform_admin(user)


def may_rename_agency(user: User | None, agency: Agency) -> bool:
    """An agency's name is on every document and in every other agency's lists: the platform's."""
    return is_platform_admin(user)


def may_edit_calendar(user: User | None) -> bool:
    """The working-day calendar is shared by every agency's due dates: the platform's alone. Agency
    administrators may look at it."""
    return is_platform_admin(user)


def covers(user: User | None, agencies: Iterable[Agency]) -> bool:
    """The administrator's agencies include every one of `agencies`, and there is at least one: the
    rights of a user of those agencies are within the administrator's own. The platform's covers all,
    including no agency at all (a platform administrator)."""
    if is_platform_admin(user):
        return True
    wanted = {a.id for a in agencies}
    return is_agency_admin(user) and bool(wanted) and all(in_agency(user, a) for a in wanted)


def may_manage_user(actor: User | None, user: User) -> bool:
    """See, deactivate and reactivate the user, see and revoke its tokens: a user whose agencies all
    belong to the administrator's (never a platform administrator, who has none, unless the actor is
    one)."""
    return covers(actor, user.agencies)


def may_grant(actor: User | None, role: str, agencies: Iterable[Agency]) -> bool:
    """Create a user of `role` in `agencies` (or give an existing one that role and those agencies):
    no more than the actor holds. An agency administrator makes officers, heads and administrators of its
    own agencies only, never a platform administrator (an administrator of no agency)."""
    return role in STAFF_ROLES and covers(actor, agencies)


def may_issue_token(actor: User | None, user: User) -> bool:
    """A token acts with all of its user's rights, so only for an active user the actor manages."""
    return bool(user.active) and may_manage_user(actor, user)


def may_manage_token(actor: User | None, token: ApiToken) -> bool:
    return may_manage_user(actor, token.user)


# -- the helpers the views call -------------------------------------------------------------------------


def require_role(user: User | None, *roles: str) -> User:
    if user is None or not has_role(user, *roles):
        raise Forbidden(_l("您的角色无权进行此操作"))
    return user


def staff_request_or_404(user: User | None, req: Request | None) -> Request:
    if req is None or not may_see_request(user, req):
        raise NotFound(REQUEST_NOT_FOUND)
    return req


def applicant_request_or_404(req: Request | None, access_code: str | None) -> Request:
    if req is None or not applicant_may_see(req, access_code):
        raise NotFound(REQUEST_NOT_FOUND)
    return req


def attachment_or_404(user: User | None, req: Request, att: Attachment | None) -> Attachment:
    if att is None or not may_see_attachment(user, req, att):
        raise NotFound(_l("附件不存在"))
    return att


def require_administrator(user: User | None) -> User:
    if not may_administer(user):
        raise Forbidden(_l("您的角色无权进行此操作"))
    assert user is not None  # noqa: S101 -- may_administer is False for None
    return user


def require_platform_admin(user: User | None) -> User:
    """For what is the platform's alone (new agencies, names, the calendar): a 403, these pages' existence
    being no secret."""
    if not is_platform_admin(user):
        raise Forbidden(_l("只有平台管理员可以进行此操作"))
    assert user is not None  # noqa: S101 -- is_platform_admin is False for None
    return user


def agency_or_404(user: User | None, agency: Agency | None) -> Agency:
    """An agency the administrator manages; any other is answered as if it did not exist."""
    if agency is None or not may_manage_agency(user, agency):
        raise NotFound(_l("机关不存在"))
    return agency


def user_or_404(actor: User | None, user: User | None) -> User:
    if user is None or not may_manage_user(actor, user):
        raise NotFound(_l("用户不存在"))
    return user


def token_or_404(actor: User | None, token: ApiToken | None) -> ApiToken:
    if token is None or not may_manage_token(actor, token):
        raise NotFound(_l("令牌不存在"))
    return token
