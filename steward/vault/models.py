"""The data_keys table: one wrapped AES key per person. Deleting the key erases the person."""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class DataKey(Base):
    __tablename__ = "data_keys"

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
