"""a draft keeps each clause's kind as it was when published

A later import may turn a heading into a part or an article into
unnumbered text; the clause row then has its new kind and a published draft
showed the new one. Existing entries get the kind their clause has now,
which is all that is known of them.

Revision ID: 9e4d5a7c2b61
Revises: 3b7c2e9d1a40
Create Date: 2026-11-29 14:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9e4d5a7c2b61"
down_revision = "3b7c2e9d1a40"
branch_labels = None
depends_on = None

KIND = sa.Enum("preamble", "part", "article", name="clausekind", native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table("draft_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", KIND, nullable=True))
    op.execute("UPDATE draft_entry SET kind = (SELECT clause.kind FROM clause WHERE clause.id = draft_entry.clause_id)")
    with op.batch_alter_table("draft_entry", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=KIND, nullable=False)


def downgrade():
    with op.batch_alter_table("draft_entry", schema=None) as batch_op:
        batch_op.drop_column("kind")
