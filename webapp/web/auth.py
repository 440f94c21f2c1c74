"""Staff sessions on the pages (Flask-Login): who is logged in, and which pages their role opens.

The session keeps the user's id, their session generation and a fingerprint of their password hash:
raising the generation (logout everywhere, a new password, deactivation) or changing the hash ends every
session of the user at its next request, and a deactivated user is logged out on their next request.

A browser where the user has logged in keeps a signed device cookie (OWASP's "device cookies"): an
account locked after failed logins (webapp.domain.accounts) still opens with the right password on such a
browser, so that someone guessing from elsewhere cannot lock its owner out. The same three marks bind the
cookie: logout everywhere, a new password or deactivation make it worthless.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, request
from flask_login import UserMixin, current_user
from flask_login import login_user as _login_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from webapp import authz
from webapp.extensions import db, login_manager
from webapp.i18n import _l
from webapp.models import User

F = TypeVar("F", bound=Callable[..., Any])
DEVICE_COOKIE = "gd_device"
DEVICE_DAYS = 180


class StaffLogin(UserMixin):
    """The logged-in staff member as Flask-Login sees them; `.user` is the database row."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_generation or 0}:{fingerprint(self.user)}"

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)


def fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


def init_login() -> None:
    login_manager.login_view = "staff.login"
    login_manager.login_message = cast(str, _l("请先登录"))
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load(session_id: str) -> StaffLogin | None:
        user_id, _, rest = session_id.partition(":")
        generation, _, mark = rest.partition(":")
        if not user_id.isdigit() or not generation.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or not user.password_hash:
            return None
        if int(generation) != (user.session_generation or 0):
            return None
        if not hmac.compare_digest(mark, fingerprint(user)):
            return None
        return StaffLogin(user)


def login_user(user: User) -> None:
    _login_user(StaffLogin(user))


def _devices(user: User) -> URLSafeTimedSerializer:
    """Signs the user's id with a key bound to their session generation and password hash: the cookie
    shows nothing else, and stops opening anything when either changes."""
    marks = f"staff-device:{user.session_generation or 0}:{fingerprint(user)}"
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=marks)


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one the user logs in from (after a successful login)."""
    response.set_cookie(
        DEVICE_COOKIE,
        _devices(user).dumps(user.id),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )


def known_device(user: User) -> bool:
    """Whether this browser holds a valid device cookie of this user (and of their current password and
    session generation)."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        return bool(_devices(user).loads(cookie, max_age=DEVICE_DAYS * 86400) == user.id)
    except BadData:  # forged, expired, or made for another password or generation
        return False


def staff() -> User:
    """The logged-in user's row (only inside a view behind `staff_required`)."""
    return cast(StaffLogin, current_user).user


def staff_required(*roles: str) -> Callable[[F], F]:
    """Logged in (else to the login page), and with one of `roles` when given (else 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not authz.has_role(staff(), *roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate
