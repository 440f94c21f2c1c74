"""Language: Chinese first; English when the client asks for it (Accept-Language: en).

Messages are written in Chinese in the code (the msgids) and translated to English by the catalog in
webapp/translations/en; `_l` marks them and resolves them lazily, in the language of the request that
shows them (outside a request, in Chinese).
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT_LOCALE = "zh_Hans_CN"

__all__ = ["_l", "_lp", "init_i18n", "translate", "wants_english"]
# `_lp(context, text)`: a name whose English depends on where it stands — the same Chinese 受理 is the
# button "Accept" (context "action") and the history's "Accepted" (context "event").


def wants_english() -> bool:
    """English when the pages' language switch chose it (kept in the session), else when the client's
    Accept-Language prefers it; the JSON API goes by Accept-Language alone."""
    if not has_request_context():
        return False
    if not request.path.startswith("/api/"):
        chosen = session.get("lang")
        if chosen in LANGUAGES:
            return bool(chosen == "en")
    return request.accept_languages.best_match(list(LANGUAGES), default="zh") == "en"


def select_locale() -> str:
    return LANGUAGES["en"] if wants_english() else DEFAULT_LOCALE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    Babel(app, locale_selector=select_locale)


def translate(message: object, english: bool = False) -> str:
    """A (lazy) message as text in the current request's language."""
    return str(message)
