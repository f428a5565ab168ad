"""Retention's tables: legal holds (T2, what no deletion may touch until released), and the
record each retention sweep leaves: counts per category and action, the holds that stopped
something, how long it took. A run names no person: the privacy officer reads it at /dpo
and the audit trail points at it."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id


class RetentionRun(Base):
    __tablename__ = "retention_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(12))  # worker or cli
    status: Mapped[str] = mapped_column(String(12))  # running, done, failed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON {category: {action: rows}}
    held: Mapped[str] = mapped_column(Text, default="{}")  # JSON {hold id: rows it kept}
    flagged_holds: Mapped[int] = mapped_column(Integer, default=0)  # past their end date
    people_wiped: Mapped[int] = mapped_column(
        Integer, default=0
    )  # wiped after their account closed
    error: Mapped[str | None] = mapped_column(String(200))  # an exception's class, no data


HOLD_SCOPES = ("person", "ticket", "organisation", "category")
HOLD_REASONS = ("legal_obligation", "legal_claim", "dispute", "security_investigation")


class LegalHold(Base):
    """T2: what must not be deleted, by retention or erasure, until the privacy officer
    releases it. `target` is a person id, a ticket number, an organisation id or a policy
    category key. A hold past its end date stays in force and is flagged for review."""

    __tablename__ = "legal_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(120), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    owner_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    review_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    released_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
