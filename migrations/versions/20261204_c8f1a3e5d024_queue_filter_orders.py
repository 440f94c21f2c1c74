"""queue filter orders - the channel's and the applicant type's indexes over the open requests in the
queue's default order, so that each filter's pages are ranges of one index

Revision ID: c8f1a3e5d024
Revises: b5d7e2f4a913
Create Date: 2026-12-04 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f1a3e5d024'
down_revision = 'b5d7e2f4a913'
branch_labels = None
depends_on = None


OPEN = 'finished_on IS NULL'
DUE_KEY = sa.text("coalesce(due_on, '9999-12-31')")


def upgrade():
    for column in ('channel', 'applicant_type'):
        op.drop_index(f'ix_requests_open_{column}', table_name='requests', postgresql_where=OPEN)
        op.create_index(f'ix_requests_open_{column}', 'requests', [column, DUE_KEY, 'received_on', 'tracking_number'],
                        unique=False, postgresql_where=OPEN)


def downgrade():
    for column in ('channel', 'applicant_type'):
        op.drop_index(f'ix_requests_open_{column}', table_name='requests', postgresql_where=OPEN)
        op.create_index(f'ix_requests_open_{column}', 'requests', [column], unique=False, postgresql_where=OPEN)
