"""scale - indexes for the queue, sweeps and annex two at a million rows

Revision ID: b2e1d8f6c802
Revises: a1d0c7e5b701
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2e1d8f6c802'
down_revision = 'a1d0c7e5b701'
branch_labels = None
depends_on = None


OPEN = 'finished_on IS NULL'
OPEN_UNDATED = 'finished_on IS NULL AND due_on IS NULL'


def upgrade():
    # The queue reads open requests in (due_on, received_on, id) order: from the open rows only, so that
    # neither the table's size nor the finished requests ahead in due order make a page cost more.
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_agency_due')
        batch_op.drop_index('ix_requests_due_open', postgresql_where=OPEN)
        batch_op.create_index('ix_requests_agency_due', ['agency_id', 'due_on', 'received_on', 'id'],
                              unique=False, postgresql_where=OPEN)
        batch_op.create_index('ix_requests_due_open', ['due_on', 'received_on', 'id'], unique=False,
                              postgresql_where=OPEN)
        batch_op.create_index('ix_requests_open_undated', ['received_on', 'id'], unique=False,
                              postgresql_where=OPEN_UNDATED)


def downgrade():
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_open_undated', postgresql_where=OPEN_UNDATED)
        batch_op.drop_index('ix_requests_due_open', postgresql_where=OPEN)
        batch_op.drop_index('ix_requests_agency_due', postgresql_where=OPEN)
        batch_op.create_index('ix_requests_due_open', ['due_on'], unique=False, postgresql_where=OPEN)
        batch_op.create_index('ix_requests_agency_due', ['agency_id', 'due_on', 'received_on', 'id'],
                              unique=False)
