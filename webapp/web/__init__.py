"""The HTML pages: the citizen's (/, /apply, /track), the staff's (/staff/…) and the administrator's
(/admin/…), server-rendered with Jinja, Chinese first, calling the same domain functions as the API.

Every form carries a CSRF token (Flask-WTF), checked for every unsafe request outside /api/ (the JSON
API authenticates each call with a bearer token or an access code and reads no cookie); staff log in
with a session (Flask-Login).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from flask import Flask, Response, current_app, request, send_from_directory
from flask_login import current_user

from webapp import authz
from webapp.domain import tokens
from webapp.domain.dates import china_time, cn_date
from webapp.domain.deadlines import RULES
from webapp.domain.identity import mask_id_number
from webapp.domain.release import delivery_of
from webapp.extensions import csrf, login_manager
from webapp.i18n import wants_english
from webapp.models import Request
from webapp.web import history, labels
from webapp.web.auth import init_login, keep_alive
from webapp.web.common import today
from webapp.web.forms import aria, form_problems


def init_web(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked below, for everything but /api/
    csrf.init_app(app)
    login_manager.init_app(app)
    init_login()

    @app.before_request
    def _csrf_protect() -> None:
        if app.config.get("WTF_CSRF_ENABLED", True) and not request.path.startswith("/api/"):
            csrf.protect()

    app.before_request(keep_alive)  # the staff session's last use, before any view writes

    # The security headers of every page (CSP…) and the rate limits: webapp/security.py.

    from webapp.web import accounts as _accounts  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import admin, citizen, staff
    from webapp.web import admin_calendar as _admin_calendar  # noqa: F401  (its routes join the admin blueprint)
    from webapp.web import admin_texts as _admin_texts  # noqa: F401  (its routes join the admin blueprint)
    from webapp.web import answers as _answers  # noqa: F401  (its routes join the citizen blueprint)
    from webapp.web import appeals as _appeals  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import approvals as _approvals  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import citizen_account as _citizen  # noqa: F401  (its routes join the citizen blueprint)
    from webapp.web import enquiries as _enquiries  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import figures as _figures  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import queue as _queue  # noqa: F401  (its routes and badges join the staff blueprint)
    from webapp.web import registration as _registration  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import release as _release  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import repeated as _repeated  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web import reports as _reports  # noqa: F401  (its routes join the staff blueprint)
    from webapp.web.two_factor import init_two_factor  # its routes join the staff and admin blueprints

    app.register_blueprint(citizen.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(admin.bp)
    init_two_factor(app)

    app.add_url_rule("/favicon.ico", "favicon", favicon)

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["filesize"] = format_size
    app.jinja_env.globals.update(
        {name: partial(labels.label, mapping) for name, mapping in labels.TEMPLATE_LABELS.items()}
    )
    app.jinja_env.globals.update(aria=aria, form_problems=form_problems, ruleset=RULES.__getitem__)
    app.jinja_env.globals.update(history.TEMPLATE_HELPERS)
    app.jinja_env.globals["shown_id_number"] = shown_id_number
    app.jinja_env.globals.update(paren=paren, colon=colon, listsep=listsep)
    app.jinja_env.globals["token_via"] = tokens.via
    app.jinja_env.globals["delivery_of"] = delivery_of
    app.jinja_env.filters["masked_id"] = mask_id_number

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        user = current_user.user if current_user.is_authenticated else None
        return {"english": wants_english(), "me": user, "today_iso": today().isoformat()}


def favicon() -> Response:
    """The site's icon where browsers look for it without a <link> (the pages link favicon.svg too)."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


def paren(text: object) -> str:
    """An aside in the reader's punctuation: （办结） in Chinese, " (Finished)" in English."""
    return f" ({text})" if wants_english() else f"（{text}）"


def colon() -> str:
    return ": " if wants_english() else "："


def listsep() -> str:
    return ", " if wants_english() else "、"


def shown_id_number(req: Request) -> str | None:
    """The applicant's ID number as the logged-in reader may see it (webapp.authz decides)."""
    user = current_user.user if current_user.is_authenticated else None
    if authz.sees_full_id_number(user, req):
        return req.applicant_id_number
    return mask_id_number(req.applicant_id_number)


def format_day(value: dt.date | None) -> str:
    """A date as the reader writes it: 2024年6月14日, or 2024-06-14 in English."""
    return cn_date(value, english=wants_english())


def format_moment(value: dt.datetime | None) -> str:
    """A timestamp in China Standard Time."""
    return china_time(value)


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
