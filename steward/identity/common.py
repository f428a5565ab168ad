"""What the identity services share: the gate call for a person's columns (the adapters are
in access.people), security events, mail, links, look-ups, and the shape of an email address
as typed into an API body or a form."""

import logging
from collections.abc import Iterable, Mapping
from email.utils import formataddr
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from steward.access.gate import PersonState
from steward.access.people import STATE_COLUMNS, categories, check_person, state_from, state_of
from steward.audit.service import record
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.settings import Settings
from steward.identity.models import Account, Person
from steward.mail import MailFailed, send
from steward.policy.active import policy_of
from steward.policy.local import Local
from steward.vault.service import vault_of

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailText = Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254)]
SERVICE = "essential.service"
SECURITY = "essential.service.security"
log = logging.getLogger("steward.identity")


def login_index(session: Session, email: str) -> str:
    return vault_of(session).blind_index("login", email)


def email_index(session: Session, email: str) -> str:
    return vault_of(session).blind_index("email", email)


def actor_of(account: Account, request_id: str | None = None) -> Actor:
    return Actor(
        role=account.role,
        account_id=account.id,
        person_id=account.person_id,
        request_id=request_id,
    )


def gate(
    session: Session,
    actor: Actor,
    model: Any,
    person_id: str,
    columns: Iterable[str],
    *,
    action: str = "read",
    purpose: str = SERVICE,
    state: PersonState | None = None,
) -> None:
    """Check with the access gate (and audit) before reading or writing these columns."""
    check_person(
        session, actor, model, person_id, columns, purpose=purpose, action=action, state=state
    )


def security_event(
    session: Session, actor: Actor, action: str, person_id: str | None, outcome: str = "failed"
) -> None:
    """A failed sign-in, failed MFA code or lockout, in the audit trail (names, no values)."""
    record(
        session,
        actor,
        action,
        purpose=SECURITY,
        person_id=person_id,
        categories=["user.authorization"],
        columns=[],
        outcome=outcome,
    )
    log.info("security event %s for %s", action, person_id or "an unknown login")


def load_account(session: Session, *where: Any) -> Account | None:
    """An account, its MFA secret left sealed until a gate check has allowed reading it."""
    return session.scalar(select(Account).options(defer(Account.mfa_secret)).where(*where))


def load_person(
    session: Session,
    actor: Actor,
    person_id: str,
    columns: list[str],
    *,
    action: str = "read",
    purpose: str = SERVICE,
) -> Person:
    """Check with the gate, then load the person."""
    gate(session, actor, Person, person_id, columns, action=action, purpose=purpose)
    # The whole row: the vault seals on flush by reading every encrypted column, and a row
    # loaded with load_only() lost its changes when a deferred one was read mid-flush.
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("There is no such person.")
    return person


def local_for(session: Session, person_id: str | None = None) -> Local:
    """How a mail to a person writes times: in the zone their account chose, else the
    business's."""
    zone = None
    if person_id is not None:
        zone = session.scalar(
            select(Account.time_zone).where(
                Account.person_id == person_id, Account.time_zone.is_not(None)
            )
        )
    return Local.of(policy_of(session).controller, zone)


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def mail(
    session: Session,
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
    sender_name: str | None = None,
) -> None:
    """Send from the controller's address in the active policy; with `sender_name` (the staff
    member who wrote it) the mail comes from "Dana Reyes at Business" and is signed by them."""
    policy = policy_of(session)
    name = policy.controller.trading_name or policy.controller.legal_name
    address = policy.controller.email
    sender = formataddr((f"{sender_name} at {name}", address)) if sender_name else address
    signature = f"{sender_name}\n{name}" if sender_name else name
    send(settings, to, subject, f"{body}\n\n{signature}\n", sender=sender, headers=headers)


def mail_quietly(
    session: Session,
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
    sender_name: str | None = None,
) -> bool:
    """Send, but only log a failure: for notices after the change is already committed."""
    try:
        mail(session, settings, to, subject, body, headers, sender_name)
    except MailFailed:
        return False
    return True


__all__ = ["STATE_COLUMNS", "categories", "state_from", "state_of"]
