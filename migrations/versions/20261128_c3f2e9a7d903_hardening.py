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
    # Login throttling and "logout everywhere" (webapp/domain/accounts.py, webapp/web/auth.py).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_generation')
