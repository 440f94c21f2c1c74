"""outbox - the SMS sent in the last hour indexed, for the per-number cap (workers/sms.py)

Revision ID: e7b4c2a9d816
Revises: d3a9f1c7e214
Create Date: 2026-12-05 02:00:00

Without it each SMS read the whole outbox (every notice ever sent) to count what its number received in
the last hour: 244 ms per SMS with 400,000 rows sent before (bench/outbox_throughput.py --history).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b4c2a9d816'
down_revision = 'd3a9f1c7e214'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_sms_sent', ['sent_at'], unique=False,
            postgresql_where="kind = 'sms'", sqlite_where=sa.text("kind = 'sms'"),
        )


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sms_sent')
