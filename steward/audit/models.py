"""Tables of the audit trail: entries, the chain that orders them, the queue of entries not
yet linked, the sequencer's head, and signed checkpoints.

Requests only insert into `audit_entries` and `audit_pending` (one statement on PostgreSQL);
only the sequencer writes `audit_chain`, deletes from `audit_pending` and moves the head.
Entries hold names only (account ids, roles, purposes, category keys, column names), never
values of personal data. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of
`audit_entries`, `audit_chain` and `audit_checkpoints` (migrations 0003 and 0016).
"""

from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, Identity, Index, Integer, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime

# 64-bit everywhere; SQLite's INTEGER already is, and stays a rowid alias that way.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    """One audited event. `id` comes from the database (a sequence on PostgreSQL, the rowid
    on SQLite): it has gaps where a transaction rolled back, which is why the order that
    verifies is the chain's gapless `seq`, not the id."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_person_id", "person_id", "id"),
        Index("ix_audit_entries_actor", "actor", "id"),
        Index("ix_audit_entries_purpose", "purpose", "id"),
    )

    id: Mapped[int] = mapped_column(Seq, Identity(), primary_key=True)
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
    # HMAC under the audit key; None only for an entry written before migration 0016, whose
    # unkeyed `legacy_hash` the sequencer checks before it links it.
    mac: Mapped[str | None] = mapped_column(String(64))
    legacy_hash: Mapped[str | None] = mapped_column(String(64))


class AuditPending(Base):
    """Entries written and not yet linked: the sequencer's work, deleted as it links them."""

    __tablename__ = "audit_pending"

    entry_id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)


class AuditLink(Base):
    """The total, gapless order of the trail: seq -> entry, with the keyed link."""

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Seq, unique=True)
    link: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The head of the chain at one moment, signed with the Ed25519 key of the key file.
    `scheme` 1: a checkpoint of the unkeyed chain before migration 0016 (`link` holds that
    chain's hash); 2: of the keyed chain."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Seq, index=True)
    link: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    scheme: Mapped[int] = mapped_column(SmallInteger, default=2)


class AuditHead(Base):
    """The one row (id 1) only the sequencer moves: the newest seq and its link. The
    `legacy_*` columns keep where an unkeyed trail of before migration 0016 ended."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Seq)
    link: Mapped[str] = mapped_column(String(64))
    legacy_seq: Mapped[int] = mapped_column(Seq, default=0)
    legacy_hash: Mapped[str | None] = mapped_column(String(64))


# The tables themselves, for Core statements where the hot paths skip the ORM.
ENTRIES = cast(Table, AuditEntry.__table__)
PENDING = cast(Table, AuditPending.__table__)
CHAIN = cast(Table, AuditLink.__table__)
CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)
HEAD = cast(Table, AuditHead.__table__)
