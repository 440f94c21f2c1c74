"""referred agency's contact and the remedies' bodies - Art. 36(5) and the review body and court

Revision ID: 5a7e3c91b2d4
Revises: 5e8b1f3a7c42
Create Date: 2026-12-04 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a7e3c91b2d4'
down_revision = '5e8b1f3a7c42'
branch_labels = None
depends_on = None


# Plain ADD COLUMN on both databases (no batch copy of `requests` on SQLite, which request_events refers
# to): the agency that holds the information and how to reach it (2019 rules Art. 36(5)); the review body
# and the court an agency's letters name beside the remedies (docs/rules.md §Outcomes).
REQUEST_COLUMNS = (('referred_agency_address', 300), ('referred_agency_phone', 60))
SETTINGS_COLUMNS = (('review_body', 200), ('court', 200))


def upgrade():
    for name, length in REQUEST_COLUMNS:
        op.add_column('requests', sa.Column(name, sa.String(length=length), nullable=True))
    for name, length in SETTINGS_COLUMNS:
        op.add_column(
            'document_settings',
            sa.Column(name, sa.String(length=length), server_default='', nullable=False),
        )


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, columns in (('document_settings', SETTINGS_COLUMNS), ('requests', REQUEST_COLUMNS)):
        for name, _length in reversed(columns):
            if sqlite:
                op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')  # SQLite 3.35+, no copy
            else:
                op.drop_column(table, name)
