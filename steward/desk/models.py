"""The service desk's tables: organisations, tickets and their messages, calls, remote sessions,
devices and telemetry, service records and billing (notification preferences live in
steward/consent/models.py).

Every personal-data column is declared with `personal(category)` (sealed under the owner's
data key) and every clear column people type into with `user_text`, so both are checked for
card numbers (D4). Each table names its owner in `__owner__`: the person the data is about,
or, for an organisation's equipment, the organisation (it has a data key of its own, so
ending a contract can shred it). Each carries the owner id indexed and the timestamp its
retention starts from, indexed.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id
from steward.vault.fields import personal, user_text

CHANNELS = ("web", "chat", "phone", "email")
STATUSES = ("new", "open", "waiting_on_customer", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
VISIBILITIES = ("public", "internal")
MEMBER_KINDS = ("contact", "end_user")  # a contact may open requests for end users (D2)
DEVICE_TYPES = ("printer", "generator", "workstation", "server", "network_device")
TELEMETRY_KINDS = ("runtime", "print_job", "diagnostic")
IDENTIFIER_KINDS = ("username", "ip", "hostname", "alias")  # D5: how a device is named
DIRECTIONS = ("inbound", "outbound")


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _owner() -> Mapped[str]:
    return mapped_column(String(36), index=True)


class Organisation(Base):
    """A customer's business. Its name is business data, not personal data."""

    __tablename__ = "organisations"
    __hold_scope__ = "organisation"  # a legal hold may name one; see retention/holds.py
    __contract_end__ = "contract_ended_at"  # the `contract_end` retention trigger

    id: Mapped[str] = _id()
    name: Mapped[str] = user_text(200, nullable=False)
    domain: Mapped[str | None] = user_text(200)  # mail from this domain joins the organisation
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    contract_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))  # its members' default zone


class Membership(Base):
    """A person belongs to an organisation, as a contact or one of its end users."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "person_id"),)
    __owner__ = "person_id"
    __members_of__ = "organisation_id"  # a hold on the organisation covers its members

    id: Mapped[str] = _id()
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    job_title: Mapped[str | None] = personal("user.job_title")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Ticket(Base):
    """A support request. Its id is the ticket number people quote. It belongs to its
    requester; `about_id` names the end user it is for when a contact asks for them (D2).
    There is deliberately no CC column (D3)."""

    __tablename__ = "tickets"
    __owner__ = "requester_id"
    __hold_scope__ = "ticket"  # a hold on a ticket covers it and every row naming it
    __activity__ = "last_activity_at"  # rows naming a ticket are quiet when it is
    __accounts__ = ("assignee_id",)  # emptied when the account's person is erased

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    about_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(24), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = personal("user.communications")
    email_thread: Mapped[str | None] = mapped_column(String(64), index=True)  # blind index
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketEvent(Base):
    """One change of a ticket's field: which, from what to what (never personal values; a
    changed subject is recorded as changed, without its text), by whom, when."""

    __tablename__ = "ticket_events"

    id: Mapped[str] = _id()
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36))  # account id, or None for Steward
    field: Mapped[str] = mapped_column(String(30))
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Message(Base):
    """A public reply or an internal note (customers never see notes), or a chat line. It
    belongs to the ticket's requester, whoever wrote it: erasing a staff member keeps it."""

    __tablename__ = "messages"
    __owner__ = "owner_id"
    __provided__ = "author_id"  # R5: a person's own words, never a staff reply or note

    id: Mapped[str] = _id()
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    owner_id: Mapped[str] = _owner()
    author_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    body: Mapped[str | None] = personal("user.communications")
    email_message_id: Mapped[str | None] = mapped_column(String(64), index=True)  # blind index
    card_numbers_masked: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Attachment(Base):
    """A file on a message, stored encrypted on disk under its owner's data key."""

    __tablename__ = "attachments"
    __owner__ = "owner_id"
    __follows__ = ("message_id",)  # reaches whoever its message reaches
    __provided__ = "message_id"  # an upload is theirs when the message is
    __files__ = "attachments"  # each row owns a sealed file of this kind (vault.files)
    __files_portable__ = True  # the person gave the file: it goes into their export (R5)

    id: Mapped[str] = _id()
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    owner_id: Mapped[str] = _owner()
    filename: Mapped[str | None] = personal("user.communications")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Call(Base):
    """A phone call (D6): the recording, if any, is a CallRecording of its own."""

    __tablename__ = "calls"
    __owner__ = "person_id"
    __provided__ = None  # written by the agent: about the caller, not given by them (R5)
    __created__ = "started_at"  # where its retention starts (default created_at)

    id: Mapped[str] = _id()
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    number: Mapped[str | None] = personal("user.communications.call")
    direction: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    recording_notice_played: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = personal("user.communications.call")


class CallRecording(Base):
    """The audio of a call whose caller heard the recording notice, encrypted on disk, with
    its own retention category (D6: three months)."""

    __tablename__ = "call_recordings"
    __owner__ = "owner_id"
    __files__ = "recordings"

    id: Mapped[str] = _id()
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id"), unique=True)
    owner_id: Mapped[str] = _owner()
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str | None] = personal("user.communications.call_recording")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RemoteSession(Base):
    """A remote-access session (D5): only after the customer's consent, the device named by
    username, IP, hostname or alias. There is deliberately no column for a recording."""

    __tablename__ = "remote_sessions"
    __owner__ = "person_id"
    __provided__ = None  # recorded by the technician
    __created__ = "started_at"  # where its retention starts (default created_at)

    id: Mapped[str] = _id()
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    technician_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    consent_recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    identifier_kind: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str | None] = personal("user.device.remote_session")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Device(Base):
    """A device or asset: owned by an organisation, or by a person who is a customer alone.
    `owner_id` is whichever of the two holds the key."""

    __tablename__ = "devices"
    __owner__ = "owner_id"

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = _owner()
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    assigned_to_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    make: Mapped[str | None] = user_text(100)
    model: Mapped[str | None] = user_text(100)
    serial_number: Mapped[str | None] = personal("user.device.serial_number")
    ip_address: Mapped[str | None] = personal("user.device.ip_address")
    mac_address: Mapped[str | None] = personal("user.device.mac_address")
    hostname: Mapped[str | None] = personal("user.device.hostname")
    operating_system: Mapped[str | None] = user_text(100)
    configuration: Mapped[str | None] = personal("user.device.configuration")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Telemetry(Base):
    """A reading from a device: generator runtime, print-job metadata or a diagnostic log.
    Each kind has its own category, so each business maps and keeps it its own way."""

    __tablename__ = "telemetry"
    __owner__ = "owner_id"
    __follows__ = ("device_id",)  # an organisation's device reaches the person it is assigned to
    __created__ = "recorded_at"  # where its retention starts (default created_at)

    id: Mapped[str] = _id()
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    owner_id: Mapped[str] = _owner()
    kind: Mapped[str] = mapped_column(String(12))
    runtime: Mapped[str | None] = personal("system.runtime_log")
    print_job: Mapped[str | None] = personal("system.print_job_metadata")
    diagnostic: Mapped[str | None] = personal("system.logs")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ServiceRecord(Base):
    """A visit or piece of work on a device or for a customer."""

    __tablename__ = "service_records"
    __owner__ = "owner_id"
    __follows__ = ("device_id",)
    __provided__ = None  # written by the technician

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = _owner()
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    technician_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    work_done: Mapped[str | None] = personal("system.service_record")
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MaintenanceSchedule(Base):
    """When a device is next due, how often, and the times its owner prefers (C5)."""

    __tablename__ = "maintenance_schedules"
    __owner__ = "owner_id"
    __follows__ = ("device_id",)

    id: Mapped[str] = _id()
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    owner_id: Mapped[str] = _owner()
    interval_days: Mapped[int] = mapped_column(Integer)
    next_due_on: Mapped[date] = mapped_column(Date, index=True)
    preferred_times: Mapped[str | None] = personal("user.preferences.service_times")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Quote(Base):
    __tablename__ = "quotes"
    __owner__ = "person_id"

    id: Mapped[str] = _id()
    number: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # draft, sent, accepted, declined
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(Integer)
    lines: Mapped[str | None] = personal("user.financial.quote")  # JSON lines
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Invoice(Base):
    __tablename__ = "invoices"
    __owner__ = "person_id"

    id: Mapped[str] = _id()
    number: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    quote_id: Mapped[str | None] = mapped_column(ForeignKey("quotes.id"))
    status: Mapped[str] = mapped_column(String(12))  # issued, paid, void
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(Integer)
    lines: Mapped[str | None] = personal("user.financial.invoice")  # JSON lines
    billing_address: Mapped[str | None] = personal("user.financial.billing_address")
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Payment(Base):
    """A payment as the processor reports it: its name, its token, at most the last four
    digits of the card (D4). The card number itself never reaches Steward."""

    __tablename__ = "payments"
    __owner__ = "person_id"
    __created__ = "paid_at"  # where its retention starts (default created_at)

    id: Mapped[str] = _id()
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    processor: Mapped[str] = mapped_column(String(40))
    token: Mapped[str | None] = personal("user.financial.payment_token")
    card_last4: Mapped[str | None] = personal("user.financial.card_last4")
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WarrantyClaim(Base):
    __tablename__ = "warranty_claims"
    __owner__ = "person_id"

    id: Mapped[str] = _id()
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # filed, approved, rejected, settled
    description: Mapped[str | None] = personal("user.financial.warranty_claim")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SavedView(Base):
    """An agent's saved queue filter (status, priority, assignee, channel, text)."""

    __tablename__ = "saved_views"

    id: Mapped[str] = _id()
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = user_text(100, nullable=False)
    filters: Mapped[str] = user_text(1000, nullable=False)  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CannedReply(Base):
    """A reply text agents reuse; it names no customer."""

    __tablename__ = "canned_replies"

    id: Mapped[str] = _id()
    title: Mapped[str] = user_text(100, nullable=False)
    body: Mapped[str] = user_text(4000, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
