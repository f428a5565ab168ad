"""incident register: the severity's circumstances in parts, the duties done and the reasons
for those done late

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

COLUMNS = ("circumstance_parts", "duties_done", "delay_reasons")


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        for name in COLUMNS:
            table.add_column(sa.Column(name, sa.Text(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        for name in COLUMNS:
            table.drop_column(name)
