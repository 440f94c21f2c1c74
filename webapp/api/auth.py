"""Who is asking: a staff member by bearer token, or an applicant by access code (docs/api.md
§Authentication)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select

from webapp import authz
from webapp.domain.accounts import token_row
from webapp.domain.errors import Unauthorized
from webapp.domain.tokens import acting_with
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Request, User

F = TypeVar("F", bound=Callable[..., Any])
_UNREAD = object()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bearer_user() -> User | None:
    """The token's user; None without an Authorization header; 401 for a bad or revoked token. Read once
    per request."""
    known = g.get("bearer_user", _UNREAD)
    if known is not _UNREAD:
        return known
    header = request.headers.get("Authorization")
    user = None
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(
                _l("Authorization 应为 Bearer 令牌"), {"Authorization": _l("格式应为 Bearer <token>")}
            )
        row = token_row(db.session(), token.strip(), now=now())
        if row is None:
            raise Unauthorized(_l("令牌无效或已撤销"), {"Authorization": _l("令牌无效或已撤销")})
        user = row.user
        # The events this request appends as the token's user record the token (webapp/domain/tokens.py).
        acting_with(db.session(), row)
    g.bearer_user = user
    return user


def end_of_request(exc: BaseException | None = None) -> None:
    """The token acts for this request only."""
    if "bearer_user" in g:
        acting_with(db.session(), None)


def credentials_first(*, staff: bool) -> Callable[[F], F]:
    """Check the caller's credentials before the view's input is parsed, so that missing or invalid ones
    are a 401 even when the body is malformed too (docs/api.md §Authentication: 401, then 403/404, then 422).
    `staff`: only a bearer token will do; otherwise an applicant's access code too (checked against the
    request later)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if staff:
                staff_user()
            elif bearer_user() is None and request.headers.get("X-Access-Code") is None:
                raise _no_credentials()
            return fn(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return wrap


def _no_credentials() -> Unauthorized:
    return Unauthorized(
        _l("请提供访问码（X-Access-Code）或工作人员令牌"), {"X-Access-Code": _l("缺少访问码")}
    )


def staff_user(*roles: str) -> User:
    """The token's user, with one of `roles` when given (else 403)."""
    user = bearer_user()
    if user is None:
        raise Unauthorized(_l("需要工作人员令牌"), {"Authorization": _l("缺少 Bearer 令牌")})
    return authz.require_role(user, *roles)


def load_request(tracking_number: str) -> tuple[Request, User | None]:
    """The request as its viewer may see it: staff of its agency, or the applicant with the access code.

    Anything else — no such number, another agency's request, a wrong code — is the same 404.
    """
    user = bearer_user()
    code = request.headers.get("X-Access-Code")
    if user is None and code is None:
        raise _no_credentials()
    req: Request | None = None
    if "\x00" not in tracking_number:  # no tracking number has a NUL, which PostgreSQL cannot compare
        req = db.session.execute(
            select(Request).where(Request.tracking_number == tracking_number)
        ).scalar_one_or_none()
    if user is not None:
        return authz.staff_request_or_404(user, req), user
    return authz.applicant_request_or_404(req, code), None
