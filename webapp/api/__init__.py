"""The JSON API v1 (docs/api.md), its OpenAPI document at /api/v1/openapi.json, and its error answers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException

from webapp.api import errors
from webapp.api.schemas import ErrorOut
from webapp.domain.errors import DomainError


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self) -> None:
        """Errors are answered by init_api's handlers, in the shape of docs/api.md §Errors."""


def init_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "政府信息公开申请办理系统 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "accessCode": {"type": "apiKey", "in": "header", "name": "X-Access-Code"},
                }
            }
        },
    )
    from webapp.api import annual_data, calendar, citizens, public, repeated, reports  # noqa: F401  (add their routes to bp)
    from webapp.api.routes import bp

    api.register_blueprint(bp)
    from webapp.api.auth import end_of_request

    app.teardown_request(end_of_request)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        return errors.domain_error(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if errors.is_api_request():
            return errors.http_error(exc)
        if exc.code is not None and exc.code >= 400:
            # A page outside every blueprint (an unknown address): the same Chinese page as the views'.
            from webapp.web.common import error_page

            return error_page(exc.code)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return _http(exc)
        return errors.unexpected_error(exc)
