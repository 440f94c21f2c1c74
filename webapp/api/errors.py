"""Every 4xx/5xx of /api/v1 as the JSON error of docs/api.md §Errors, in Chinese unless the client asks for
English."""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlalchemy.exc
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.domain.errors import DomainError
from webapp.i18n import translate, wants_english

log = logging.getLogger(__name__)

GENERIC = {
    400: ("bad_request", "请求格式有误", "The request is malformed"),
    401: ("unauthorized", "需要登录或有效的令牌", "Authentication required"),
    403: ("forbidden", "无权进行此操作", "Not allowed"),
    404: ("not_found", "申请不存在或访问码不正确", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not_acceptable", "无法提供所要求的格式", "Not acceptable"),
    409: ("conflict", "与当前状态冲突", "Conflict"),
    413: ("payload_too_large", "上传内容过大", "Payload too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    422: ("validation_error", "输入有误，请检查标出的字段", "Invalid input: see the fields named"),
    429: ("rate_limited", "请求过于频繁，请稍后再试", "Too many requests, try again later"),
    500: ("internal_error", "服务器内部错误，请稍后再试", "Internal error, please try again later"),
    503: ("unavailable", "服务暂时不可用，请稍后再试", "Service unavailable, try again shortly"),
}
# The database is unreachable or dropped the connection (a restart, a failover) or the pool is exhausted:
# a passing state, answered 503 with Retry-After so that clients try again (with their Idempotency-Key).
UNAVAILABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.TimeoutError)
RETRY_AFTER_SECONDS = 5

# marshmallow's field messages, in Chinese
FIELD_MESSAGES_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), "必填"),
    (re.compile(r"^Unknown field\.$"), "不支持的字段"),
    (re.compile(r"^Field may not be null\.$"), "不能为空"),
    (re.compile(r"^Not a valid string\.$"), "应为文本"),
    (re.compile(r"^Not a valid integer\.$"), "应为整数"),
    (re.compile(r"^Not a valid number\.$"), "应为数字"),
    (re.compile(r"^Not a valid boolean\.$"), "应为 true 或 false"),
    (re.compile(r"^Not a valid date\.$"), "不是有效日期（格式 YYYY-MM-DD）"),
    (re.compile(r"^Not a valid mapping type\.$"), "应为对象"),
    (re.compile(r"^Invalid input type\.$"), "类型不正确"),
    (re.compile(r"^Invalid value\.$"), "取值无效"),
    (re.compile(r"^Must be one of: (.*)\.$"), r"应为以下之一：\1"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"不能超过\1个字符"),
    (re.compile(r"^Length must be between 1 and (\d+)\.$"), r"必填，且不能超过\1个字符"),
    (re.compile(r"^Length must be between 0 and (\d+)\.$"), r"不能超过\1个字符"),
    (re.compile(r"^Shorter than minimum length 1\.$"), "必填"),
    (
        re.compile(r"^Must be greater than or equal to (\d+) and less than or equal to (\d+)\.$"),
        r"应在\1至\2之间",
    ),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"), "不能为 NaN 或无穷大"),
    (re.compile(r"^Contains a character that is not allowed\.$"), "含有不允许的字符"),
]


def _field_message(message: str, english: bool) -> str:
    if english:
        return message
    for pattern, zh in FIELD_MESSAGES_ZH:
        if pattern.match(message):
            return pattern.sub(zh, message)
    return message


def flatten(messages: Any, english: bool, prefix: str = "") -> dict[str, str]:
    """webargs' nested {"json": {"applicant": {"type": [...]}}} as {"applicant.type": "..."}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            # a nested object of the wrong type is reported under `_schema`: name the field itself
            name = prefix if (key == "_schema" and prefix) else f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                out[name] = _field_message(value[0], english)
            else:
                out.update(flatten(value, english, name))
    elif isinstance(messages, list) and messages:
        out[prefix or "body"] = _field_message(str(messages[0]), english)
    return out


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


def domain_error(exc: DomainError) -> Response:
    english = wants_english()
    fields = {k: translate(v, english) for k, v in exc.fields.items()}
    return error_response(exc.http_status, exc.code, translate(exc.message, english), fields)


def http_error(exc: HTTPException) -> Response:
    english = wants_english()
    status = exc.code or 500
    code, zh, en = GENERIC.get(status, GENERIC[400] if status < 500 else GENERIC[500])
    data = getattr(exc, "data", None) or {}
    fields: dict[str, str] = {}
    if "messages" in data:
        locations = data["messages"]
        for location, messages in locations.items():
            flat = flatten(messages, english)
            if location == "headers":
                flat = {k.title(): v for k, v in flat.items()}
            fields.update(flat)
        if "body" in fields or "_schema" in fields:
            problem = fields.pop("_schema", None) or fields.pop("body")
            if "Invalid JSON" in problem or "JSON" in problem:
                status, code = 400, "bad_request"
                zh, en = "请求正文不是有效的 JSON", "The request body is not valid JSON"
                problem = en if english else "不是有效的 JSON"
            fields["body"] = problem
    response = error_response(status, code, en if english else zh, fields)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def unexpected_error(exc: Exception) -> Response:
    english = wants_english()
    if isinstance(exc, UNAVAILABLE):
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        code, zh, en = GENERIC[503]
        response = error_response(503, code, en if english else zh)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.exception("unhandled error on %s %s", request.method, request.path)
    code, zh, en = GENERIC[500]
    return error_response(500, code, en if english else zh)
