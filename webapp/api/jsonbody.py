"""Request bodies in JSON, parsed in one place: webargs' parser (every @bp.arguments of /api/v1) and Flask's
own request.get_json both go through `loads`.

No body the API accepts is nested more than a few levels (a request with its applicant: 2), so a body
nested deeper than MAX_DEPTH arrays and objects is not valid input: it is answered 400 `bad_request` like
any other malformed JSON, and never reaches code that walks it recursively (marshmallow, json.dumps of the
Idempotency-Key's body hash). The standard parser itself raises RecursionError (a 500 until now) at about
1,000 levels: that is the same 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MAX_DEPTH = 32


class TooDeep(json.JSONDecodeError):
    """A JSONDecodeError (a ValueError), so that every caller treats it as malformed JSON."""

    def __init__(self, doc: str) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels", doc, 0)


def nesting_depth(value: Any) -> int:
    """The deepest nesting of arrays and objects in a parsed value, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > MAX_DEPTH:
            return depth
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def parsed(parse: Callable[[], Any], doc: str | bytes | bytearray) -> Any:
    """`parse()`'s value, or TooDeep when the document nests too deep (for the parser or for us)."""
    try:
        value = parse()
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = nesting_depth(value) > MAX_DEPTH
    if too_deep:
        raise TooDeep(doc[:100].decode("utf-8", "replace") if not isinstance(doc, str) else doc[:100])
    return value


def loads(data: str | bytes | bytearray, **kwargs: Any) -> Any:
    return parsed(lambda: json.loads(data, **kwargs), data)


class JsonProvider(DefaultJSONProvider):
    """Flask's request.get_json with the same limit (its failure is a 400 too); answers in UTF-8."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class Parser(FlaskParser):
    """webargs' parser for /api/v1 with the limit: a body too deep is its "Invalid JSON body." 400."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        return parsed(lambda: core.parse_json(raw), raw)
