"""The rights tables: requests, their verification codes and timeline, exports, the outbox of
notices to recipients, and the disclosures made.

A request's contact details (who asked, where to answer, what they wrote) are sealed under
the request's own data key (`__owner__ = "id"`), not the person's: the record of a request
outlives the person's erasure (it is proof the request was handled), and its contact details
can be shredded on their own. The columns the law asks to keep for 24 months (date, type,
channel, response date, outcome, reason for a refusal) are clear and hold no personal data.
"""

from datetime import datetime
from typing import get_args

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id
from steward.policy.schema import RightName
from steward.vault.fields import personal, user_text

RIGHTS: tuple[str, ...] = get_args(RightName)  # the rights a policy can offer
KINDS = (*RIGHTS, "inquiry")
CHANNELS = (
    "privacy_center",
    "api",
    "portal",
    "account_settings",
    "email",
    "phone",
    "post",
    "in_person",
)
# unverified -> open -> (scheduled, for an erasure) -> done; or refused, cancelled, lapsed
STATUSES = ("unverified", "open", "scheduled", "erasing", "done", "refused", "cancelled", "lapsed")
CLOSED = frozenset({"done", "refused", "cancelled", "lapsed"})
OUTCOMES = ("fulfilled", "partly_fulfilled", "no_data", "refused", "cancelled", "lapsed")
# how a request was verified: the policy's methods, and the checks the officer records
METHODS = (
    "session",
    "password",
    "email_code",
    "data_points",
    "document",
    "call_back",
    "id_seen",
    "account",
)


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


class RightsRequest(Base):
    __tablename__ = "rights_requests"
    __owner__ = "id"  # sealed under the request's own key: see the module docstring
    __subject__ = "person_id"
    __erasure__ = "request"  # the record stays, the contact details go

    id: Mapped[str] = _id()
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. PR-7KQ2-M4XD
    kind: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), index=True)
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)  # once matched
    email: Mapped[str | None] = personal("user.contact.email")  # where the answer goes
    name: Mapped[str | None] = personal("user.name")
    details: Mapped[str | None] = personal("user.communications.rights_request")
    corrections: Mapped[str | None] = personal("user.communications.rights_request")  # JSON
    purposes: Mapped[str | None] = user_text(500)  # JSON list: what an objection concerns
    on_behalf: Mapped[bool] = mapped_column(default=False)  # an authorised agent asked
    agent: Mapped[str | None] = personal("user.contact")  # the agent's name and address
    verification: Mapped[str | None] = mapped_column(String(12))  # the method that passed
    # blind index of the Message-ID of a request asked by mail: a redelivery opens no other
    email_message_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    answer: Mapped[str | None] = personal("user.communications.rights_request")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # acknowledged by mail
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = user_text(1000)
    lapses_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    refusal_reason: Mapped[str | None] = user_text(1000)
    handled_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))


class VerificationCode(Base):
    """A one-time code mailed to the address on file; only its hash is kept."""

    __tablename__ = "rights_codes"

    id: Mapped[str] = _id()
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequestEvent(Base):
    """One step of a request's timeline: what happened, when, by whom (an account id or
    Steward). `note` is a fixed phrase or an id, never personal data."""

    __tablename__ = "rights_events"

    id: Mapped[str] = _id()
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    step: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RequestFile(Base):
    """A file for a request: a document proving identity or authority (sealed under the
    request's key, removed once reviewed) or an export (sealed likewise, downloadable with
    a token until it expires)."""

    __tablename__ = "rights_files"
    __owner__ = "request_id"
    __subject__ = None  # removed when reviewed or expired: no person's lasting data
    __erasure__ = "request_files"  # the files of the person's requests go
    __files__ = "rights"  # each row owns a sealed file of this kind (vault.files)

    id: Mapped[str] = _id()
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # document, export, portable
    filename: Mapped[str | None] = personal("user.communications.rights_request")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A notice to a recipient (S1, S2): a correction, erasure or restriction concerning
    data it received, by email or signed webhook, retried with back-off until delivered.
    It names the person by id only; the body is built when it is sent."""

    __tablename__ = "rights_outbox"

    id: Mapped[str] = _id()
    request_id: Mapped[str | None] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    # Or the reference of the incident (X6) whose breach of the data it received it tells of.
    incident: Mapped[str | None] = mapped_column(String(24), index=True)
    processor: Mapped[str] = mapped_column(String(100))  # the policy's processor key
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(20))  # rectification, erasure, restriction
    categories: Mapped[str] = mapped_column(String(1000))  # JSON list of category keys
    channel: Mapped[str] = mapped_column(String(10))  # email or webhook
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))  # never personal data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PausedRecipient(Base):
    """A processor the outbox does not deliver to until resumed (X6: containing a breach at
    the processor); its messages wait, none is lost."""

    __tablename__ = "rights_outbox_pauses"

    processor: Mapped[str] = mapped_column(String(100), primary_key=True)  # policy key
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    incident_id: Mapped[str | None] = mapped_column(String(36))  # the incident it contains


class Disclosure(Base):
    """A disclosure of a person's data, or a notice about it, to a recipient: to whom, which
    categories, why, when (S1). Part of the person's access export."""

    __tablename__ = "disclosures"

    id: Mapped[str] = _id()
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    recipient: Mapped[str] = mapped_column(String(100))  # a processor key, or a named party
    categories: Mapped[str] = mapped_column(String(1000))  # JSON list
    reason: Mapped[str] = mapped_column(String(40))  # processor_notice, legal_order, consent
    request_id: Mapped[str | None] = mapped_column(ForeignKey("rights_requests.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
