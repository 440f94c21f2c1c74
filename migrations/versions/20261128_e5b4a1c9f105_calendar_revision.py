"""calendar revision - a stamp the database changes with every calendar change

Revision ID: e5b4a1c9f105
Revises: d4a3f0b8e004
Create Date: 2026-11-28 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b4a1c9f105'
down_revision = 'd4a3f0b8e004'
branch_labels = None
depends_on = None


# A process keeps the working-day calendar it built per stamp and rebuilds it when the stamp changes
# (webapp/domain/calendar.py). The database sets a new random stamp on every change of the overrides or
# confirmed years, so no code path can forget to. The same statements as webapp/models/calendar.py.
TABLES = ("calendar_overrides", "calendar_years")
DDL = {
    "postgresql": [
        "INSERT INTO calendar_revision (id, stamp) VALUES (1, gen_random_uuid()::text)",
        """CREATE FUNCTION calendar_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_revision SET stamp = gen_random_uuid()::text;
    RETURN NULL;
END
$$""",
        *(
            f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump()"
            for table in TABLES
        ),
    ],
    "sqlite": [
        "INSERT INTO calendar_revision (id, stamp) VALUES (1, lower(hex(randomblob(16))))",
        *(
            f"CREATE TRIGGER {table}_revision_{op_.lower()} AFTER {op_} ON {table} "
            "BEGIN UPDATE calendar_revision SET stamp = lower(hex(randomblob(16))); END"
            for table in TABLES
            for op_ in ("INSERT", "UPDATE", "DELETE")
        ),
    ],
}
DROP = {
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}" for table in TABLES),
        "DROP FUNCTION IF EXISTS calendar_revision_bump()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_revision_{op_}"
        for table in TABLES
        for op_ in ("insert", "update", "delete")
    ],
}


def upgrade():
    op.create_table(
        'calendar_revision',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.String(length=36), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_calendar_revision_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_revision')),
    )
    for statement in DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_table('calendar_revision')
