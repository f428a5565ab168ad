"""containment (X6): a reset of password and MFA forced on an account; processors paused

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("accounts", sa.Column("password_reset_forced_at", WHEN, nullable=True))
    op.add_column("accounts", sa.Column("mfa_reset_forced_at", WHEN, nullable=True))
    op.create_table(
        "rights_outbox_pauses",
        sa.Column("processor", sa.String(length=100), nullable=False),
        sa.Column("paused_at", WHEN, nullable=False),
        sa.Column("paused_by", sa.String(length=36), nullable=True),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["paused_by"],
            ["accounts.id"],
            name=op.f("fk_rights_outbox_pauses_paused_by_accounts"),
        ),
        sa.PrimaryKeyConstraint("processor", name=op.f("pk_rights_outbox_pauses")),
    )


def downgrade() -> None:
    op.drop_table("rights_outbox_pauses")
    op.drop_column("accounts", "mfa_reset_forced_at")
    op.drop_column("accounts", "password_reset_forced_at")
