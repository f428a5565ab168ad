"""guardians: the parent or guardian who consents for a child's account (C3)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardians",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("child_person_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("email_index", sa.String(length=64), nullable=False),
        sa.Column("third_parties", sa.Boolean(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_person_id"], ["people.id"], name=op.f("fk_guardians_child_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardians")),
    )
    op.create_index(op.f("ix_guardians_child_person_id"), "guardians", ["child_person_id"])
    op.create_index(op.f("ix_guardians_email_index"), "guardians", ["email_index"])
    op.create_index(op.f("ix_guardians_created_at"), "guardians", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_guardians_created_at"), table_name="guardians")
    op.drop_index(op.f("ix_guardians_email_index"), table_name="guardians")
    op.drop_index(op.f("ix_guardians_child_person_id"), table_name="guardians")
    op.drop_table("guardians")
