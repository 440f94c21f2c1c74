"""What every response and every door shares: the security headers, the rate limits, the proxy in front.

Headers (every answer: pages, the API, errors, files): a Content-Security-Policy that lets a page load
only this site's own script and styles and no inline script or style, may not be framed, and may post
forms only here; nosniff; Referrer-Policy same-origin (the access code is never in a URL anyway, and
Flask-WTF's HTTPS check of CSRF tokens needs the same-origin Referer); HSTS in production. A view that
sets its own policy (downloads are sandboxed) keeps it.

Rate limits (Flask-Limiter), per client IP, in Redis when REDIS_URL is set (shared by every web process),
in memory otherwise; if Redis is down the limits go on in each process's memory and nothing is refused
for it (fail open: the service keeps working while Redis is away):

- login (RATELIMIT_LOGIN): failed logins on the staff login page. Each account is also locked after
  five failures in a row (webapp/domain/accounts.py), whatever the IP.
- submission (RATELIMIT_SUBMISSION): requests submitted on /apply and by POST /api/v1/requests without a
  staff token.
- tracking (RATELIMIT_TRACKING, one budget shared by the pages and the API): wrong tracking number or
  access code, on the tracking form or with X-Access-Code.

Why the access code cannot be guessed within them: it is 16 characters of a 32-letter alphabet
(webapp/domain/requests.py), 32^16 = 2^80 ≈ 1.2 × 10^24 codes, checked one (number, code) pair per try.
The default tracking limit lets one IP make at most 100 failed tries a day, 36,500 a year, so one IP
finds a given request's code within a year with probability 36,500 / 1.2 × 10^24 ≈ 3 × 10^-20; even a
million IPs for a year (3.65 × 10^10 tries) stay below 10^-13.

Answers over a limit: 429 with Retry-After, as API.md's JSON error (`rate_limited`) on /api/, as a
Chinese error page elsewhere.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, make_response, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from webapp.api import errors
from webapp.domain.calendar import CHINA
from webapp.i18n import _l
from webapp.web.common import error_page

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def client_ip() -> str:
    """The key of every limit: the client's address (the proxy's X-Forwarded-For with TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def init_security(app: Flask) -> Limiter:
    """After the blueprints: their views are the ones the limits wrap."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    app.after_request(security_headers)
    limiter = init_limits(app)
    return limiter


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("HSTS_ENABLED"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "no-store")
    return response


# -- rate limits ---------------------------------------------------------------------------------------


def init_limits(app: Flask) -> Limiter:
    config = app.config
    config.setdefault("RATELIMIT_ENABLED", True)
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    if str(config["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://")):
        # A Redis that is away answers at once: the limits fall back to memory, no request waits.
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    config.setdefault("RATELIMIT_KEY_PREFIX", "gd-limits")
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    limiter = Limiter(key_func=client_ip, app=app)  # one per app: tests make apps with other settings
    app.extensions["rate_limiter"] = limiter  # the limits below hold it weakly

    def configured(name: str) -> Callable[[], str]:
        return lambda: str(current_app.config[name])

    login = limiter.limit(
        configured("RATELIMIT_LOGIN"), methods=["POST"], deduct_when=lambda r: r.status_code != 302
    )
    web_submission = limiter.shared_limit(
        configured("RATELIMIT_SUBMISSION"),
        scope="submission",
        methods=["POST"],
        deduct_when=lambda r: r.status_code == 302,
    )
    api_submission = limiter.shared_limit(
        configured("RATELIMIT_SUBMISSION"),
        scope="submission",
        methods=["POST"],
        exempt_when=lambda: "Authorization" in request.headers,  # staff registering letters
        deduct_when=lambda r: r.status_code == 201,
    )
    web_tracking = limiter.shared_limit(
        configured("RATELIMIT_TRACKING"),
        scope="tracking",
        methods=["POST"],
        deduct_when=lambda r: r.status_code == 422,
    )
    api_tracking = limiter.shared_limit(
        configured("RATELIMIT_TRACKING"),
        scope="tracking",
        exempt_when=lambda: "X-Access-Code" not in request.headers or "Authorization" in request.headers,
        deduct_when=lambda r: r.status_code == 404,
    )

    views: dict[str, Any] = app.view_functions
    views["staff.login"] = login(views["staff.login"])
    views["citizen.apply"] = web_submission(views["citizen.apply"])
    views["citizen.track"] = web_tracking(views["citizen.track"])
    for endpoint in [e for e in views if e.startswith("api_v1.")]:
        views[endpoint] = api_tracking(views[endpoint])
    views["api_v1.Requests"] = api_submission(views["api_v1.Requests"])

    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


def retry_after() -> int:
    """Seconds until the limit just exceeded lets the client in again."""
    limiter: Limiter | None = current_app.extensions.get("rate_limiter")
    try:
        limit = limiter.current_limit if limiter is not None else None
        if limit is not None:
            return max(1, math.ceil(limit.reset_at - time.time()))
    except Exception:  # the storage is away: a minute is a fair guess
        current_app.logger.warning("rate limit storage unreachable computing Retry-After")
    return 60


def too_many_requests(exc: RateLimitExceeded) -> Any:
    seconds = retry_after()
    if errors.is_api_request():
        response = errors.http_error(exc)
    else:
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
        detail = _l(
            "尝试次数过多，请于 %(time)s（北京时间）之后再试。",
            time=until.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        )
        response = make_response(error_page(429, detail))
    response.headers["Retry-After"] = str(seconds)
    return response
