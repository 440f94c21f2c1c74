"""政府信息公开申请办理系统 — the Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from webapp.api.jsonbody import JsonProvider
from webapp.config import PROJECT_DIR, Settings, ensure_metrics_token, ensure_secret_key


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(PROJECT_DIR / "instance"))
    app.config.update(Settings.from_env().flask_config())
    app.config["MAX_CONTENT_LENGTH"] = 25 * 1024 * 1024
    app.json = JsonProvider(app)  # Chinese as UTF-8, not \u escapes; bodies parsed with a depth limit
    if config:
        app.config.update(config)
    _private_data(app)
    ensure_secret_key(app.config)
    ensure_metrics_token(app.config)
    _logging(app)

    from webapp import models  # noqa: F401  (registers the tables)
    from webapp.extensions import db, end_session, migrate

    db.init_app(app)
    app.teardown_appcontext(end_session)  # runs before Flask-SQLAlchemy's own teardown
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), compare_type=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)

    from webapp.domain.documents import use_renderer
    from webapp.render.letters import render
    from webapp.render.pdf import harden

    harden()  # reportlab fetches no URL named in a PDF's text (webapp/render/pdf.py)
    use_renderer(render)  # the documents' PDFs: the domain stores them, webapp.render makes them

    from webapp.api import init_api
    from webapp.cli import register_cli
    from webapp.i18n import init_i18n
    from webapp.ops import init_ops
    from webapp.security import init_security
    from webapp.web import init_web

    init_i18n(app)
    init_api(app)
    init_web(app)
    init_security(app)  # headers and rate limits, after the views they wrap

    register_cli(app)
    init_ops(app)

    return app


def _private_data(app: Flask) -> None:
    """The data directory and whatever this process writes are the owner's only (webapp/files.py)."""
    from webapp.files import make_private, private_sqlite_file, private_umask

    if app.config.get("PRIVATE_UMASK", True):  # off only in the test suite (it runs other servers)
        private_umask()
    make_private(app.config["DATA_DIR"])
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and ":" not in database[:5]:
        private_sqlite_file(database)


def _logging(app: Flask) -> None:
    """JSON lines in production (LOG_FORMAT=json), text otherwise; tests keep pytest's own capture."""
    from webapp.logs import configure_logging, quiet_dev_server

    quiet_dev_server()

    if app.config["LOG_FORMAT"] == "json" or not (app.testing or logging.getLogger().handlers):
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    if app.config["APP_ENV"] == "production":  # SQL errors in the logs without their values (names…)
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **options}


def _sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, and transactions SQLAlchemy controls itself so SAVEPOINTs work (pysqlite)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: take the write lock at the start, waiting (busy_timeout) for another process's
        # transaction to end. A deferred transaction that read first fails at once ("database is locked",
        # no wait) when the web server and the workers both write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
