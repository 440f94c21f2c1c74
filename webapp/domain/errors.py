"""Errors the domain raises; the API and pages turn each into its answer (docs/api.md §Errors)."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: object, fields: Mapping[str, object] | None = None) -> None:
        """`message` and the field messages may be lazy translations, shown in the reader's language."""
        super().__init__(str(message))
        self.message = message
        self.fields = dict(fields or {})


class BadRequest(DomainError):
    code = "bad_request"
    http_status = 400


class ValidationError(DomainError):
    code = "validation_error"
    http_status = 422


class IllegalTransition(DomainError):
    code = "illegal_transition"
    http_status = 409


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429
