"""publishing: policy versions gain their change summary, materiality and publication;
notification preferences gain preferred service times

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_times", sa.String(length=200), nullable=True))

    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("material", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_policy_versions_published_at"), ["published_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_published_at"))
        batch_op.drop_column("notified_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("material")
        batch_op.drop_column("summary")

    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_column("service_times")
