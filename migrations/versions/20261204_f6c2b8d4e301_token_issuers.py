"""token issuers - who issued each API token, and which token an event came through

Revision ID: f6c2b8d4e301
Revises: f6c5b2d0a206
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6c2b8d4e301'
down_revision = 'f6c5b2d0a206'
branch_labels = None
depends_on = None


# Plain ALTER TABLE … ADD COLUMN on both databases: no batch copy of request_events on SQLite, which would
# drop its append-only triggers (SQLite takes a column's REFERENCES clause in ADD COLUMN, not a separate
# constraint). Tokens issued before this revision record no issuer, as the command line's do
# (docs/security.md, "Two levels of administration").
COLUMNS = (
    ('api_tokens', 'issued_by_id', 'users', 'fk_api_tokens_issued_by_id_users'),
    ('request_events', 'token_id', 'api_tokens', 'fk_request_events_token_id_api_tokens'),
)
SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events "
    "BEGIN SELECT RAISE(ABORT, 'request_events is append-only: events are never updated or deleted'); END",
    "CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events "
    "BEGIN SELECT RAISE(ABORT, 'request_events is append-only: events are never updated or deleted'); END",
)


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column, referred, name in COLUMNS:
        if sqlite:
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
                f'CONSTRAINT {name} REFERENCES {referred} (id)'
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, referred, [column], ['id'])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a column with a constraint only by copying the table, which loses its triggers:
        # the append-only ones are dropped first and made again on the copy.
        op.execute('DROP TRIGGER IF EXISTS request_events_no_delete')
        op.execute('DROP TRIGGER IF EXISTS request_events_no_update')
        for table, column, _referred, _name in reversed(COLUMNS):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_column(column)
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)
        return
    for table, column, _referred, name in reversed(COLUMNS):
        op.drop_constraint(name, table, type_='foreignkey')
        op.drop_column(table, column)
