"""incident notices: each person's notice is its own outbox entry (attempts, when next due,
the last error), one per person and incident; the recipients' outbox also tells processors
of an incident, named by its reference, with no rights request behind it

Revision ID: 0025
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incident_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(200), nullable=True))
        batch_op.create_index("ix_incident_notices_next_attempt_at", ["next_attempt_at"])
        batch_op.create_unique_constraint(
            "uq_incident_notices_person", ["incident_id", "person_id"]
        )
    with op.batch_alter_table("incident_notices", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)
    with op.batch_alter_table("rights_outbox", schema=None) as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.String(36), nullable=True)
        batch_op.add_column(sa.Column("incident", sa.String(24), nullable=True))
        batch_op.create_index("ix_rights_outbox_incident", ["incident"])


def downgrade() -> None:
    with op.batch_alter_table("rights_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_rights_outbox_incident")
        batch_op.drop_column("incident")
    op.execute("DELETE FROM rights_outbox WHERE request_id IS NULL")
    with op.batch_alter_table("rights_outbox", schema=None) as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.String(36), nullable=False)
    with op.batch_alter_table("incident_notices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_incident_notices_person", type_="unique")
        batch_op.drop_index("ix_incident_notices_next_attempt_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
