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


def upgrade():
    pass


def downgrade():
    pass
