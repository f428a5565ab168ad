"""What the desk services share: the purposes they act for, the gate call for a person's rows
for the desk's purpose (the gate's adapters are in access.people), who belongs to which
organisation, and list pages.

The purposes are fideslang keys the policy declares; a business whose policy does not use a
category for a purpose simply cannot do that with it (the gate refuses), which is the point:
the software does what the policy says and nothing more.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access import people
from steward.access.people import categories, load_rows
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.desk.models import Membership
from steward.policy.active import policy_of
from steward.vault.service import vault_of

SERVICE = "essential.service"  # customers acting on their own data (the portal)
SUPPORT = "essential.service.support"  # staff working tickets, calls, devices, records
BILLING = "essential.service.billing"  # quotes, invoices, payments, warranty claims
QUALITY = "essential.service.quality"  # listening to call recordings (D6)

# Who may do what is the policy's: the roles it gives each purpose (access.gate.check_role).
ADMINISTRATION = "administration"  # a duty no purpose names: deleting records, notices to all

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
    """Check (and audit) reading or writing a person's sealed columns of `model`, for the
    desk's purpose unless another is named."""
    people.check_person(
        session,
        actor,
        model,
        person_id,
        columns,
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
    """The owners among these whose `columns` of `model` the actor may read, for the desk's
    purpose (access.people.readable_owners: the reads audited in one append)."""
    purpose = purpose or purpose_for(actor)
    return people.readable_owners(session, actor, model, owner_ids, columns, purpose=purpose)


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


__all__ = ["categories", "load_rows", "vault_of"]
