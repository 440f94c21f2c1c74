"""document_settings.fee_payment: how the applicant pays an information processing fee

Revision ID: 5b7e2c9a41d3
Revises: e7b4c2a9d816
Create Date: 2026-12-05 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c9a41d3'
down_revision = 'e7b4c2a9d816'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_payment', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('document_settings', schema=None) as batch_op:
        batch_op.drop_column('fee_payment')
