"""consultation phases per draft, final drafts, an instrument's time zone

Each draft gets its own comment period (``comments_open_from`` ..
``comments_close_at``) and amendment deadline (``amendments_close_at``),
and can be declared final (who did is in the audit log). Until now one closing day closed both comments
and amendments, so existing drafts get that day as their amendment deadline.
Instruments get the IANA time zone their dates are read in (the ASEAN
Secretariat's, Asia/Jakarta, by default).

Revision ID: 3b8e6f0d4a12
Revises: 5d2f8a1c7e93
Create Date: 2026-12-06 05:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3b8e6f0d4a12"
down_revision = "5d2f8a1c7e93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="Asia/Jakarta"))
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comments_open_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("amendments_close_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("final_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE draft SET amendments_close_at = comments_close_at")


def downgrade():
    # recreate="never": SQLite (3.35+) drops plain columns in place. Recreating these tables
    # would drop them first, which their foreign keys from existing rows refuse.
    with op.batch_alter_table("draft", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("final_at")
        batch_op.drop_column("amendments_close_at")
        batch_op.drop_column("comments_open_from")
    with op.batch_alter_table("instrument", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("time_zone")
