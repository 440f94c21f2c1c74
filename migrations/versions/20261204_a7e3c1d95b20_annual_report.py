"""the whole annual report - texts per agency set and year, publications, the January run; agencies' parent

Revision ID: a7e3c1d95b20
Revises: c17e2a5b9d01
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c1d95b20'
down_revision = 'c17e2a5b9d01'
branch_labels = None
depends_on = None


def upgrade():
    # the year's fee notices and payments for the annual report's section 六 (domain/reports/fees.py)
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_request_events_fees',
            ['on', 'request_id'],
            unique=False,
            postgresql_where="type IN ('fee_requested', 'fee_received')",
        )
    # webapp/domain/reports/annual/
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_agencies_parent_id_agencies'), 'agencies', ['parent_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)
    op.create_table(
        'annual_report_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agencies', sa.String(length=1000), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_annual_report_texts_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_texts')),
        sa.UniqueConstraint('agencies', 'year', name='uq_annual_report_texts_set_year'),
    )
    op.create_table(
        'annual_report_publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('form', sa.String(length=4), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signed_off_by_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("form IN ('2013', '2021')", name=op.f('ck_annual_report_publications_form')),
        sa.ForeignKeyConstraint(
            ['agency_id'],
            ['agencies.id'],
            name=op.f('fk_annual_report_publications_agency_id_agencies'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['signed_off_by_id'], ['users.id'], name=op.f('fk_annual_report_publications_signed_off_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_publications')),
        sa.UniqueConstraint(
            'agency_id', 'year', 'form', name='uq_annual_report_publications_agency_year_form'
        ),
    )
    with op.batch_alter_table('annual_report_publications', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_annual_report_publications_agency_id'), ['agency_id'], unique=False
        )
    op.create_table(
        'annual_report_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('drafted', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_runs')),
        sa.UniqueConstraint('year', name=op.f('uq_annual_report_runs_year')),
    )


def downgrade():
    op.drop_table('annual_report_runs')
    with op.batch_alter_table('annual_report_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_report_publications_agency_id'))
    op.drop_table('annual_report_publications')
    op.drop_table('annual_report_texts')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))
        batch_op.drop_constraint(batch_op.f('fk_agencies_parent_id_agencies'), type_='foreignkey')
        batch_op.drop_column('parent_id')
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index('ix_request_events_fees', postgresql_where="type IN ('fee_requested', 'fee_received')")
