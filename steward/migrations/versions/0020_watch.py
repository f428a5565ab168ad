"""watch: the alerts the rules over the audit trail and the sign-in records raise, where the
watch last looked, and the sign-in attempts by address (blind indexes only)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("window_from", WHEN, nullable=False),
        sa.Column("window_until", WHEN, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("responded_at", WHEN, nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("mailed_at", WHEN, nullable=True),
        sa.Column("dismissed_at", WHEN, nullable=True),
        sa.Column("dismissed_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.UniqueConstraint("rule", "subject", "window_from", name="uq_alerts_window"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status", "raised_at"])
    op.create_index("ix_alerts_subject", "alerts", ["rule", "subject", "window_until"])
    op.create_table(
        "watch_cursor",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("looked_until", WHEN, nullable=False),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("login_key", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_sign_in_attempts_at", "sign_in_attempts", ["at"])
    op.create_index("ix_sign_in_attempts_address", "sign_in_attempts", ["address_key", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempts_address", table_name="sign_in_attempts")
    op.drop_index("ix_sign_in_attempts_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_table("watch_cursor")
    op.drop_index("ix_alerts_subject", table_name="alerts")
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_table("alerts")
