"""queue orders - one index per order of the queue over the open requests, and the filters' columns

Revision ID: 9a4e6c1d2b07
Revises: f6c2b8d4e301
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4e6c1d2b07'
down_revision = 'f6c2b8d4e301'
branch_labels = None
depends_on = None


OPEN = 'finished_on IS NULL'
OPEN_UNDATED = 'finished_on IS NULL AND due_on IS NULL'
DUE_KEY = sa.text("coalesce(due_on, '9999-12-31')")
ASSIGNEE_KEY = sa.text('coalesce(assignee_id, 0)')

# (name, columns) of webapp/models/request.py: each order of webapp/domain/queue.py, ties broken by the due
# date (no due date last), the received-on date and the tracking number.
NEW = [
    ('ix_requests_agency_due', ['agency_id', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_due_open', [DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_received', ['received_on', DUE_KEY, 'tracking_number']),
    ('ix_requests_open_received_desc', [sa.text('received_on DESC'), DUE_KEY, 'tracking_number']),
    ('ix_requests_open_applicant', ['applicant_name', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_status', ['status', DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_assignee', [ASSIGNEE_KEY, DUE_KEY, 'received_on', 'tracking_number']),
    ('ix_requests_open_channel', ['channel']),
    ('ix_requests_open_applicant_type', ['applicant_type']),
]


def upgrade():
    op.drop_index('ix_requests_open_undated', table_name='requests', postgresql_where=OPEN_UNDATED)
    op.drop_index('ix_requests_due_open', table_name='requests', postgresql_where=OPEN)
    op.drop_index('ix_requests_agency_due', table_name='requests', postgresql_where=OPEN)
    for name, columns in NEW:
        op.create_index(name, 'requests', columns, unique=False, postgresql_where=OPEN)


def downgrade():
    for name, _ in reversed(NEW):
        op.drop_index(name, table_name='requests', postgresql_where=OPEN)
    op.create_index('ix_requests_agency_due', 'requests', ['agency_id', 'due_on', 'received_on', 'id'],
                    unique=False, postgresql_where=OPEN)
    op.create_index('ix_requests_due_open', 'requests', ['due_on', 'received_on', 'id'], unique=False,
                    postgresql_where=OPEN)
    op.create_index('ix_requests_open_undated', 'requests', ['received_on', 'id'], unique=False,
                    postgresql_where=OPEN_UNDATED)
