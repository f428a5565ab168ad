"""shared state: the last TOTP step each account used; generations every process follows

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("mfa_last_step", sa.BigInteger(), nullable=True))
    shared = op.create_table(
        "shared_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_shared_state")),
    )
    op.bulk_insert(
        shared,
        [
            {"name": "policy", "generation": 0, "value": None},
            {"name": "keys", "generation": 0, "value": None},
        ],
    )


def downgrade() -> None:
    op.drop_table("shared_state")
    op.drop_column("accounts", "mfa_last_step")
