"""incident people by law: how many of the frozen list's people are under each law, so the
clocks and the notices count a law's people (the California sample) the same way

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("people_by_law", sa.Text(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.drop_column("people_by_law")
