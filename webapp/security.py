"""What every response and every door shares: the security headers, the rate limits, the proxy in front.

Headers (every answer: pages, the API, errors, files): a Content-Security-Policy that lets a page load
only this site's own script and styles and no inline script or style, may not be framed, and may post
forms only here; nosniff; Referrer-Policy same-origin (the access code is never in a URL anyway, and
Flask-WTF's HTTPS check of CSRF tokens needs the same-origin Referer); HSTS in production. A view that
sets its own policy (downloads are sandboxed) keeps it.

Rate limits (Flask-Limiter), per client IP, in Redis when REDIS_URL is set (shared by every web process),
in memory otherwise; if Redis is down the limits go on in each process's memory and nothing is refused
for it (fail open: the service keeps working while Redis is away):

- login (RATELIMIT_LOGIN): failed logins on the staff login page, and (a budget of its own) wrong codes
  on its second step. Each account is also locked after five failures in a row, passwords and codes
  alike (webapp/domain/accounts.py), whatever the IP.
- submission (RATELIMIT_SUBMISSION): requests submitted on /apply and by POST /api/v1/requests without a
  staff token.
- tracking (RATELIMIT_TRACKING, one budget shared by the pages and the API): wrong tracking number or
  access code, on the tracking form or with X-Access-Code.
- lost access codes (RATELIMIT_ACCESS_CODE per client IP, RATELIMIT_ACCESS_CODE_REQUEST per tracking
  number, pages and API together): every ask counts, known number or not, so the 429 tells nothing either.
- uploads (RATELIMIT_UPLOAD per client IP, RATELIMIT_UPLOAD_REQUEST per request): files the applicant
  uploads on /apply, with a correction or by POST …/attachments with X-Access-Code; each file counts,
  refused ones too (the body was received all the same) — against the request's own budget only when
  the sender may upload onto it, so a stranger cannot use it up. Staff uploads are not rate-limited (they are
  signed in and answerable); every upload, staff or not, stays within the request's cap
  (webapp/domain/upload_limits.py).

Why the access code cannot be guessed within them: it is 16 characters of a 32-letter alphabet
(webapp/domain/access_codes.py), 32^16 = 2^80 ≈ 1.2 × 10^24 codes, checked one (number, code) pair per try.
The default tracking limit lets one IP make at most 100 failed tries a day, 36,500 a year, so one IP
finds a given request's code within a year with probability 36,500 / 1.2 × 10^24 ≈ 3 × 10^-20; even a
million IPs for a year (3.65 × 10^10 tries) stay below 10^-13.

Answers over a limit: 429 with Retry-After, as the JSON error of docs/api.md §Errors (`rate_limited`) on
/api/, as a Chinese error page elsewhere; an upload limit is named in the message (and on the pages it stands
beside the file input of the form shown again).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, make_response, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from webapp.api import errors
from webapp.domain.dates import china_time
from webapp.i18n import _l, translate, wants_english
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

    def files_sent() -> int:
        return sum(1 for f in request.files.getlist("attachments") if f.filename)

    web_uploads = limiter.shared_limit(
        configured("RATELIMIT_UPLOAD"), scope=UPLOADS, methods=["POST"], cost=files_sent
    )
    web_request_uploads = limiter.shared_limit(
        configured("RATELIMIT_UPLOAD_REQUEST"),
        scope=REQUEST_UPLOADS,
        key_func=uploaded_request,
        methods=["POST"],
        cost=files_sent,
        deduct_when=upload_authorised,
    )
    staff_token = lambda: "Authorization" in request.headers  # noqa: E731
    api_uploads = limiter.shared_limit(
        configured("RATELIMIT_UPLOAD"), scope=UPLOADS, methods=["POST"], exempt_when=staff_token
    )
    api_request_uploads = limiter.shared_limit(
        configured("RATELIMIT_UPLOAD_REQUEST"),
        scope=REQUEST_UPLOADS,
        key_func=uploaded_request,
        methods=["POST"],
        exempt_when=staff_token,
        deduct_when=upload_authorised,
    )

    views: dict[str, Any] = app.view_functions
    views["staff.login"] = login(views["staff.login"])
    # wrong codes of the login's second step (webapp/web/two_factor.py), a budget of their own
    views["staff.login_code"] = limiter.limit(
        configured("RATELIMIT_LOGIN"), methods=["POST"], deduct_when=lambda r: r.status_code != 302
    )(views["staff.login_code"])
    # password-reset links asked for, whether or not the address has an account (webapp/web/accounts.py)
    views["staff.password_forgot"] = limiter.limit(configured("RATELIMIT_PASSWORD_RESET"), methods=["POST"])(
        views["staff.password_forgot"]
    )
    # citizens' sign-in codes: every code asked for counts, as do wrong codes typed
    # (webapp/web/citizen_account.py)
    codes = limiter.shared_limit(configured("RATELIMIT_LOGIN"), scope="citizen-codes", methods=["POST"])
    wrong_codes = limiter.shared_limit(
        configured("RATELIMIT_LOGIN"),
        scope="citizen-sign-in",
        methods=["POST"],
        deduct_when=lambda r: r.status_code in (401, 422),
    )
    views["api_v1.CitizenCodes"] = codes(views["api_v1.CitizenCodes"])
    views["citizen.account_sign_in"] = codes(views["citizen.account_sign_in"])
    views["api_v1.CitizenSessions"] = wrong_codes(views["api_v1.CitizenSessions"])
    views["citizen.account_code"] = wrong_codes(views["citizen.account_code"])
    # lost access codes asked for (webapp/web/citizen_account.py, webapp/api/citizens.py): every ask counts,
    # per address and per tracking number, whether or not the number exists (the answers stay alike)
    lost_codes = limiter.shared_limit(configured("RATELIMIT_ACCESS_CODE"), scope=LOST_CODES, methods=["POST"])
    lost_codes_number = limiter.shared_limit(
        configured("RATELIMIT_ACCESS_CODE_REQUEST"),
        scope=LOST_CODES_NUMBER,
        key_func=asked_number,
        methods=["POST"],
    )
    for endpoint in ("api_v1.AccessCodes", "citizen.lost_code"):
        views[endpoint] = lost_codes_number(lost_codes(views[endpoint]))
    views["citizen.apply"] = web_submission(views["citizen.apply"])
    views["citizen.track"] = web_tracking(views["citizen.track"])
    for endpoint in [e for e in views if e.startswith("api_v1.")]:
        views[endpoint] = api_tracking(views[endpoint])
    views["api_v1.Requests"] = api_submission(views["api_v1.Requests"])
    views["citizen.apply"] = web_uploads(views["citizen.apply"])
    views["citizen.correct"] = web_request_uploads(web_uploads(views["citizen.correct"]))
    views["api_v1.Attachments"] = api_request_uploads(api_uploads(views["api_v1.Attachments"]))

    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


UPLOADS, REQUEST_UPLOADS = "uploads", "request-uploads"
LOST_CODES, LOST_CODES_NUMBER = "lost-codes", "lost-codes-number"


def asked_number() -> str:
    """The key of the per-number limit on lost access codes: the tracking number asked about (the JSON
    body's or the form's), normalised as the lookup does; one key for every unreadable body."""
    body: Any = request.get_json(silent=True) if request.is_json else request.form
    number = body.get("tracking_number") if isinstance(body, dict) or not request.is_json else None
    return str(number or "").strip().upper()[:40] or "none"


PERIODS = {
    "second": _l("秒"),
    "minute": _l("分钟"),
    "hour": _l("小时"),
    "day": _l("天"),
    "month": _l("个月"),
    "year": _l("年"),
}


def upload_authorised(_response: Response) -> bool:
    """A request's own budget is spent only by those who may upload onto it (the view sets the flag once
    the access code or tracked session is checked): a stranger cannot use it up."""
    return bool(g.get("upload_authorised"))


def uploaded_request() -> str:
    """The key of the per-request upload limit: the tracking number in the path."""
    return str((request.view_args or {}).get("tracking_number", "")).strip().upper() or "none"


def upload_limit_message(exc: RateLimitExceeded) -> Any | None:
    """The upload limit that refused the request, named in Chinese; None for the other limits."""
    scope = getattr(exc.limit, "scope", None)
    if scope not in (UPLOADS, REQUEST_UPLOADS):
        return None
    item = exc.limit.limit
    unit = PERIODS.get(item.GRANULARITY.name, item.GRANULARITY.name)
    period = f"{item.multiples}{unit}" if item.multiples > 1 else unit
    if scope == UPLOADS:
        return _l(
            "上传过于频繁：同一网络地址每%(period)s最多上传%(count)s个文件，请稍后再试。",
            period=period,
            count=item.amount,
        )
    return _l(
        "上传过于频繁：每件申请每%(period)s最多上传%(count)s个文件，请稍后再试。",
        period=period,
        count=item.amount,
    )


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
    named = upload_limit_message(exc)
    if named is not None and errors.is_api_request():
        english = wants_english()
        message = translate(named, english)
        response = errors.error_response(429, "rate_limited", message, {"file": message})
    elif errors.is_api_request():
        response = errors.http_error(exc)
    elif named is not None:
        from webapp.web.citizen import upload_refused  # the pages import this module

        response = make_response(upload_refused(named, 429))
    else:
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
        detail = _l(
            "尝试次数过多，请于 %(time)s（北京时间）之后再试。",
            time=china_time(until),
        )
        response = make_response(error_page(429, detail))
    response.headers["Retry-After"] = str(seconds)
    return response
