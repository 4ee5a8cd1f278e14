"""amendments are numbered within their instrument

``amendment.seq`` is the number people see ("Amendment 3"); the id stays in
URLs. Existing amendments are numbered in the order they were made (by id)
within each instrument.

Revision ID: 5d2f8a1c7e93
Revises: 9e4d5a7c2b61
Create Date: 2026-12-06 02:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5d2f8a1c7e93"
down_revision = "9e4d5a7c2b61"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    # Portable (SQLite and PostgreSQL): an amendment's number is how many of its instrument's
    # amendments have an id up to its own.
    op.execute(
        "UPDATE amendment SET seq = (SELECT count(*) FROM amendment AS earlier "
        "WHERE earlier.instrument_id = amendment.instrument_id AND earlier.id <= amendment.id)"
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_amendment_instrument_id_seq", ["instrument_id", "seq"])


def downgrade():
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_amendment_instrument_id_seq", type_="unique")
        batch_op.drop_column("seq")
