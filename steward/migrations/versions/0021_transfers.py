"""transfers: a business transfer announced and run (S4), and each account holder told

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("new_controller", sa.String(200), nullable=False),
        sa.Column("transfer_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("announced_at", WHEN, nullable=False),
        sa.Column("announced_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.Column("told_failed", sa.Integer(), nullable=False),
        sa.Column("leave_out_objectors", sa.Boolean(), nullable=False),
        sa.Column("run_at", WHEN, nullable=True),
        sa.Column("run_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("recipient_key_id", sa.String(16), nullable=True),
        sa.Column("archive_name", sa.String(255), nullable=True),
        sa.Column("archive_sha256", sa.String(64), nullable=True),
        sa.Column("people_included", sa.Integer(), nullable=True),
        sa.Column("people_erased", sa.Integer(), nullable=True),
        sa.Column("people_objected", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("files", sa.Integer(), nullable=True),
        sa.Column("tables", sa.Text(), nullable=True),
    )
    op.create_index("ix_transfers_announced_at", "transfers", ["announced_at"])
    op.create_table(
        "transfer_notices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("transfer_id", sa.String(36), sa.ForeignKey("transfers.id"), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("mailed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_transfer_notices_transfer_id", "transfer_notices", ["transfer_id"])
    op.create_index("ix_transfer_notices_person", "transfer_notices", ["person_id", "created_at"])


def downgrade() -> None:
    op.drop_table("transfer_notices")
    op.drop_index("ix_transfers_announced_at", table_name="transfers")
    op.drop_table("transfers")
