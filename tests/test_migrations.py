"""The migrations build exactly the models' schema on an empty database, and every one downgrades."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

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
