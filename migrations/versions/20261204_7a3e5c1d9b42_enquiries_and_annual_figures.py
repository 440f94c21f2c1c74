"""enquiry log, the figures an agency enters per year, the body or court of a review or lawsuit

Revision ID: 7a3e5c1d9b42
Revises: 9a4e6c1d2b07
Create Date: 2026-12-04 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3e5c1d9b42'
down_revision = '9a4e6c1d2b07'
branch_labels = None
depends_on = None

COUNTS = (
    'regulations_issued',
    'regulations_repealed',
    'regulations_in_force',
    'normative_issued',
    'normative_repealed',
    'normative_in_force',
    'licensing_decisions',
    'penalties_decisions',
    'enforcement_decisions',
    'annex_one_total',
    'annex_one_news',
    'annex_one_other',
)


def upgrade():
    # webapp/models/annual.py
    op.create_table(
        'enquiries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('asked_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('service_info', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('outcome', sa.String(length=16), server_default='answered', nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'in_person', 'phone')", name=op.f('ck_enquiries_channel')),
        sa.CheckConstraint("outcome IN ('answered', 'referred')", name=op.f('ck_enquiries_outcome')),
        sa.ForeignKeyConstraint(
            ['agency_id'], ['agencies.id'], name=op.f('fk_enquiries_agency_id_agencies'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['users.id'], name=op.f('fk_enquiries_recorded_by_id_users'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries')),
    )
    op.create_index('ix_enquiries_agency_day', 'enquiries', ['agency_id', 'asked_on'], unique=False)
    not_negative = (
        " AND ".join(f"({c} IS NULL OR {c} >= 0)" for c in COUNTS)
        + " AND (fees_10k_yuan IS NULL OR fees_10k_yuan >= 0)"
    )
    op.create_table(
        'annual_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        *[sa.Column(c, sa.Integer(), nullable=True) for c in COUNTS[:9]],
        sa.Column('fees_10k_yuan', sa.Numeric(precision=14, scale=4), nullable=True),
        *[sa.Column(c, sa.Integer(), nullable=True) for c in COUNTS[9:]],
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(not_negative, name=op.f('ck_annual_figures_not_negative')),
        sa.CheckConstraint(
            'annex_one_total IS NULL OR annex_one_total = annex_one_news + annex_one_other',
            name=op.f('ck_annual_figures_annex_one_adds_up'),
        ),
        sa.ForeignKeyConstraint(
            ['agency_id'], ['agencies.id'], name=op.f('fk_annual_figures_agency_id_agencies'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_annual_figures_updated_by_id_users'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_figures')),
        sa.UniqueConstraint('agency_id', 'year', name='uq_annual_figures_agency_year'),
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_column('authority')
    op.drop_table('annual_figures')
    op.drop_index('ix_enquiries_agency_day', table_name='enquiries')
    op.drop_table('enquiries')
