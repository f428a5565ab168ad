"""The business transfer's tables (S4): `transfers`, one row per transfer announced, with
what was done and when (told, archive made: counts, digest, by whom), and `transfer_notices`,
each account holder told, so their privacy center shows it. Ids, counts and the new owner's
business name only: no personal data.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id


class Transfer(Base):
    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    policy_version: Mapped[str] = mapped_column(String(64))  # the version naming it
    new_controller: Mapped[str] = mapped_column(String(200))  # a business's legal name
    transfer_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="announced")  # announced, done
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    announced_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    told: Mapped[int] = mapped_column(Integer, default=0)
    told_failed: Mapped[int] = mapped_column(Integer, default=0)
    leave_out_objectors: Mapped[bool] = mapped_column(Boolean, default=True)
    # once run: when, by whom, for which key, what the archive holds and its digest
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    recipient_key_id: Mapped[str | None] = mapped_column(String(16))
    archive_name: Mapped[str | None] = mapped_column(String(255))
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    people_included: Mapped[int | None] = mapped_column(Integer)
    people_erased: Mapped[int | None] = mapped_column(Integer)  # left out: erased or erasing
    people_objected: Mapped[int | None] = mapped_column(Integer)  # left out: objected
    rows: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int | None] = mapped_column(Integer)
    tables: Mapped[str | None] = mapped_column(Text)  # JSON: rows per table


class TransferNotice(Base):
    """An account holder told of a transfer (mailed or not: `mailed` says)."""

    __tablename__ = "transfer_notices"
    __table_args__ = (Index("ix_transfer_notices_person", "person_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mailed: Mapped[bool] = mapped_column(Boolean)
