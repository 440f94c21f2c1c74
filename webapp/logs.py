"""Structured logs: one JSON object a line (production), plain text in development; never personal data.

The code logs ids, tracking numbers, endpoints and error types only — never names, ID numbers, phone
numbers, e-mail addresses, access codes or request bodies. `RedactFilter` is the safety net on every
handler installed here: whatever slips through that looks like a resident ID number, a phone number or an
e-mail address is replaced before the line is written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from typing import Any

# Set per web request (webapp/ops.py) or per task (workers/celery_app.py); shown on every line.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("task", default=None)

# The extra fields a record may carry (logger.info(..., extra={...})) that the JSON line shows.
FIELDS = ("endpoint", "method", "status", "duration_ms", "queue", "outcome")

_PATTERNS = [
    # e-mail addresses
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # resident ID numbers: 18 characters (the last may be X) or the old 15 digits
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{15}(?!\d)"), "[id-number]"),
    # mobile numbers (optionally +86) and landlines with an area code
    (re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)"), "[phone]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Replaces ID numbers, phone numbers and e-mail addresses in a record's message and exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def strip_query_strings(text: str) -> str:
    """`GET /staff/queue?q=张三 HTTP/1.1` → `GET /staff/queue HTTP/1.1`."""
    return _QUERY.sub(r"\1", text)


class QueryStringFilter(logging.Filter):
    """On werkzeug's logger: the development server (`flask run`, scripts/start.sh) logs every request
    line with its query string — a staff search by an applicant's name. Its lines keep the path only (the
    application's own line per request, webapp/ops.py, names the endpoint)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(strip_query_strings(message))
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def quiet_dev_server() -> None:
    """Idempotent: the filter on werkzeug's logger, whatever handler ends up writing its records."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryStringFilter) for f in logger.filters):
        logger.addFilter(QueryStringFilter())


class JsonFormatter(logging.Formatter):
    """{"timestamp", "level", "logger", "message", "request_id"?, "task"?, "task_id"?, endpoint, method,
    status, duration_ms (where given), "exception"?} — UTC timestamps, non-ASCII kept as UTF-8. Every
    text field is redacted as the message is (a request id or task id could carry personal data too)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        running = task.get()
        if running:
            line["task"], line["task_id"] = running
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        for name, value in line.items():  # every field, not only the message (RedactFilter's)
            if isinstance(value, str) and name not in ("timestamp", "task_id"):  # task ids: Celery's uuids
                line[name] = redact(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


_MARK = "_gov_disclosure_handler"


def handler(fmt: str, stream: Any = None) -> logging.Handler:
    h = logging.StreamHandler(stream or sys.stderr)
    h.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    h.addFilter(RedactFilter())
    setattr(h, _MARK, True)
    return h


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Install (or replace) this application's handler on the root logger. Idempotent."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _MARK, False):
            root.removeHandler(h)
    root.addHandler(handler(fmt))
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin at start
