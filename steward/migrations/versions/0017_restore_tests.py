"""restore tests: the weekly restore of the newest backup into a scratch database, checked

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restore_tests",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backup", sa.String(length=200), nullable=True),
        sa.Column("backup_taken_at", sa.String(length=40), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("values_opened", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_restore_tests_started_at", "restore_tests", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_restore_tests_started_at", table_name="restore_tests")
    op.drop_table("restore_tests")
