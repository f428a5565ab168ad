"""The breach register's tables (GDPR Art. 33(5): every breach, notified or not).

`incidents` holds the record: what the officer knows, the severity and the decisions with
their reasons; no personal data, only counts, category, subject and jurisdiction keys. The
people affected, once frozen, are kept apart in `incident_affected`, sealed under the
incident's own data key (a vault key whose owner id is the incident's id). The timeline of
what was done (report phases, decisions, containment steps, notices) is `incident_events`;
follow-up work is `incident_tasks`; `incident_notices` records each person told, so their
privacy center shows the notice.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id

KINDS = ("confidentiality", "integrity", "availability")
BANDS = ("low", "medium", "high", "very_high")


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(24), unique=True)  # INC-2026-0001
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, closed
    # When the business became aware starts every clock; when it happened is a window.
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    occurred_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurred_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    found_how: Mapped[str] = mapped_column(Text, default="")
    kinds: Mapped[str] = mapped_column(String(64), default="[]")  # JSON list of KINDS
    summary: Mapped[str] = mapped_column(Text, default="")  # what happened
    systems: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON policy category keys
    subjects: Mapped[str] = mapped_column(Text, default="[]")  # JSON policy subject keys
    jurisdictions: Mapped[str] = mapped_column(Text, default="[]")  # JSON jurisdiction keys
    people_count: Mapped[int | None] = mapped_column(Integer)  # approximate until frozen
    records_count: Mapped[int | None] = mapped_column(Integer)
    processor: Mapped[str | None] = mapped_column(String(128))  # a policy processor key
    processor_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Art. 33(2)
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures_taken: Mapped[str] = mapped_column(Text, default="")
    measures_proposed: Mapped[str] = mapped_column(Text, default="")
    # Severity by the ENISA method: DPC x EI + CB, and its band.
    data_context: Mapped[float | None] = mapped_column(Float)
    identification: Mapped[float | None] = mapped_column(Float)
    circumstances: Mapped[float | None] = mapped_column(Float)
    # The circumstances' parts (JSON: loss of confidentiality, integrity, availability,
    # malicious intent, each 0 to 0.5), whose sum is `circumstances`.
    circumstance_parts: Mapped[str] = mapped_column(Text, default="{}")
    severity: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(12))
    # The decisions and their reasons (Art. 33, Art. 34 and its 34(3) exemptions).
    notify_authority: Mapped[bool | None] = mapped_column(Boolean)
    authority_reason: Mapped[str] = mapped_column(Text, default="")
    notify_people: Mapped[bool | None] = mapped_column(Boolean)
    people_reason: Mapped[str] = mapped_column(Text, default="")
    exemption: Mapped[str | None] = mapped_column(String(32))
    # The duties the clocks track, as done (JSON: duty key such as "authority:gdpr" -> ISO
    # time), and the reasons given for those done late (Art. 33(1)).
    duties_done: Mapped[str] = mapped_column(Text, default="{}")
    delay_reasons: Mapped[str] = mapped_column(Text, default="{}")
    # The people affected, once frozen: how they were found (JSON, no personal data) and when.
    affected_scope: Mapped[str | None] = mapped_column(Text)
    affected_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many people of the frozen list are under each law (JSON: law key -> count).
    people_by_law: Mapped[str] = mapped_column(Text, default="{}")
    alert_id: Mapped[str | None] = mapped_column(String(36))  # the alert it was raised from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    closing_note: Mapped[str] = mapped_column(Text, default="")


class IncidentAffected(Base):
    """The frozen list of people affected, in parts, each sealed under the incident's key:
    JSON lines of {person, categories, jurisdiction, records}."""

    __tablename__ = "incident_affected"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class IncidentEvent(Base):
    """One step on the incident's timeline: a report phase sent, a decision, a containment
    step, notices sent. `detail` is JSON with ids and counts, never personal data."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident", "incident_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(48))  # e.g. report.phase, contain.sessions
    detail: Mapped[str] = mapped_column(Text, default="{}")


class IncidentTask(Base):
    __tablename__ = "incident_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentNotice(Base):
    """A person told of an incident: shown in their privacy center, mailed through the
    outbox. Holds ids only; the notice's words come from the incident. Until mailed it is
    the outbox entry: due at `next_attempt_at`, taken for a while by whoever sends it."""

    __tablename__ = "incident_notices"
    __table_args__ = (
        Index("ix_incident_notices_person", "person_id", "created_at"),
        UniqueConstraint("incident_id", "person_id", name="uq_incident_notices_person"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))  # never personal data


ALERT_RULES = ("many_people", "off_hours", "credential_stuffing", "mfa_failures")
ALERT_STATUSES = ("open", "dismissed", "incident")


class Alert(Base):
    """A rule of the watch (X4) hit: one per rule, subject and window. The subject is an
    account id (`subject_kind` "account") or the blind index of an address ("address"), never
    an address or a name. `counts` and `response` are JSON of counts and ids."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule", "subject", "window_from", name="uq_alerts_window"),
        Index("ix_alerts_status", "status", "raised_at"),
        Index("ix_alerts_subject", "rule", "subject", "window_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule: Mapped[str] = mapped_column(String(32))
    subject_kind: Mapped[str] = mapped_column(String(8))  # account, address
    subject: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))  # the account's role, when one
    window_from: Mapped[datetime] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)  # what the rule counted, at its highest
    threshold: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text, default="{}")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str] = mapped_column(Text, default="{}")
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[str | None] = mapped_column(String(36))


class WatchCursor(Base):
    """Where the watch last looked: each run evaluates only the windows since."""

    __tablename__ = "watch_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    looked_until: Mapped[datetime] = mapped_column(UTCDateTime)
