"""Staff sessions on the pages (Flask-Login): who is logged in, and which pages their role opens.

Each login is a row of `staff_sessions` (webapp/models/sessions.py); the signed Flask session cookie holds
only a random key whose SHA-256 finds the row. Every request checks the row: not revoked (logout revokes
it, so a copy of the cookie taken before opens nothing), seen within STAFF_SESSION_IDLE_MINUTES, begun
within STAFF_SESSION_MAX_HOURS, and bound to the user's session generation and password hash as they
were at login: raising the generation (logout everywhere, a new password, deactivation, which also revoke
every row of the user) or changing the hash ends every session of the user at its next request, and a
deactivated user is logged out on their next request. `last_seen_at` is written at most once a minute.

A browser where the user has logged in keeps a signed device cookie (OWASP's "device cookies"): an
account locked after failed logins (webapp.domain.accounts) still opens with the right password on such a
browser, so that someone guessing from elsewhere cannot lock its owner out. The same marks bind the
cookie: logout everywhere, a new password or deactivation make it worthless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, request, session
from flask_login import UserMixin, current_user
from flask_login import login_user as _login_user
from flask_login import logout_user as _logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.wrappers import Response

from webapp import authz
from webapp.domain.housekeeping import KEEP_ENDED  # a user's older session rows go at their next login
from webapp.extensions import db, login_manager
from webapp.i18n import _l
from webapp.models import StaffSession, User
from webapp.web import common

F = TypeVar("F", bound=Callable[..., Any])
DEVICE_COOKIE = "gd_device"
DEVICE_DAYS = 180
SEEN_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


class StaffLogin(UserMixin):
    """The logged-in staff member as Flask-Login sees them; `.user` is the database row, `.row` the
    session's, `.key` the random key the session cookie holds."""

    def __init__(self, user: User, row: StaffSession, key: str) -> None:
        self.user = user
        self.row = row
        self.key = key

    def get_id(self) -> str:
        return self.key

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)


def fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


def binding(user: User) -> str:
    """What a session is bound to: the user's session generation and password hash."""
    return hashlib.sha256(f"{user.session_generation or 0}:{user.password_hash or ''}".encode()).hexdigest()


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config.get("STAFF_SESSION_IDLE_MINUTES") or 30))


def age_limit() -> dt.timedelta:
    return dt.timedelta(hours=int(current_app.config.get("STAFF_SESSION_MAX_HOURS") or 12))


def session_open(row: StaffSession, moment: dt.datetime) -> bool:
    """Not revoked, seen within the idle lifetime and begun within the absolute one."""
    return (
        row.revoked_at is None
        and moment - row.last_seen_at < idle_limit()
        and moment - row.created_at < age_limit()
    )


def init_login() -> None:
    login_manager.login_view = "staff.login"
    login_manager.login_message = cast(str, _l("请先登录"))
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load(key: str) -> StaffLogin | None:
        if not key or len(key) > 100:
            return None
        row = db.session.execute(
            select(StaffSession).where(StaffSession.key_hash == key_hash(key))
        ).scalar_one_or_none()
        if row is None or not session_open(row, common.now()):
            return None
        user = row.user
        if not user.active or not user.password_hash:
            return None
        if not hmac.compare_digest(row.binding, binding(user)):
            return None
        return StaffLogin(user, row, key)


def keep_alive() -> None:
    """Before every request of a logged-in user: note that the session was used, at most once a minute
    (the idle lifetime counts from it). Runs before the view, so its commit carries nothing else."""
    if request.endpoint == "static" or "_user_id" not in session or not current_user.is_authenticated:
        return  # a page's stylesheet or script neither needs the session nor counts as its use
    row = cast(StaffLogin, current_user).row
    moment = common.now()
    if moment - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = moment
        db.session.commit()


def login_user(user: User) -> None:
    """Begin a session of `user` (after a right password): a new row of staff_sessions, its key in the
    Flask session (clear it first). Commits."""
    key = secrets.token_urlsafe(32)
    moment = common.now()
    row = StaffSession(
        key_hash=key_hash(key),
        user_id=user.id,
        binding=binding(user),
        created_at=moment,
        last_seen_at=moment,
        revoked_at=None,
        user_agent=(request.user_agent.string or "")[:200],
    )
    old = StaffSession.created_at < moment - KEEP_ENDED
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id, old))
    db.session.add(row)
    db.session.commit()
    _login_user(StaffLogin(user, row, key))


def logout_user() -> None:
    """End this browser's session: its row is revoked, so a copy of the cookie opens nothing. Commits."""
    if current_user.is_authenticated:
        row = cast(StaffLogin, current_user).row
        if row.revoked_at is None:
            row.revoked_at = common.now()
        db.session.commit()
    _logout_user()


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


# -- the login's second step (webapp/domain/two_factor.py) -------------------------------------------------
# Between a right password and a right code the browser's session holds only this: who, bound to their
# session generation and password hash, until when, and where to go next. Nothing logs it in: every page
# but the code page and logout treats it as logged out.

PENDING = "second_step"
PENDING_SECONDS = 300


def begin_second_step(user: User, next_url: str | None, *, now: float) -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING] = {
        "user": user.id,
        "mark": f"{user.session_generation or 0}:{fingerprint(user)}",
        "until": now + PENDING_SECONDS,
        "next": next_url or "",
    }


def pending_user(*, now: float) -> tuple[User, str] | None:
    """The user whose password was right in this browser a moment ago, with where they were going."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("user"), int):
        return None
    if float(state.get("until") or 0) < now:
        return None
    user = db.session.get(User, state["user"])
    if user is None or not user.active or not user.password_hash:
        return None
    if not hmac.compare_digest(str(state.get("mark")), f"{user.session_generation or 0}:{fingerprint(user)}"):
        return None
    return user, str(state.get("next") or "")


def end_second_step() -> None:
    session.pop(PENDING, None)
