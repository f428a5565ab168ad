"""The consent tables: the append-only ledger of consent events, the usage events analytics
may keep, and each person's notification preferences (C5).

A consent event belongs to a person, or to a browser (a random id in a first-party cookie)
for a visitor; `owner_id` is whichever it is, so the data map finds both. The IP address is
kept truncated (IPv4 /24, IPv6 /48) and is still declared personal data. Rows are only ever
inserted: the current state of a person or browser is derived from the newest event per
purpose, and every earlier event stays as proof (C2).
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id

METHODS = ("banner", "form", "email_link", "signal", "guardian", "phone")
CHOICES = ("given", "withdrawn")
_IP = {"category": "user.device.ip_address"}


class ConsentEvent(Base):
    __tablename__ = "consent_events"
    __owner__ = "owner_id"
    __created__ = "at"  # where its retention starts (default created_at)
    __keeps_rows__ = True  # proof of consent (C2) outlives its IP address: retention empties it

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
    __created__ = "at"  # where its retention starts (default created_at)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    browser_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # page_view or event
    name: Mapped[str | None] = mapped_column(String(100), info={"category": "user.behavior"})
    path: Mapped[str | None] = mapped_column(String(500), info={"category": "user.behavior"})
    ip_prefix: Mapped[str | None] = mapped_column(String(64), info=_IP)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# Clear columns that are still personal data: declared with a category, so the data map,
# the rights engine and retention cover them like the sealed ones.
_PREFERENCE = {"category": "user.preferences"}


class NotificationPreference(Base):
    """Which mail a person wants (C5): service messages and maintenance alerts by default,
    marketing only with consent (kept in step with the ledger), the preferred channel and
    service times."""

    __tablename__ = "notification_preferences"
    __owner__ = "person_id"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    ticket_updates: Mapped[bool] = mapped_column(Boolean, default=True, info=_PREFERENCE)
    service_messages: Mapped[bool] = mapped_column(Boolean, default=True, info=_PREFERENCE)
    maintenance_alerts: Mapped[bool] = mapped_column(Boolean, default=True, info=_PREFERENCE)
    marketing: Mapped[bool] = mapped_column(Boolean, default=False, info=_PREFERENCE)
    preferred_channel: Mapped[str] = mapped_column(String(10), default="email", info=_PREFERENCE)
    service_times: Mapped[str | None] = mapped_column(
        String(200), info={"category": "user.preferences.service_times", "user_text": True}
    )  # when the person prefers visits and calls, in their own words (C5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
