"""The record each retention sweep leaves: counts per category and action, the holds that
stopped something, how long it took. It names no person: the privacy officer reads it at
/dpo and the audit trail points at it."""

from datetime import datetime

from sqlalchemy import Integer, String, Text
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
