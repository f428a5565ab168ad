"""What the desk services share: the purposes they act for, the gate call for rows owned by a
person or by an organisation, who belongs to which organisation, and list pages.

The purposes are fideslang keys the policy declares; a business whose policy does not use a
category for a purpose simply cannot do that with it (the gate refuses), which is the point:
the software does what the policy says and nothing more.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from steward.access.gate import PersonState, check, decide
from steward.audit.service import record_many
from steward.core.actor import Actor
from steward.core.errors import Forbidden, Invalid
from steward.desk.models import Membership
from steward.identity.common import (
    STATE_COLUMNS,
    categories,
    consents_of,
    gate,
    state_from,
    state_of,
    vault_of,
)
from steward.identity.models import Person
from steward.policy.active import policy_of

SERVICE = "essential.service"  # customers acting on their own data (the portal)
SUPPORT = "essential.service.support"  # staff working tickets, calls, devices, records
BILLING = "essential.service.billing"  # quotes, invoices, payments, warranty claims
QUALITY = "essential.service.quality"  # listening to call recordings (D6)

STAFF = frozenset({"agent", "billing", "call_reviewer", "privacy_officer", "admin"})
DESK_ROLES = frozenset({"agent", "admin"})  # who works the queue
BILLING_ROLES = frozenset({"billing", "admin"})
RECORDING_ROLES = frozenset({"call_reviewer", "privacy_officer"})  # D6: a few staff only

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, and the offset of the next page when there is one."""

    items: Sequence[T]
    next_offset: int | None


def page_of(rows: Sequence[T], offset: int, limit: int) -> Page[T]:
    """Rows fetched with limit + 1, cut to a page that knows whether another follows."""
    more = len(rows) > limit
    return Page(items=rows[:limit], next_offset=offset + limit if more else None)


def check_paging(offset: int, limit: int, most: int = 200) -> None:
    if offset < 0 or not 1 <= limit <= most:
        raise Invalid(f"Ask for between 1 and {most} items from an offset of 0 or more.")


def is_customer(actor: Actor) -> bool:
    return actor.role == "customer"


def require(actor: Actor, roles: Iterable[str], what: str) -> None:
    """A role check before anything is looked up, so a refusal reveals nothing."""
    if actor.role not in set(roles):
        raise Forbidden(f"Your role may not {what}.")


def purpose_for(actor: Actor, staff_purpose: str = SUPPORT) -> str:
    """Customers act on their own data for the service; staff for their work's purpose."""
    return SERVICE if is_customer(actor) else staff_purpose


def gate_person(
    session: Session,
    actor: Actor,
    model: Any,
    person_id: str,
    columns: Iterable[str],
    *,
    action: str = "read",
    purpose: str | None = None,
) -> None:
    """Check (and audit) reading or writing a person's sealed columns of `model`."""
    gate(
        session,
        actor,
        model,
        person_id,
        list(columns),
        action=action,
        purpose=purpose or purpose_for(actor),
    )


def readable_owners(
    session: Session,
    actor: Actor,
    model: Any,
    owner_ids: Iterable[str],
    columns: Iterable[str],
    purpose: str | None = None,
) -> set[str]:
    """The people among these whose `columns` of `model` the actor may read, each checked
    (and audited) with the gate; the others are left out, so a list shows their rows without
    the sealed columns instead of refusing the whole page."""
    purpose = purpose or purpose_for(actor)
    columns = list(columns)
    policy, wanted = policy_of(session), categories(model, columns)
    states = states_of(session, owner_ids)
    allowed = {
        owner
        for owner, state in states.items()
        if decide(policy, actor, purpose, state, wanted) is None
    }
    record_many(
        session, actor, "read", sorted(allowed), purpose=purpose, categories=wanted, columns=columns
    )
    return allowed


def states_of(session: Session, person_ids: Iterable[str]) -> dict[str, PersonState]:
    """The gate's view of many people at once, their consents included (two queries per
    500, not per person), in the order given; an id that is no person is looked up alone,
    as `state_of` does."""
    wanted = list(dict.fromkeys(person_ids))
    found: dict[str, PersonState] = {}
    consents = consents_of(session, wanted)
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(*STATE_COLUMNS).where(Person.id.in_(wanted[start : start + 500]))
        )
        for row in rows:
            found[row.id] = state_from(row, consents[row.id])
    return {p: found[p] if p in found else state_of(session, p) for p in wanted}


def load_rows(
    session: Session, model: Any, ids: Sequence[str], readable: Iterable[str]
) -> list[Any]:
    """The rows of `model` with these ids, in this order. Rows whose id is not in `readable`
    come with their sealed columns unloaded, so nothing of theirs is ever opened."""
    readable = set(readable)
    sealed = [getattr(model, c.key) for c in model.__table__.columns if c.info.get("encrypted")]
    found: dict[str, Any] = {}
    opened = [i for i in ids if i in readable]
    closed = [i for i in ids if i not in readable]
    if opened:
        found.update((r.id, r) for r in session.scalars(select(model).where(model.id.in_(opened))))
    if closed:
        query = select(model).options(*(defer(c) for c in sealed)).where(model.id.in_(closed))
        found.update((r.id, r) for r in session.scalars(query))
    return [found[i] for i in ids if i in found]


def gate_equipment(
    session: Session,
    actor: Actor,
    model: Any,
    columns: Iterable[str],
    *,
    action: str = "read",
    purpose: str | None = None,
) -> None:
    """Check (and audit) an organisation's equipment data: no one person's state applies;
    callers scope customers to their own organisations first."""
    columns = list(columns)
    check(
        session,
        actor,
        purpose or purpose_for(actor),
        None,
        categories(model, columns),
        action=action,
        columns=columns,
    )


def normalise_phone(session: Session, phone: str | None) -> str | None:
    """A phone number in E.164 (+447700900123); one without its country code is read as a
    number of the business's country. Empty gives None."""
    import phonenumbers  # its metadata takes a tenth of a second to load: only when needed

    if phone is None or not phone.strip():
        return None
    region = policy_of(session).controller.country
    try:
        number = phonenumbers.parse(phone.strip(), region)
    except phonenumbers.NumberParseException:
        raise Invalid("This is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid("This is not a valid phone number; give it with its country code (+44...).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def organisations_of(session: Session, person_id: str | None) -> list[str]:
    """The organisations a person belongs to, as contact or end user."""
    if person_id is None:
        return []
    return list(
        session.scalars(select(Membership.organisation_id).where(Membership.person_id == person_id))
    )


def is_contact_of(session: Session, person_id: str | None, organisation_id: str) -> bool:
    """A contact of the organisation may open requests for its end users (D2)."""
    if person_id is None:
        return False
    kind = session.scalar(
        select(Membership.kind).where(
            Membership.person_id == person_id, Membership.organisation_id == organisation_id
        )
    )
    return kind == "contact"


def only_changes(changes: Iterable[str], allowed: Sequence[str], what: str) -> None:
    """Refuse a change that names a field which cannot be changed."""
    if set(changes) - set(allowed):
        raise Invalid(f"Only these fields of {what} can be changed: {', '.join(allowed)}.")


def exists(session: Session, model: Any, row_id: object) -> bool:
    """Asked without loading the row, whose sealed columns would open on load."""
    return session.scalar(select(model.id).where(model.id == row_id)) is not None


__all__ = ["categories", "vault_of"]
