"""identity documents - the 港澳 and 台湾 permits apart (docs/rules.md §Identity)

Revision ID: 7c1e4a9b2d30
Revises: a7e3c1d95b20
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e4a9b2d30'
down_revision = 'a7e3c1d95b20'
branch_labels = None
depends_on = None

NEW = "applicant_id_kind IN ('resident_id', 'hk_macau_permit', 'taiwan_permit', 'passport', 'other', 'credit_code')"
OLD = "applicant_id_kind IN ('resident_id', 'credit_code', 'passport', 'hk_macao_taiwan', 'other')"


OPEN = 'finished_on IS NULL'
DUE_KEY = sa.text("coalesce(due_on, '9999-12-31')")
# The queue's indexes over expressions (migrations 9a4e6c1d2b07 and c8f1a3e5d024): SQLite's batch mode, which copies the
# table to change a CHECK constraint, cannot reflect them, so they are dropped first and made again.
EXPRESSION_INDEXES = [
    ('ix_requests_agency_due', ['agency_id', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_due_open', [DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_received', ['received_on', DUE_KEY, 'tracking_number']),
    ('ix_requests_open_received_desc', [sa.text('received_on DESC'), DUE_KEY, 'tracking_number']),
    ('ix_requests_open_applicant', ['applicant_name', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_status', ['status', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_assignee', [sa.text('coalesce(assignee_id, 0)'), DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_channel', ['channel', DUE_KEY, 'received_on', 'tracking_number']),  # c8f1a3e5d024
    ('ix_requests_open_applicant_type', ['applicant_type', DUE_KEY, 'received_on', 'tracking_number']),
]


def _replace_check(check: str, before: str, after: str) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for name, _ in EXPRESSION_INDEXES:
            op.drop_index(name, table_name='requests')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_requests_applicant_id_kind'), type_='check')
    op.execute(
        f"UPDATE requests SET applicant_id_kind = {after} WHERE applicant_id_kind IN ({before})"
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_check_constraint('applicant_id_kind', check)
    if sqlite:
        for name, columns in EXPRESSION_INDEXES:
            op.create_index(name, 'requests', columns, unique=False, postgresql_where=OPEN)


def upgrade():
    # The one kind of the first schema splits in two: a 港澳 permit's number begins with H or M.
    _replace_check(
        NEW,
        "'hk_macao_taiwan'",
        "CASE WHEN substr(applicant_id_number, 1, 1) IN ('H', 'M') THEN 'hk_macau_permit' ELSE 'taiwan_permit' END",
    )


def downgrade():
    _replace_check(OLD, "'hk_macau_permit', 'taiwan_permit'", "'hk_macao_taiwan'")
