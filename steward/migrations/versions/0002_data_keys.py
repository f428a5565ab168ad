"""data_keys: one wrapped AES key per person

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("master_key_id", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_data_keys")),
    )
    op.create_index(op.f("ix_data_keys_master_key_id"), "data_keys", ["master_key_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_data_keys_master_key_id"), table_name="data_keys")
    op.drop_table("data_keys")
