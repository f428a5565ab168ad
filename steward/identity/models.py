"""People (data subjects) and accounts (ways to sign in), with their credentials and sessions.

A person may have no account. Every column holding personal data is declared with
`personal(category)` and stored sealed under the person's data key; look-ups go through
blind indexes, so an email address is never stored in clear.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime
from steward.core.ids import new_id
from steward.vault.fields import personal

PERSON_KINDS = ("customer", "business_contact", "end_user", "child", "staff")
ROLES = ("customer", "agent", "billing", "call_reviewer", "privacy_officer", "admin")
STAFF_ROLES = tuple(role for role in ROLES if role != "customer")
STATUSES = ("unverified", "pending_guardian", "active", "locked", "disabled", "closed")
TOKEN_PURPOSES = (
    "verify_email",
    "change_email",
    "unlock",
    "set_password",
    "guardian_consent",
    "guardian_access",
)


class Person(Base):
    __tablename__ = "people"
    __owner__ = "id"
    __erasure__ = "tombstone"  # the row stays so foreign keys hold; its personal columns go

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = personal("user.name")
    email: Mapped[str | None] = personal("user.contact.email")
    phone: Mapped[str | None] = personal("user.contact.phone_number")
    company: Mapped[str | None] = personal("user.workplace")
    birth_date: Mapped[str | None] = personal("user.demographic.date_of_birth")  # ISO date text
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    objected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sale_opt_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # R10
    sensitive_limited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # R10
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # R3: a tombstone now
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # T3
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    __tablename__ = "accounts"
    __owner__ = "person_id"
    __erasure__ = "tombstone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    login_index: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    mfa_secret: Mapped[str | None] = personal("user.authorization.credentials")
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)  # of the last TOTP code taken
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stale_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # T3: told it closes
    # Forced by the privacy officer containing an incident (X6): until both are cleared, a
    # session of this account may only choose a new password, then enrol MFA anew.
    password_reset_forced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_reset_forced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A display preference (an IANA name), not personal data: the business's zone if unset.
    time_zone: Mapped[str | None] = mapped_column(String(64))


class Guardian(Base):
    """The parent or guardian named when a child registers (C3). Sealed under the child's key:
    erasing the child erases them too."""

    __tablename__ = "guardians"
    __owner__ = "child_person_id"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    child_person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str | None] = personal("user.name")
    email: Mapped[str | None] = personal("user.contact.email")
    email_index: Mapped[str] = mapped_column(String(64), index=True)
    third_parties: Mapped[bool] = mapped_column(default=False)  # consented to disclosure
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    mfa_passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OneTimeToken(Base):
    __tablename__ = "one_time_tokens"
    __owner__ = "person_id"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    purpose: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    new_email: Mapped[str | None] = personal("user.contact.email")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Throttle(Base):
    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # blind index of ip:/account:
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class SignInAttempt(Base):
    """A password checked at sign-in (X4): which address tried which login, and whether it
    was right, for the watch's credential-stuffing rule. Both are blind indexes (the address
    under the throttle's key, the login as `Account.login_index`), so the table holds no
    address and no email; the watch deletes rows older than a day."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_address", "address_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    address_key: Mapped[str] = mapped_column(String(64))
    login_key: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(36))  # when the login has one
    succeeded: Mapped[bool]
