"""official documents - templates per agency, generated and sent documents (issue: official documents)

Revision ID: a1d0c7e5b701
Revises: 5d2b6f1a8e32
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1d0c7e5b701'
down_revision = '5d2b6f1a8e32'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
