"""public log search - the subject's search vector stored (PostgreSQL), its GIN index on the column

Revision ID: d3a9f1c7e5b2
Revises: 342bfb9331b5
Create Date: 2026-12-05 01:30:00

The search (webapp/domain/public_log.py) reads each candidate's vector: stored, it is not computed again
from search_tokens for every row a query looks at (bench/public_log_search.py). The vector holds the
entry's year too, as the lexeme @<year> (no query's word has an @), so that the GIN index finds a word's
matches of one year without reading those of the others. SQLite keeps its FTS5 table.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3a9f1c7e5b2'
down_revision = '342bfb9331b5'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX IF EXISTS ix_public_answers_search")
    op.execute(
        "ALTER TABLE public_answers ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_tokens) "
        "|| array_to_tsvector(ARRAY['@' || year::text])) STORED"
    )
    op.execute("CREATE INDEX ix_public_answers_search ON public_answers USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX IF EXISTS ix_public_answers_search")
    op.execute("ALTER TABLE public_answers DROP COLUMN search_vector")
    op.execute(
        "CREATE INDEX ix_public_answers_search ON public_answers "
        "USING gin (to_tsvector('simple', search_tokens))"
    )
