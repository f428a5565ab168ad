"""The people the desk deals with who may have no account: end users, callers, senders of
mail. Found by the blind index of their email, created sealed, named through the gate.

These functions take part in the caller's transaction and never commit.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import PersonState
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import rows_by_id
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.desk.common import purpose_for, readable_owners
from steward.identity.common import email_index, gate
from steward.identity.models import PERSON_KINDS, Account, Person


def find_by_email(session: Session, email: str) -> str | None:
    """The id of the person with this email address, without opening anything sealed."""
    return session.scalar(
        select(Person.id).where(Person.email_index == email_index(session, email)).limit(1)
    )


def add_person(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    name: str | None,
    email: str | None = None,
    phone: str | None = None,
    person_id: str | None = None,
) -> Person:
    """A new person (an end user, a caller, a sender), checked with the gate as a write.
    `person_id` lets someone create their own record (a first email to the desk)."""
    if kind not in PERSON_KINDS:
        raise Invalid(f"A person's kind is one of: {', '.join(PERSON_KINDS)}.")
    if not (name or email or phone):
        raise Invalid("Give at least a name, an email address or a phone number.")
    person_id = person_id or new_id()
    columns = [c for c, v in (("name", name), ("email", email), ("phone", phone)) if v]
    # A new person has no row to read a restriction or objection from, and has made none.
    gate(
        session,
        actor,
        Person,
        person_id,
        columns,
        action="create",
        purpose=purpose_for(actor),
        state=PersonState(person_id),
    )
    now = clock.now()
    person = Person(
        id=person_id,
        kind=kind,
        name=name,
        email=email,
        phone=phone,
        email_index=email_index(session, email) if email else None,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    return person


def names(
    session: Session, actor: Actor, person_ids: Iterable[str], purpose: str | None = None
) -> dict[str, str]:
    """Display names of these people, each read through the gate (one audit entry each). A
    person whose name the actor may not read is left out, and nothing of theirs is read."""
    found = _column_of(session, actor, person_ids, "name", purpose)
    return {person_id: name or "(no name)" for person_id, name in found.items()}


def phones(
    session: Session, actor: Actor, person_ids: Iterable[str], purpose: str | None = None
) -> dict[str, str]:
    """Phone numbers of these people, read through the gate like `names`; a person without
    one, or whose number the actor may not read, is left out."""
    found = _column_of(session, actor, person_ids, "phone", purpose)
    return {person_id: phone for person_id, phone in found.items() if phone}


def _column_of(
    session: Session, actor: Actor, person_ids: Iterable[str], column: str, purpose: str | None
) -> dict[str, str | None]:
    allowed = readable_owners(
        session, actor, Person, (p for p in person_ids if p), [column], purpose
    )
    if not allowed:
        return {}
    return {p.id: getattr(p, column) for p in rows_by_id(session, Person, allowed)}


def account_names(
    session: Session, actor: Actor, account_ids: Iterable[str | None], purpose: str | None = None
) -> dict[str, str]:
    """Display names of staff accounts (assignees, agents, technicians), read through the gate
    like `names`; an account whose name the actor may not read is left out."""
    wanted = [a for a in dict.fromkeys(account_ids) if a]
    if not wanted:
        return {}
    rows = session.execute(
        select(Account.id, Account.person_id).where(Account.id.in_(wanted))
    ).all()
    named = names(session, actor, [r.person_id for r in rows], purpose)
    return {r.id: named[r.person_id] for r in rows if r.person_id in named}


def active_accounts(session: Session, roles: Iterable[str]) -> list[str]:
    """Ids of the active accounts holding these roles, oldest first (nothing sealed is read)."""
    return list(
        session.scalars(
            select(Account.id)
            .where(Account.role.in_(list(roles)), Account.status == "active")
            .order_by(Account.created_at, Account.id)
        )
    )
