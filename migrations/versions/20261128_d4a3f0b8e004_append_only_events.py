"""append-only event history - the database refuses updates and deletes of events

Revision ID: d4a3f0b8e004
Revises: c3f2e9a7d903
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a3f0b8e004'
down_revision = 'c3f2e9a7d903'
branch_labels = None
depends_on = None


# The event history is append-only (issue 9): the database itself refuses to change or remove an event,
# whatever the code does. PostgreSQL: a trigger function raising on UPDATE, DELETE (including a delete
# cascaded from its request) and TRUNCATE; SQLite: BEFORE UPDATE/DELETE triggers that abort. Only a
# superuser's maintenance session (session_replication_role = replica, which skips ordinary triggers) can
# get past it. The same statements as webapp/models/request.py attaches to the table for create_all.
APPEND_ONLY_MESSAGE = "request_events is append-only: events are never updated or deleted"
APPEND_ONLY_DDL = {
    "postgresql": [
        f"""CREATE FUNCTION request_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
END
$$""",
        "CREATE TRIGGER request_events_append_only BEFORE UPDATE OR DELETE ON request_events "
        "FOR EACH ROW EXECUTE FUNCTION request_events_append_only()",
        "CREATE TRIGGER request_events_no_truncate BEFORE TRUNCATE ON request_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION request_events_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        "CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ],
}
APPEND_ONLY_DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS request_events_no_truncate ON request_events",
        "DROP TRIGGER IF EXISTS request_events_append_only ON request_events",
        "DROP FUNCTION IF EXISTS request_events_append_only()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS request_events_no_delete",
        "DROP TRIGGER IF EXISTS request_events_no_update",
    ],
}


def upgrade():
    for statement in APPEND_ONLY_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in APPEND_ONLY_DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
