"""comment indexes that answer counts and filters without reading the rows

Full-text pages count visible comments per clause (and per version for a
draft), the comments list counts what a visitor may see, finds the ids of
one page of them and offers the clauses and organisations that have
comments. With 50,000 comments each of these read every row; these indexes
hold every column the queries need. ``ix_comment_list`` replaces
``ix_comment_instrument_id_created_at`` (same leading columns) and
``ix_comment_instrument_id`` is dropped (each new index starts with it).

Revision ID: 3b7c2e9d1a40
Revises: 72415e4f8169
Create Date: 2026-11-29 13:50:00

"""

from alembic import op

revision = "3b7c2e9d1a40"
down_revision = "72415e4f8169"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_instrument_id_clause_id_version_id_status",
            ["instrument_id", "clause_id", "version_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_comment_instrument_id_organisation_id", ["instrument_id", "organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_comment_list", ["instrument_id", "created_at", "id", "status", "author_id"], unique=False
        )
        batch_op.drop_index("ix_comment_instrument_id_created_at")
        batch_op.drop_index("ix_comment_instrument_id")


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_instrument_id", ["instrument_id"], unique=False)
        batch_op.create_index("ix_comment_instrument_id_created_at", ["instrument_id", "created_at"], unique=False)
        batch_op.drop_index("ix_comment_list")
        batch_op.drop_index("ix_comment_instrument_id_organisation_id")
        batch_op.drop_index("ix_comment_instrument_id_clause_id_version_id_status")
