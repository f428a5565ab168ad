"""The restore tests' results (X5): when, which backup, passed or what failed. No personal
data: a backup's file name, counts, and a problem named by table, kind or entry number."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id


class RestoreTest(Base):
    __tablename__ = "restore_tests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(12))  # worker or cli
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    backup: Mapped[str | None] = mapped_column(String(200))  # the file's name; None: none found
    backup_taken_at: Mapped[str | None] = mapped_column(String(40))  # from its header
    passed: Mapped[bool] = mapped_column(Boolean)
    tables: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[int] = mapped_column(Integer, default=0)  # files restored and opened
    values_opened: Mapped[int] = mapped_column(Integer, default=0)  # the sample of sealed values
    problem: Mapped[str | None] = mapped_column(String(500))  # what failed, no personal data
