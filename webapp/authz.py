"""Who may do what (SPEC §1, API.md Authentication): the one place that says it.

Principals: the applicant (no account; holds the access code of one request), and staff users with one
role — officer, head or admin — belonging to one or more agencies. An administrator of no agency is the
platform's: it manages agencies, users, tokens and the calendar, and reads every agency's reports, but
handles no request.

The rules are plain functions of the principal and the thing (no Flask); the `*_or_404` / `require_*`
helpers raise the domain's errors, which the API answers as JSON and the pages as error pages. Anything a
principal may not see is answered exactly as if it did not exist (404), never 403: a 403 says it exists.
A 403 is kept for a role refused a kind of page or action whose existence is no secret (admin pages,
reports, the head's approvals).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from webapp.domain.errors import Forbidden, NotFound
from webapp.i18n import _l

if TYPE_CHECKING:
    from webapp.models import Agency, Attachment, Request, User

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
    from webapp.domain.requests import access_code_matches

    return bool(access_code) and access_code_matches(req, access_code or "")


def may_see_attachment(user: User | None, req: Request, att: Attachment) -> bool:
    """Staff of the agency see every file; the applicant sees the files they uploaded themselves."""
    if att.request_id != req.id:
        return False
    if user is not None:
        return may_see_request(user, req)
    return att.uploaded_by_id is None


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


def may_handle_mail_of(user: User | None, agency_id: int | None) -> bool:
    """The email channel's review list: staff of the mailbox's agency, as the list itself shows."""
    return agency_id is not None and in_agency(user, agency_id)


def sees_full_id_number(user: User | None, req: Request | None) -> bool:
    """Who needs the applicant's whole ID number: staff of the request's agency handling it, on the
    request itself (identity checks, the reply letter). Lists, queues, exports, API list items and the
    applicant's own tracking page show it masked."""
    return req is not None and may_see_request(user, req)


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
