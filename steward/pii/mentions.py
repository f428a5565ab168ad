"""Mentions: a person named in someone else's record (a ticket about them, a message naming
them), kept as links so a rights request or an erasure finds them by index. The desk writes
them; the rights engine reads and masks them; the retention sweep drops them with their row.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id


class Mention(Base):
    """A person named in someone else's record (a ticket about them, a message naming them):
    the data map's link table, so rights requests find them by index."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("person_id", "source_table", "row_id"),
        Index("ix_mentions_source", "source_table", "row_id"),  # a deleted row's mentions
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    source_table: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
