"""Web sessions: a random cookie token (stored as its SHA-256), a CSRF token, MFA state."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.identity.common import actor_of, load_account
from steward.identity.errors import MfaRequired, NotSignedIn
from steward.identity.models import STAFF_ROLES, Account, WebSession

LIFETIME = timedelta(hours=12)
IDLE = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Started:
    """What sign-in hands back: the cookie token, the CSRF token and what must follow."""

    token: str
    csrf: str
    account_id: str
    person_id: str
    role: str
    mfa_passed: bool
    mfa_enrolment_required: bool
    new_password_required: bool = False  # a reset forced on the account (X6): this first


@dataclass(frozen=True)
class Current:
    """The signed-in account of a request."""

    session_id: str
    actor: Actor
    mfa_passed: bool
    csrf_hash: str
    time_zone: str | None = None  # the account's chosen zone (the web adds its organisation's)

    def csrf_matches(self, csrf: str | None) -> bool:
        return csrf is not None and hmac.compare_digest(digest(csrf), self.csrf_hash)

    def require_mfa_passed(self) -> Actor:
        if not self.mfa_passed:
            if self.actor.role in STAFF_ROLES:
                raise MfaRequired(
                    "Staff accounts need multi-factor authentication: enrol or enter your "
                    "code first."
                )
            raise MfaRequired("Enter the code from your authenticator app first.")
        return self.actor


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mfa_pending(account: Account) -> bool:
    return (
        account.mfa_enabled_at is not None or account.role in STAFF_ROLES or reset_pending(account)
    )


def reset_pending(account: Account) -> bool:
    """A reset forced on the account is not finished: its sessions pass no MFA until it is."""
    return account.password_reset_forced_at is not None or account.mfa_reset_forced_at is not None


def start(session: Session, account: Account) -> Started:
    """Open a session for an account whose password was just checked (caller commits)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = clock.now()
    passed = not mfa_pending(account)
    session.add(
        WebSession(
            id=digest(token),
            account_id=account.id,
            csrf_hash=digest(csrf),
            mfa_passed=passed,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return Started(
        token=token,
        csrf=csrf,
        account_id=account.id,
        person_id=account.person_id,
        role=account.role,
        mfa_passed=passed,
        mfa_enrolment_required=account.mfa_enabled_at is None
        and (account.role in STAFF_ROLES or account.mfa_reset_forced_at is not None),
        new_password_required=account.password_reset_forced_at is not None,
    )


def current(session: Session, token: str | None, request_id: str | None = None) -> Current:
    """The live session of a cookie token, or NotSignedIn. Commits its last-seen time."""
    row = session.get(WebSession, digest(token)) if token else None
    now = clock.now()
    if row is None or row.expires_at <= now or row.last_seen_at + IDLE <= now:
        raise NotSignedIn("Sign in first.")
    account = load_account(session, Account.id == row.account_id)
    if account is None or account.status != "active":
        raise NotSignedIn("Sign in first.")
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return Current(
        row.id, actor_of(account, request_id), row.mfa_passed, row.csrf_hash, account.time_zone
    )


def pass_mfa(session: Session, session_id: str) -> None:
    row = session.get(WebSession, session_id)
    if row is not None:
        row.mfa_passed = True


def end(session: Session, session_id: str) -> None:
    """Sign out of this session."""
    session.execute(delete(WebSession).where(WebSession.id == session_id))
    session.commit()


def end_all(session: Session, account_id: str, keep: str | None = None) -> int:
    """Sign out everywhere (but `keep`); the caller commits. Returns how many ended."""
    ids = session.scalars(select(WebSession.id).where(WebSession.account_id == account_id)).all()
    doomed = [i for i in ids if i != keep]
    if doomed:
        session.execute(delete(WebSession).where(WebSession.id.in_(doomed)))
    return len(doomed)


def end_everywhere(session: Session, account_id: str) -> int:
    """Sign out on every device, this session included. Commits."""
    ended = end_all(session, account_id)
    session.commit()
    return ended
