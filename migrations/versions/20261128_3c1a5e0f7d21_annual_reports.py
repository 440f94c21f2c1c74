"""annual reports - snapshots, review and litigation records

Revision ID: 3c1a5e0f7d21
Revises: 7ae07d3f6f4c
Create Date: 2026-11-28 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1a5e0f7d21'
down_revision = '7ae07d3f6f4c'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
