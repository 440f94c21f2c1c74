"""agency steps - the status awaiting_reasons (Art. 35) and the documents of Art. 32, 34 and 35

Revision ID: 8c2f4e6a1b37
Revises: 5a7e3c91b2d4
Create Date: 2026-12-04 22:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8c2f4e6a1b37'
down_revision = '5a7e3c91b2d4'
branch_labels = None
depends_on = None


STATUSES = ('received', 'in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee', 'replied')
NEW_STATUSES = ('awaiting_reasons',)
KINDS = (
    'receipt', 'correction_notice', 'extension_notice', 'consultation_notice', 'fee_notice', 'reply',
    'closure_notice', 'consultation_letter',
)
NEW_KINDS = (
    'agency_consultation_notice', 'reasons_notice', 'reply_period_notice', 'agency_consultation_letter',
    'third_party_notice',
)
CHECKS = (
    ('requests', 'ck_requests_status', 'status', STATUSES, NEW_STATUSES),
    ('documents', 'ck_documents_kind', 'kind', KINDS, NEW_KINDS),
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_check(table, old, new):
    """SQLite cannot alter a CHECK constraint, and a batch copy of `requests` would have to drop the
    table that request_events (append-only, cascading) refers to. Widening or narrowing an IN list leaves
    every stored row as it is, so the table's definition is rewritten in place, as SQLite documents for
    constraint changes that do not touch the stored data (https://www.sqlite.org/lang_altertable.html,
    "otherwise", the writable_schema procedure)."""
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f'{table}: the constraint {old!r} is not in its definition')
    version = conn.exec_driver_sql('PRAGMA schema_version').scalar_one()
    conn.exec_driver_sql('PRAGMA writable_schema = ON')
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql.replace(old, new), table)
    )
    conn.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    conn.exec_driver_sql('PRAGMA writable_schema = OFF')


def _change(widen):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, name, column, values, added in CHECKS:
        old, new = _in(column, values), _in(column, values + added)
        if not widen:
            old, new = new, old
        if sqlite:
            _sqlite_check(table, old, new)
        else:
            op.drop_constraint(op.f(name), table, type_='check')
            op.create_check_constraint(op.f(name), table, new)


def upgrade():
    _change(widen=True)


def downgrade():
    _change(widen=False)
