"""The consent tables: the append-only ledger of consent events, and the usage events
analytics may keep.

A consent event belongs to a person, or to a browser (a random id in a first-party cookie)
for a visitor; `owner_id` is whichever it is, so the data map finds both. The IP address is
kept truncated (IPv4 /24, IPv6 /48) and is still declared personal data. Rows are only ever
inserted: the current state of a person or browser is derived from the newest event per
purpose, and every earlier event stays as proof (C2).
"""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id

METHODS = ("banner", "form", "email_link", "signal", "guardian", "phone")
CHOICES = ("given", "withdrawn")
_IP = {"category": "user.device.ip_address"}


class ConsentEvent(Base):
    __tablename__ = "consent_events"
    __owner__ = "owner_id"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(36), index=True)  # person or browser id
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    browser_id: Mapped[str | None] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(100))  # a purpose key or cookie category
    choice: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(12))
    policy_version: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))  # of the exact text shown
    ip_prefix: Mapped[str | None] = mapped_column(String(64), info=_IP)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UsageEvent(Base):
    """A page view or usage event, stored only for a browser whose consent allows analytics."""

    __tablename__ = "usage_events"
    __owner__ = "browser_id"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    browser_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # page_view or event
    name: Mapped[str | None] = mapped_column(String(100), info={"category": "user.behavior"})
    path: Mapped[str | None] = mapped_column(String(500), info={"category": "user.behavior"})
    ip_prefix: Mapped[str | None] = mapped_column(String(64), info=_IP)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
