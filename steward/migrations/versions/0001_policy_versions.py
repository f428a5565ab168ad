"""policy_versions: every policy file Steward has run under

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("sha256", name=op.f("uq_policy_versions_sha256")),
    )
    op.create_index(
        op.f("ix_policy_versions_recorded_at"), "policy_versions", ["recorded_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_policy_versions_recorded_at"), table_name="policy_versions")
    op.drop_table("policy_versions")
