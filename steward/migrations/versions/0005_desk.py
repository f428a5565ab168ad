"""desk: organisations, tickets, messages, attachments, mentions, calls, recordings, remote
sessions, devices, telemetry, service records, schedules, billing, views, canned replies,
notification preferences

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contract_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_index(
        op.f("ix_organisations_contract_ended_at"),
        "organisations",
        ["contract_ended_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_organisations_created_at"), "organisations", ["created_at"], unique=False
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("assigned_to_id", sa.String(length=36), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("serial_number", sa.LargeBinary(), nullable=True),
        sa.Column("ip_address", sa.LargeBinary(), nullable=True),
        sa.Column("mac_address", sa.LargeBinary(), nullable=True),
        sa.Column("hostname", sa.LargeBinary(), nullable=True),
        sa.Column("operating_system", sa.String(length=100), nullable=True),
        sa.Column("configuration", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["people.id"], name=op.f("fk_devices_assigned_to_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_devices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_devices_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    op.create_index(op.f("ix_devices_assigned_to_id"), "devices", ["assigned_to_id"], unique=False)
    op.create_index(op.f("ix_devices_created_at"), "devices", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_devices_organisation_id"), "devices", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_devices_owner_id"), "devices", ["owner_id"], unique=False)
    op.create_index(op.f("ix_devices_person_id"), "devices", ["person_id"], unique=False)
    op.create_table(
        "memberships",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("job_title", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_memberships_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "organisation_id", "person_id", name=op.f("uq_memberships_organisation_id")
        ),
    )
    op.create_index(op.f("ix_memberships_created_at"), "memberships", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_memberships_person_id"), "memberships", ["person_id"], unique=False)
    op.create_table(
        "mentions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("source_table", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_mentions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint(
            "person_id", "source_table", "row_id", name=op.f("uq_mentions_person_id")
        ),
    )
    op.create_index(op.f("ix_mentions_person_id"), "mentions", ["person_id"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("ticket_updates", sa.Boolean(), nullable=False),
        sa.Column("service_messages", sa.Boolean(), nullable=False),
        sa.Column("maintenance_alerts", sa.Boolean(), nullable=False),
        sa.Column("marketing", sa.Boolean(), nullable=False),
        sa.Column("preferred_channel", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_notification_preferences_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "maintenance_schedules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=False),
        sa.Column("preferred_times", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_maintenance_schedules_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_schedules")),
    )
    op.create_index(
        op.f("ix_maintenance_schedules_created_at"),
        "maintenance_schedules",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_maintenance_schedules_device_id"),
        "maintenance_schedules",
        ["device_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_maintenance_schedules_next_due_on"),
        "maintenance_schedules",
        ["next_due_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_maintenance_schedules_owner_id"),
        "maintenance_schedules",
        ["owner_id"],
        unique=False,
    )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_saved_views_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
    )
    op.create_index(op.f("ix_saved_views_account_id"), "saved_views", ["account_id"], unique=False)
    op.create_table(
        "telemetry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("runtime", sa.LargeBinary(), nullable=True),
        sa.Column("print_job", sa.LargeBinary(), nullable=True),
        sa.Column("diagnostic", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_telemetry_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry")),
    )
    op.create_index(op.f("ix_telemetry_device_id"), "telemetry", ["device_id"], unique=False)
    op.create_index(op.f("ix_telemetry_owner_id"), "telemetry", ["owner_id"], unique=False)
    op.create_index(op.f("ix_telemetry_recorded_at"), "telemetry", ["recorded_at"], unique=False)
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("requester_id", sa.String(length=36), nullable=False),
        sa.Column("about_id", sa.String(length=36), nullable=True),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("email_thread", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["about_id"], ["people.id"], name=op.f("fk_tickets_about_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["accounts.id"], name=op.f("fk_tickets_assignee_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tickets_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["people.id"], name=op.f("fk_tickets_requester_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    op.create_index(op.f("ix_tickets_about_id"), "tickets", ["about_id"], unique=False)
    op.create_index(op.f("ix_tickets_assignee_id"), "tickets", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_tickets_created_at"), "tickets", ["created_at"], unique=False)
    op.create_index(op.f("ix_tickets_email_thread"), "tickets", ["email_thread"], unique=False)
    op.create_index(
        op.f("ix_tickets_last_activity_at"), "tickets", ["last_activity_at"], unique=False
    )
    op.create_index(
        op.f("ix_tickets_organisation_id"), "tickets", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_tickets_requester_id"), "tickets", ["requester_id"], unique=False)
    op.create_index(op.f("ix_tickets_status"), "tickets", ["status"], unique=False)
    op.create_table(
        "warranty_claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_warranty_claims_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_warranty_claims_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claims")),
    )
    op.create_index(
        op.f("ix_warranty_claims_created_at"), "warranty_claims", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_warranty_claims_device_id"), "warranty_claims", ["device_id"], unique=False
    )
    op.create_index(
        op.f("ix_warranty_claims_person_id"), "warranty_claims", ["person_id"], unique=False
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(length=36), nullable=True),
        sa.Column("number", sa.LargeBinary(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("recording_notice_played", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["accounts.id"], name=op.f("fk_calls_agent_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_calls_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_calls_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index(op.f("ix_calls_agent_id"), "calls", ["agent_id"], unique=False)
    op.create_index(op.f("ix_calls_person_id"), "calls", ["person_id"], unique=False)
    op.create_index(op.f("ix_calls_started_at"), "calls", ["started_at"], unique=False)
    op.create_index(op.f("ix_calls_ticket_id"), "calls", ["ticket_id"], unique=False)
    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("email_message_id", sa.String(length=64), nullable=True),
        sa.Column("card_numbers_masked", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_messages_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_messages_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_author_id"), "messages", ["author_id"], unique=False)
    op.create_index(op.f("ix_messages_created_at"), "messages", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_messages_email_message_id"), "messages", ["email_message_id"], unique=False
    )
    op.create_index(op.f("ix_messages_owner_id"), "messages", ["owner_id"], unique=False)
    op.create_index(op.f("ix_messages_ticket_id"), "messages", ["ticket_id"], unique=False)
    op.create_table(
        "quotes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("lines", sa.LargeBinary(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_quotes_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_quotes_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_quotes_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_quotes_number")),
    )
    op.create_index(op.f("ix_quotes_created_at"), "quotes", ["created_at"], unique=False)
    op.create_index(op.f("ix_quotes_organisation_id"), "quotes", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_quotes_person_id"), "quotes", ["person_id"], unique=False)
    op.create_index(op.f("ix_quotes_ticket_id"), "quotes", ["ticket_id"], unique=False)
    op.create_table(
        "remote_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.Column("consent_recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("identifier_kind", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.LargeBinary(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_remote_sessions_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["accounts.id"],
            name=op.f("fk_remote_sessions_technician_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_remote_sessions_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_sessions")),
    )
    op.create_index(
        op.f("ix_remote_sessions_person_id"), "remote_sessions", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_remote_sessions_started_at"), "remote_sessions", ["started_at"], unique=False
    )
    op.create_index(
        op.f("ix_remote_sessions_technician_id"), "remote_sessions", ["technician_id"], unique=False
    )
    op.create_index(
        op.f("ix_remote_sessions_ticket_id"), "remote_sessions", ["ticket_id"], unique=False
    )
    op.create_table(
        "service_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("technician_id", sa.String(length=36), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("work_done", sa.LargeBinary(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_service_records_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_service_records_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_service_records_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["accounts.id"],
            name=op.f("fk_service_records_technician_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_service_records_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_records")),
    )
    op.create_index(
        op.f("ix_service_records_created_at"), "service_records", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_device_id"), "service_records", ["device_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_next_due_on"), "service_records", ["next_due_on"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_organisation_id"),
        "service_records",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_records_owner_id"), "service_records", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_person_id"), "service_records", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_technician_id"), "service_records", ["technician_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_ticket_id"), "service_records", ["ticket_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_visited_on"), "service_records", ["visited_on"], unique=False
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("old", sa.String(length=64), nullable=True),
        sa.Column("new", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_at"), "ticket_events", ["at"], unique=False)
    op.create_index(
        op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"], unique=False
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_attachments_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_attachments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_created_at"), "attachments", ["created_at"], unique=False)
    op.create_index(op.f("ix_attachments_message_id"), "attachments", ["message_id"], unique=False)
    op.create_index(op.f("ix_attachments_owner_id"), "attachments", ["owner_id"], unique=False)
    op.create_index(op.f("ix_attachments_ticket_id"), "attachments", ["ticket_id"], unique=False)
    op.create_table(
        "call_recordings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_recordings_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_recordings")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_recordings_call_id")),
    )
    op.create_index(
        op.f("ix_call_recordings_created_at"), "call_recordings", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_call_recordings_owner_id"), "call_recordings", ["owner_id"], unique=False
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("quote_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("lines", sa.LargeBinary(), nullable=True),
        sa.Column("billing_address", sa.LargeBinary(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invoices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_invoices_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_invoices_quote_id_quotes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index(op.f("ix_invoices_created_at"), "invoices", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_invoices_organisation_id"), "invoices", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_invoices_person_id"), "invoices", ["person_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("processor", sa.String(length=40), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=True),
        sa.Column("card_last4", sa.LargeBinary(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_payments_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_invoice_id"), "payments", ["invoice_id"], unique=False)
    op.create_index(op.f("ix_payments_paid_at"), "payments", ["paid_at"], unique=False)
    op.create_index(op.f("ix_payments_person_id"), "payments", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_person_id"), table_name="payments")
    op.drop_index(op.f("ix_payments_paid_at"), table_name="payments")
    op.drop_index(op.f("ix_payments_invoice_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_index(op.f("ix_invoices_person_id"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_organisation_id"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_created_at"), table_name="invoices")
    op.drop_table("invoices")
    op.drop_index(op.f("ix_call_recordings_owner_id"), table_name="call_recordings")
    op.drop_index(op.f("ix_call_recordings_created_at"), table_name="call_recordings")
    op.drop_table("call_recordings")
    op.drop_index(op.f("ix_attachments_ticket_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_owner_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_message_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_created_at"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_index(op.f("ix_ticket_events_at"), table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index(op.f("ix_service_records_visited_on"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_ticket_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_technician_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_person_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_owner_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_organisation_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_next_due_on"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_device_id"), table_name="service_records")
    op.drop_index(op.f("ix_service_records_created_at"), table_name="service_records")
    op.drop_table("service_records")
    op.drop_index(op.f("ix_remote_sessions_ticket_id"), table_name="remote_sessions")
    op.drop_index(op.f("ix_remote_sessions_technician_id"), table_name="remote_sessions")
    op.drop_index(op.f("ix_remote_sessions_started_at"), table_name="remote_sessions")
    op.drop_index(op.f("ix_remote_sessions_person_id"), table_name="remote_sessions")
    op.drop_table("remote_sessions")
    op.drop_index(op.f("ix_quotes_ticket_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_person_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_organisation_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_created_at"), table_name="quotes")
    op.drop_table("quotes")
    op.drop_index(op.f("ix_messages_ticket_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_owner_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_email_message_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_created_at"), table_name="messages")
    op.drop_index(op.f("ix_messages_author_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_calls_ticket_id"), table_name="calls")
    op.drop_index(op.f("ix_calls_started_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_person_id"), table_name="calls")
    op.drop_index(op.f("ix_calls_agent_id"), table_name="calls")
    op.drop_table("calls")
    op.drop_index(op.f("ix_warranty_claims_person_id"), table_name="warranty_claims")
    op.drop_index(op.f("ix_warranty_claims_device_id"), table_name="warranty_claims")
    op.drop_index(op.f("ix_warranty_claims_created_at"), table_name="warranty_claims")
    op.drop_table("warranty_claims")
    op.drop_index(op.f("ix_tickets_status"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_requester_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_organisation_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_last_activity_at"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_email_thread"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_created_at"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_assignee_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_about_id"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_index(op.f("ix_telemetry_recorded_at"), table_name="telemetry")
    op.drop_index(op.f("ix_telemetry_owner_id"), table_name="telemetry")
    op.drop_index(op.f("ix_telemetry_device_id"), table_name="telemetry")
    op.drop_table("telemetry")
    op.drop_index(op.f("ix_saved_views_account_id"), table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index(op.f("ix_maintenance_schedules_owner_id"), table_name="maintenance_schedules")
    op.drop_index(op.f("ix_maintenance_schedules_next_due_on"), table_name="maintenance_schedules")
    op.drop_index(op.f("ix_maintenance_schedules_device_id"), table_name="maintenance_schedules")
    op.drop_index(op.f("ix_maintenance_schedules_created_at"), table_name="maintenance_schedules")
    op.drop_table("maintenance_schedules")
    op.drop_table("notification_preferences")
    op.drop_index(op.f("ix_mentions_person_id"), table_name="mentions")
    op.drop_table("mentions")
    op.drop_index(op.f("ix_memberships_person_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_created_at"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_devices_person_id"), table_name="devices")
    op.drop_index(op.f("ix_devices_owner_id"), table_name="devices")
    op.drop_index(op.f("ix_devices_organisation_id"), table_name="devices")
    op.drop_index(op.f("ix_devices_created_at"), table_name="devices")
    op.drop_index(op.f("ix_devices_assigned_to_id"), table_name="devices")
    op.drop_table("devices")
    op.drop_index(op.f("ix_organisations_created_at"), table_name="organisations")
    op.drop_index(op.f("ix_organisations_contract_ended_at"), table_name="organisations")
    op.drop_table("organisations")
    op.drop_table("canned_replies")
