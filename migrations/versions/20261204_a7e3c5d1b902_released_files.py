"""released information - an attachment's purpose, page count, release day and redaction source

Revision ID: a7e3c5d1b902
Revises: 7a3e5c1d9b42
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c5d1b902'
down_revision = '7a3e5c1d9b42'
branch_labels = None
depends_on = None


def upgrade():
    # webapp/domain/release.py
    # resolve_fks=False: SQLite's batch copy reflects this table alone, not the requests table it refers to
    with op.batch_alter_table('attachments', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.add_column(
            sa.Column('purpose', sa.String(length=16), server_default='application', nullable=False)
        )
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('derived_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_derived_from_id_attachments'), 'attachments', ['derived_from_id'], ['id']
        )
        batch_op.create_check_constraint('purpose', "purpose IN ('application', 'release')")
        batch_op.create_check_constraint('released_is_release', "released_on IS NULL OR purpose = 'release'")


def downgrade():
    # resolve_fks=False: SQLite's batch copy reflects this table alone, not the requests table it refers to
    with op.batch_alter_table('attachments', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.drop_constraint('released_is_release', type_='check')
        batch_op.drop_constraint('purpose', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_attachments_derived_from_id_attachments'), type_='foreignkey')
        batch_op.drop_column('derived_from_id')
        batch_op.drop_column('released_on')
        batch_op.drop_column('pages')
        batch_op.drop_column('purpose')
