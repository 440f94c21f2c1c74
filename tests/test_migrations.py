"""The migrations build exactly the models' schema on an empty database, and every one downgrades."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import TEST_DATABASE_URL, app_config, private_database
from webapp import create_app
from webapp.extensions import db
from webapp.models.public import in_the_models


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with private_database(TEST_DATABASE_URL, "migrations") as url:
        yield url


@pytest.fixture
def migration_app(empty_database: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(app_config(empty_database, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# SQLite's reflection skips the queue's expression indexes (coalesce(due_on, …)); PostgreSQL's compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(migration_app: Flask):
    upgrade()
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": in_the_models}  # SQLite's FTS5 tables aside
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, db.metadata)
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables

    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    upgrade()  # and up again from nothing
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def _definition(table: str, constraint: str) -> str:
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"
            return str(conn.execute(text(sql), {"t": table}).scalar_one())
        sql = "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :c"
        return str(conn.execute(text(sql), {"c": constraint}).scalar_one())


def test_the_agency_steps_widen_the_status_and_document_checks_and_narrow_them_back(migration_app: Flask):
    """The CHECK constraints are not compared by the test above: the status awaiting_reasons (2019 rules
    Art. 35) and the agency steps' documents are let in by the migration, on SQLite too (where the
    table's definition is rewritten in place), and shut out again by its downgrade."""
    upgrade()
    assert "awaiting_reasons" in _definition("requests", "ck_requests_status")
    assert "third_party_notice" in _definition("documents", "ck_documents_kind")
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    downgrade(revision="5a7e3c91b2d4")
    assert "awaiting_reasons" not in _definition("requests", "ck_requests_status")
    assert "third_party_notice" not in _definition("documents", "ck_documents_kind")
    upgrade()
    assert "awaiting_reasons" in _definition("requests", "ck_requests_status")


def test_the_actor_names_are_backfilled_and_the_history_stays_append_only(migration_app: Flask):
    """9d4b2e7c1a05 gives every past event its actor's name of the day (or e-mail) and leaves the history's
    append-only triggers as they were."""
    import datetime as dt

    from tests.factories import make_agency, make_request, make_user

    upgrade()
    now = dt.datetime.now(dt.UTC)
    session = db.session()
    agency = make_agency(session, now, code="MIGR", name="迁移测试局")
    officer = make_user(session, now, agency, "officer", "migr@example.gov.cn")
    officer.name = "赵经办"
    req, _code = make_request(session, now, agency, officer=officer, received_on=now.date())
    session.commit()
    request_id = req.id
    session.close()
    downgrade(revision="f2c8a6e1b394")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE users SET name = '' WHERE email = 'migr@example.gov.cn'"))
    upgrade()
    with db.engine.connect() as conn:
        names = conn.execute(
            text("SELECT actor_name FROM request_events WHERE request_id = :r"), {"r": request_id}
        ).scalars()
        assert list(names) == ["migr@example.gov.cn"]  # no name that day: the e-mail
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE request_events SET note = 'x' WHERE request_id = :r"), {"r": request_id})
