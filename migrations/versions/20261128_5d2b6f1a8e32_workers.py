"""workers - inbound mail, sweeps

Revision ID: 5d2b6f1a8e32
Revises: 3c1a5e0f7d21
Create Date: 2026-11-28 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2b6f1a8e32'
down_revision = '3c1a5e0f7d21'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
