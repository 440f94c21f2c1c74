"""event actor names - the name of who made each history event, as it was then

Revision ID: 9d4b2e7c1a05
Revises: f2c8a6e1b394
Create Date: 2026-12-05 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4b2e7c1a05'
down_revision = 'f2c8a6e1b394'
branch_labels = None
depends_on = None


# The history is append-only (d4a3f0b8e004): the backfill of the names users have today passes the
# triggers by switching them off for this one statement (PostgreSQL), or dropping and making them again
# (SQLite). A plain ADD/DROP COLUMN, never a batch copy that would lose the SQLite triggers.
MESSAGE = 'request_events is append-only: events are never updated or deleted'
SQLITE_NO_UPDATE = (
    "CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
)
BACKFILL = (
    "UPDATE request_events SET actor_name = ("
    "SELECT COALESCE(NULLIF(users.name, ''), users.email) FROM users WHERE users.id = request_events.actor_id"
    ") WHERE actor_id IS NOT NULL"
)


def upgrade():
    op.add_column('request_events', sa.Column('actor_name', sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS request_events_no_update')
        op.execute(BACKFILL)
        op.execute(SQLITE_NO_UPDATE)
    else:
        op.execute('ALTER TABLE request_events DISABLE TRIGGER request_events_append_only')
        op.execute(BACKFILL)
        op.execute('ALTER TABLE request_events ENABLE TRIGGER request_events_append_only')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE request_events DROP COLUMN actor_name')
    else:
        op.drop_column('request_events', 'actor_name')
