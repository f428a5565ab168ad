"""The jobs table (the queue) and job_schedules (when each scheduled job is next due).

A job's payload holds ids and flags, never personal data; its last error is an exception's
class name, with the message only for domain errors, whose messages are written for users.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id

STATES = ("queued", "running", "done", "failed")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_at", "state", "run_at"),)  # what claim scans

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A scheduled slot ("rights.digest@2031-03-04T07:00+00:00") is enqueued once, whoever asks.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    locked_by: Mapped[str | None] = mapped_column(String(100))  # the worker holding it, or last
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the lease's end
    last_error: Mapped[str | None] = mapped_column(String(500))  # never personal data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # for pruning


class JobSchedule(Base):
    """The next slot of one scheduled job; workers move it forward with compare-and-set."""

    __tablename__ = "job_schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
