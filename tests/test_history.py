"""The event history is append-only: the database itself refuses to update or delete an event (or, on
PostgreSQL, to truncate the table), on SQLite and on PostgreSQL, whatever the code asks; the migration
that installs the guard removes it on downgrade."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from tests.conftest import TEST_DATABASE_URL, app_config, private_database
from tests.factories import make_agency, make_request
from webapp import create_app
from webapp.domain.requests import act
from webapp.extensions import db
from webapp.models import Event, Request
from webapp.models.request import APPEND_ONLY_MESSAGE


@pytest.fixture
def history(session: Any, now: dt.datetime) -> Request:
    agency = make_agency(session, now, code="HIST")
    req, _ = make_request(session, now, agency, received_on=dt.date(2024, 6, 3))
    act(session, req, "comment", req.registered_by, now=now, note="第一条备注")
    session.commit()
    return req


def refused(session: Any, statement: Any) -> str:
    """Run `statement` in a savepoint; it must fail, and the history must be as it was."""
    with pytest.raises(DatabaseError) as caught, session.begin_nested():
        session.execute(statement)
    return str(caught.value)


def notes(session: Any, req: Request) -> list[str]:
    return list(session.scalars(select(Event.note).where(Event.request_id == req.id).order_by(Event.seq)))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE request_events SET note = 'rewritten' WHERE request_id = :id",
        "UPDATE request_events SET public = NOT public WHERE request_id = :id",
        "DELETE FROM request_events WHERE request_id = :id",
        "DELETE FROM request_events",
    ],
)
def test_the_database_refuses_to_rewrite_or_remove_events(session: Any, history: Request, statement: str):
    before = notes(session, history)
    message = refused(
        session, text(statement).bindparams(id=history.id) if ":id" in statement else text(statement)
    )
    assert APPEND_ONLY_MESSAGE in message
    assert notes(session, history) == before
    assert before[0].startswith("通过信函渠道收到申请；") and before[1] == "第一条备注"  # registered late


def test_orm_updates_and_deletes_are_refused_too(session: Any, history: Request):
    assert APPEND_ONLY_MESSAGE in refused(
        session, update(Event).where(Event.request_id == history.id).values(note="x")
    )
    assert APPEND_ONLY_MESSAGE in refused(session, delete(Event).where(Event.request_id == history.id))
    assert len(notes(session, history)) == 2


def test_deleting_a_request_cannot_take_its_history_with_it(session: Any, history: Request):
    """Requests are never deleted by the product; if someone tries, the cascade to events is refused."""
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert APPEND_ONLY_MESSAGE in refused(session, delete(Request).where(Request.id == history.id))
    assert session.get(Request, history.id) is not None
    assert len(notes(session, history)) == 2


def test_postgresql_refuses_truncate(session: Any, history: Request):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    assert APPEND_ONLY_MESSAGE in refused(session, text("TRUNCATE request_events CASCADE"))
    assert len(notes(session, history)) == 2


def test_new_events_are_still_appended(session: Any, history: Request, now: dt.datetime):
    act(session, history, "comment", history.registered_by, now=now, note="第二条备注")
    session.commit()
    assert notes(session, history)[-1] == "第二条备注"


# -- the migration ----------------------------------------------------------------------------------------


@pytest.fixture
def migration_app(tmp_path: Path) -> Iterator[Flask]:
    def build(url: str) -> Iterator[Flask]:
        app = create_app(app_config(url, tmp_path))
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()

    if not TEST_DATABASE_URL:
        yield from build(f"sqlite:///{tmp_path / 'history.db'}")
        return
    with private_database(TEST_DATABASE_URL, "history") as url:
        yield from build(url)


def guard_names() -> set[str]:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'request_events'::regclass "
                    "AND NOT tgisinternal UNION SELECT proname FROM pg_proc "
                    "WHERE proname = 'request_events_append_only'"
                )
            )
        else:
            rows = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'request_events'")
            )
        return {row[0] for row in rows}


# SQLite rebuilds a table to drop a column on the way down, reflecting the queue's expression indexes,
# which it cannot (tests/test_migrations.py says the same).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migration_installs_the_guard_and_downgrade_removes_it(migration_app: Flask):
    upgrade()
    installed = guard_names()
    assert installed, "no trigger on request_events after upgrade"

    downgrade(revision="c3f2e9a7d903")
    assert guard_names() == set()
    upgrade()
    assert guard_names() == installed
