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
    op.create_table('document_settings',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('letterhead', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('number_scheme', sa.String(length=100), nullable=False),
    sa.Column('seal_text', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_document_settings_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_document_settings'))
    )
    op.create_table('document_counters',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_document_counters_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'year', name=op.f('pk_document_counters'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('to_applicant', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('edited', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('receipt', 'correction_notice', 'extension_notice', 'consultation_notice', 'fee_notice', 'reply', 'closure_notice', 'consultation_letter')", name=op.f('ck_documents_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['request_events.id'], name=op.f('fk_documents_event_id_request_events')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_documents_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('event_id', 'kind', name=op.f('uq_documents_event_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_documents_public_id'))
    )
    op.create_index('ix_documents_request_id', 'documents', ['request_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_documents_request_id', table_name='documents')
    op.drop_table('documents')
    op.drop_table('document_counters')
    op.drop_table('document_settings')
