"""rights: requests, verification codes, timeline, files, outbox, disclosures; people gain
opt-out, limit and erasure timestamps

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("name", sa.LargeBinary(), nullable=True),
        sa.Column("details", sa.LargeBinary(), nullable=True),
        sa.Column("corrections", sa.LargeBinary(), nullable=True),
        sa.Column("purposes", sa.String(length=500), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("agent", sa.LargeBinary(), nullable=True),
        sa.Column("verification", sa.String(length=12), nullable=True),
        sa.Column("email_message_id", sa.String(length=64), nullable=True),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_reason", sa.String(length=1000), nullable=True),
        sa.Column("lapses_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("refusal_reason", sa.String(length=1000), nullable=True),
        sa.Column("handled_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["handled_by"], ["accounts.id"], name=op.f("fk_rights_requests_handled_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_rights_requests_reference")),
        sa.UniqueConstraint("email_message_id", name=op.f("uq_rights_requests_email_message_id")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_requests_completed_at"), ["completed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rights_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_requests_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_requests_lapses_at"), ["lapses_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_requests_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_requests_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_requests_scheduled_for"), ["scheduled_for"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rights_requests_status"), ["status"], unique=False)

    op.create_table(
        "disclosures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("categories", sa.String(length=1000), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_disclosures_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_person_id"), ["person_id"], unique=False)

    op.create_table(
        "rights_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_codes_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_codes")),
    )
    with op.batch_alter_table("rights_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_codes_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "rights_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_events_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_events")),
    )
    with op.batch_alter_table("rights_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "rights_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_files_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_files")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rights_files_token_hash")),
    )
    with op.batch_alter_table("rights_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_files_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_files_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_files_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "rights_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("processor", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("categories", sa.String(length=1000), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_outbox_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_outbox")),
    )
    with op.batch_alter_table("rights_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rights_outbox_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_outbox_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sale_opt_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("sensitive_limited_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("sensitive_limited_at")
        batch_op.drop_column("sale_opt_out_at")

    with op.batch_alter_table("rights_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_outbox_request_id"))
        batch_op.drop_index(batch_op.f("ix_rights_outbox_person_id"))
        batch_op.drop_index(batch_op.f("ix_rights_outbox_next_attempt_at"))

    op.drop_table("rights_outbox")
    with op.batch_alter_table("rights_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_files_request_id"))
        batch_op.drop_index(batch_op.f("ix_rights_files_expires_at"))
        batch_op.drop_index(batch_op.f("ix_rights_files_created_at"))

    op.drop_table("rights_files")
    with op.batch_alter_table("rights_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_events_request_id"))
        batch_op.drop_index(batch_op.f("ix_rights_events_at"))

    op.drop_table("rights_events")
    with op.batch_alter_table("rights_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_codes_request_id"))

    op.drop_table("rights_codes")
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosures_person_id"))
        batch_op.drop_index(batch_op.f("ix_disclosures_at"))

    op.drop_table("disclosures")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_status"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_scheduled_for"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_received_at"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_person_id"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_lapses_at"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_kind"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_due_at"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_completed_at"))

    op.drop_table("rights_requests")
