"""outbox - each relay's due rows indexed on their own (e-mail, SMS)

Revision ID: f2c8a6e1b394
Revises: 5b7e2c9a41d3
Create Date: 2026-12-05 02:15:00

The e-mail relay's claim (workers/notices.py) read the unsent rows in due order and passed over the SMS
ones: every SMS row waiting (a provider away, numbers at their hourly cap) cost every e-mail claim a
look (1 ms with 300 waiting, growing with them); the SMS relay's claim the same over e-mail rows.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c8a6e1b394'
down_revision = '5b7e2c9a41d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_unsent_email', ['next_attempt_at', 'id'], unique=False,
            postgresql_where="sent_at IS NULL AND kind <> 'sms'",
            sqlite_where=sa.text("sent_at IS NULL AND kind <> 'sms'"),
        )
        batch_op.create_index(
            'ix_outbox_unsent_sms', ['next_attempt_at', 'id'], unique=False,
            postgresql_where="sent_at IS NULL AND kind = 'sms'",
            sqlite_where=sa.text("sent_at IS NULL AND kind = 'sms'"),
        )


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unsent_sms')
        batch_op.drop_index('ix_outbox_unsent_email')
