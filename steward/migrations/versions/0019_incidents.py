"""incidents: the breach register, the people affected sealed per incident, the timeline,
follow-up tasks and the notices each person was sent

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(24), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("aware_at", WHEN, nullable=False),
        sa.Column("occurred_from", WHEN, nullable=True),
        sa.Column("occurred_until", WHEN, nullable=True),
        sa.Column("found_how", sa.Text(), nullable=False),
        sa.Column("kinds", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("systems", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("jurisdictions", sa.Text(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=True),
        sa.Column("records_count", sa.Integer(), nullable=True),
        sa.Column("processor", sa.String(128), nullable=True),
        sa.Column("processor_told_at", WHEN, nullable=True),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("measures_taken", sa.Text(), nullable=False),
        sa.Column("measures_proposed", sa.Text(), nullable=False),
        sa.Column("data_context", sa.Float(), nullable=True),
        sa.Column("identification", sa.Float(), nullable=True),
        sa.Column("circumstances", sa.Float(), nullable=True),
        sa.Column("severity", sa.Float(), nullable=True),
        sa.Column("band", sa.String(12), nullable=True),
        sa.Column("notify_authority", sa.Boolean(), nullable=True),
        sa.Column("authority_reason", sa.Text(), nullable=False),
        sa.Column("notify_people", sa.Boolean(), nullable=True),
        sa.Column("people_reason", sa.Text(), nullable=False),
        sa.Column("exemption", sa.String(32), nullable=True),
        sa.Column("affected_scope", sa.Text(), nullable=True),
        sa.Column("affected_frozen_at", WHEN, nullable=True),
        sa.Column("alert_id", sa.String(36), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("closed_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
    )
    op.create_index("ix_incidents_aware_at", "incidents", ["aware_at"])
    op.create_index("ix_incidents_created_at", "incidents", ["created_at"])
    op.create_table(
        "incident_affected",
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "incident_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_incident_events_incident", "incident_events", ["incident_id", "at"])
    op.create_table(
        "incident_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_incident_tasks_incident_id", "incident_tasks", ["incident_id"])
    op.create_table(
        "incident_notices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("mailed_at", WHEN, nullable=True),
        sa.Column("seen_at", WHEN, nullable=True),
    )
    op.create_index("ix_incident_notices_incident_id", "incident_notices", ["incident_id"])
    op.create_index("ix_incident_notices_person", "incident_notices", ["person_id", "created_at"])


def downgrade() -> None:
    for table in ("incident_notices", "incident_tasks", "incident_events", "incident_affected"):
        op.drop_table(table)
    op.drop_index("ix_incidents_created_at", table_name="incidents")
    op.drop_index("ix_incidents_aware_at", table_name="incidents")
    op.drop_table("incidents")
