"""retention: legal holds (T2), sweep reports, account closure and stale warnings (T3), and
an index to find a deleted row's mentions

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["accounts.id"], name=op.f("fk_legal_holds_owner_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["accounts.id"], name=op.f("fk_legal_holds_released_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    for column in ("target", "owner_id", "created_at", "released_at"):
        op.create_index(op.f(f"ix_legal_holds_{column}"), "legal_holds", [column])
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("held", sa.Text(), nullable=False),
        sa.Column("flagged_holds", sa.Integer(), nullable=False),
        sa.Column("people_wiped", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )
    op.create_index(op.f("ix_retention_runs_started_at"), "retention_runs", ["started_at"])
    op.create_index("ix_mentions_source", "mentions", ["source_table", "row_id"])
    op.add_column("people", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_people_closed_at"), "people", ["closed_at"])
    op.add_column(
        "accounts", sa.Column("stale_warned_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_index("ix_mentions_source", table_name="mentions")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("stale_warned_at")
    op.drop_index(op.f("ix_people_closed_at"), table_name="people")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("closed_at")
    op.drop_index(op.f("ix_retention_runs_started_at"), table_name="retention_runs")
    op.drop_table("retention_runs")
    for column in ("released_at", "created_at", "owner_id", "target"):
        op.drop_index(op.f(f"ix_legal_holds_{column}"), table_name="legal_holds")
    op.drop_table("legal_holds")
