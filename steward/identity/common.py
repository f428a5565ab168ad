"""What the identity services share: the gate call, security events, mail, links, look-ups."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from steward.access.gate import PersonState, check
from steward.audit.service import record
from steward.consent import ledger
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.settings import Settings
from steward.identity.models import Account, Person
from steward.mail import MailFailed, send
from steward.policy.active import policy_of
from steward.policy.schema import Policy
from steward.vault.service import Vault

SERVICE = "essential.service"
SECURITY = "essential.service.security"
log = logging.getLogger("steward.identity")


def vault_of(session: Session) -> Vault:
    vault = session.info.get("vault")
    if not isinstance(vault, Vault):
        raise RuntimeError("identity services need a session opened through the vault")
    return vault


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


# The clear columns of a person the gate decides on: reading them opens nothing sealed.
STATE_COLUMNS = (
    Person.id,
    Person.restricted_at,
    Person.objected_at,
    Person.sensitive_limited_at,
    Person.sale_opt_out_at,
)


def state_from(row: Any, consents: frozenset[str] = frozenset()) -> PersonState:
    """The gate's view of a person from a row of STATE_COLUMNS and their current consents."""
    return PersonState(
        row.id,
        restricted=row.restricted_at is not None,
        objects_to_legitimate_interests=row.objected_at is not None,
        limits_sensitive=row.sensitive_limited_at is not None,
        opted_out_of_sale=row.sale_opt_out_at is not None,
        consents=consents,
    )


def consents_of(session: Session, person_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """The consent-based purposes each person gives now, from the consent ledger."""
    policy = session.info.get("policy")
    return ledger.consents_of(session, person_ids, policy if isinstance(policy, Policy) else None)


def state_of(session: Session, person_id: str) -> PersonState:
    """The person's state for the gate, read without opening any sealed column."""
    row = session.execute(select(*STATE_COLUMNS).where(Person.id == person_id)).one()
    return state_from(row, consents_of(session, [person_id])[person_id])


def categories(model: Any, columns: Iterable[str]) -> list[str]:
    table = model.__table__
    return sorted({table.c[c].info.get("category", "user.authorization") for c in columns})


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
    columns = list(columns)
    check(
        session,
        actor,
        purpose,
        state or state_of(session, person_id),
        categories(model, columns),
        action=action,
        columns=columns,
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


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def mail(
    session: Session,
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send from the controller's address in the active policy."""
    policy = policy_of(session)
    name = policy.controller.trading_name or policy.controller.legal_name
    signed = f"{body}\n\n{name}\n"
    send(settings, to, subject, signed, sender=policy.controller.email, headers=headers)


def mail_quietly(
    session: Session,
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> bool:
    """Send, but only log a failure: for notices after the change is already committed."""
    try:
        mail(session, settings, to, subject, body, headers)
    except MailFailed:
        return False
    return True
