"""One-time links: verify an email, confirm a new email, unlock an account, set a password, a
guardian's consent for a child and a guardian's access to a child's data."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session, defer

from steward.core import clock
from steward.identity.errors import LinkInvalid
from steward.identity.models import Account, OneTimeToken

LIFETIMES = {
    "verify_email": timedelta(days=2),
    "change_email": timedelta(days=1),
    "unlock": timedelta(days=1),
    "set_password": timedelta(days=3),
    "guardian_consent": timedelta(days=7),
    "guardian_access": timedelta(hours=1),
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, account: Account, purpose: str, new_email: str | None = None) -> str:
    """A fresh token; only its hash is stored. Earlier unused tokens of the purpose stay valid
    until they expire, so a second mail does not break the first link."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        OneTimeToken(
            id=digest(token),
            purpose=purpose,
            account_id=account.id,
            person_id=account.person_id,
            new_email=new_email,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def peek(session: Session, token: str, purpose: str) -> OneTimeToken:
    """The token's row while it is valid, leaving it unused (a page showing what the link
    is for), or refuse as `consume` does."""
    row = (
        session.get(OneTimeToken, digest(token), options=[defer(OneTimeToken.new_email)])
        if token
        else None
    )
    if row is None or row.purpose != purpose or row.used_at is not None:
        raise LinkInvalid("This link is not valid or has already been used.")
    if row.expires_at <= clock.now():
        raise LinkInvalid("This link has expired; ask for a new one.")
    return row


def consume(session: Session, token: str, purpose: str) -> OneTimeToken:
    """Mark the token used and return it, or refuse: unknown, used, expired or another kind."""
    row = peek(session, token, purpose)
    row.used_at = clock.now()
    return row
