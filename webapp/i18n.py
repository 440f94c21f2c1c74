"""Language: Chinese first; English when the client asks for it (Accept-Language: en)."""

from __future__ import annotations

from flask import has_request_context, request


def wants_english() -> bool:
    if not has_request_context():
        return False
    return request.accept_languages.best_match(["zh", "en"], default="zh") == "en"


def translate(message: object, english: bool) -> str:
    return str(message)
