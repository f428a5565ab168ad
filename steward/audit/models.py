"""Tables of the audit trail: the entries, the signed checkpoints and the one-row chain head.

Entries hold names only (account ids, roles, purposes, category keys, column names), never
values of personal data. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of
`audit_entries` and `audit_checkpoints` (migration 0003).
"""

from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime

# 64-bit everywhere; SQLite's INTEGER already is, and stays a rowid alias that way.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    """One audited event. `seq` is the chain order, gapless: it comes from the locked head
    row, not from a sequence (a sequence leaves gaps on rollback, which would read as
    removed entries)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_person_id", "person_id", "seq"),
        Index("ix_audit_entries_actor", "actor", "seq"),
        Index("ix_audit_entries_purpose", "purpose", "seq"),
    )

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # an account id or a role, never a name
    actor_role: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(128))
    person_id: Mapped[str | None] = mapped_column(String(36))
    categories: Mapped[str] = mapped_column(Text)  # JSON list of category keys
    columns: Mapped[str] = mapped_column(Text)  # JSON list of column names
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The head of the chain at one moment, signed with the Ed25519 key of the key file."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Seq, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditHead(Base):
    """The one row (id 1) every append locks and moves: the newest seq and its hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Seq)
    hash: Mapped[str] = mapped_column(String(64))


# The tables themselves, for Core statements where the hot paths skip the ORM.
ENTRIES = cast(Table, AuditEntry.__table__)
CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)
HEAD = cast(Table, AuditHead.__table__)
