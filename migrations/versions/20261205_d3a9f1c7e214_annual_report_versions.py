"""annual report versions - a signed-off report corrected by a new version that supersedes it, with its reason (更正说明)

Revision ID: d3a9f1c7e214
Revises: d3a9f1c7e5b2
Create Date: 2026-12-05 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3a9f1c7e214'
down_revision = 'd3a9f1c7e5b2'
branch_labels = None
depends_on = None


def upgrade():
    # webapp/domain/reports/annual/publish.py: every version kept, the current one not superseded
    with op.batch_alter_table('annual_report_publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('correction', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('correcting', sa.JSON(), nullable=True))
        batch_op.drop_constraint('uq_annual_report_publications_agency_year_form', type_='unique')
        batch_op.create_unique_constraint(
            'uq_annual_report_publications_agency_year_form_version', ['agency_id', 'year', 'form', 'version']
        )


def downgrade():
    op.execute(
        'DELETE FROM annual_report_publications WHERE superseded_at IS NOT NULL'
    )  # only the current versions fit the one-per-year constraint
    with op.batch_alter_table('annual_report_publications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_annual_report_publications_agency_year_form_version', type_='unique')
        batch_op.create_unique_constraint(
            'uq_annual_report_publications_agency_year_form', ['agency_id', 'year', 'form']
        )
        batch_op.drop_column('correcting')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('correction')
        batch_op.drop_column('version')
