"""Organisations (customers' businesses), their members, and the desk's directory of people.

Agents and admins manage organisations and their members; a customer reads the organisations
they belong to. A contact of an organisation may add its end users and list its members (D2):
the contact sees each member's id and kind, and a name only where the gate allows, which is
the contact's own (a customer acts only on their own data). Staff find people by the blind
index of their email, create them, read them through the gate and rectify them. Erasing a
person is a rights request (issue 5), not a directory action.

Top-level functions own their transaction: they commit at their end.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from steward.access.gate import check, check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Forbidden, Invalid, NotFound
from steward.core.ids import new_id
from steward.desk.common import (
    BILLING,
    SERVICE,
    SUPPORT,
    Page,
    check_paging,
    exists,
    gate_person,
    is_contact_of,
    is_customer,
    normalise_phone,
    only_changes,
    organisations_of,
    page_of,
    purpose_for,
    readable_owners,
)
from steward.desk.models import (
    MEMBER_KINDS,
    Device,
    Invoice,
    Membership,
    Organisation,
    Quote,
    ServiceRecord,
    Ticket,
)
from steward.desk.people import add_person, names
from steward.identity.common import categories, email_index
from steward.identity.models import Account, Person
from steward.policy.local import is_zone

NEW_PERSON_KINDS = ("customer", "business_contact", "end_user")  # staff come from accounts
PERSON_SHOWN = ("name", "email", "phone", "company")
RECTIFIABLE = ("name", "phone", "company")
ORGANISATION_FIELDS = ("name", "domain", "time_zone")
_DOMAIN = re.compile(r"^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PERSON_KIND_OF_MEMBER = {"contact": "business_contact", "end_user": "end_user"}


@dataclass(frozen=True)
class OrganisationView:
    id: str
    name: str
    domain: str | None
    created_at: datetime
    contract_ended_at: datetime | None
    time_zone: str | None = None


@dataclass(frozen=True)
class MemberView:
    organisation_id: str
    person_id: str
    kind: str
    name: str | None  # None when the gate does not let the actor read it
    job_title: str | None
    created_at: datetime


@dataclass(frozen=True)
class PersonSummary:
    id: str
    kind: str
    name: str | None


@dataclass(frozen=True)
class MembershipRef:
    organisation_id: str
    organisation_name: str
    kind: str


@dataclass(frozen=True)
class PersonView:
    id: str
    kind: str
    fields: dict[str, str | None]  # only the columns the policy lets this actor read
    created_at: datetime
    organisations: list[MembershipRef]


# Organisations ---------------------------------------------------------------------------


def _view(organisation: Organisation) -> OrganisationView:
    return OrganisationView(
        id=organisation.id,
        name=organisation.name,
        domain=organisation.domain,
        created_at=organisation.created_at,
        contract_ended_at=organisation.contract_ended_at,
        time_zone=organisation.time_zone,
    )


def _clean_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("An organisation needs a name.")
    if len(name.strip()) > 200:
        raise Invalid("An organisation's name has at most 200 characters.")
    return name.strip()


def _clean_domain(session: Session, domain: object, organisation_id: str | None) -> str | None:
    """Mail from this domain joins the organisation, so a domain belongs to one only."""
    if domain is None or domain == "":
        return None
    if not isinstance(domain, str) or not _DOMAIN.match(domain.strip().lower()):
        raise Invalid("A domain looks like example.com (letters, digits, hyphens and dots).")
    domain = domain.strip().lower()
    taken = session.scalar(
        select(Organisation.id).where(
            Organisation.domain == domain, Organisation.id != (organisation_id or "")
        )
    )
    if taken:
        raise Conflict("Another organisation already has this domain.")
    return domain


def _clean_zone(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_zone(value):
        raise Invalid("Choose a time zone from the list, like Europe/London.")
    return value


def member_zone(session: Session, person_id: str) -> str | None:
    """The time zone of the first organisation of a person that has one: their default when
    their own account names none. Not personal data (an organisation's setting)."""
    return session.scalar(
        select(Organisation.time_zone)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.person_id == person_id, Organisation.time_zone.is_not(None))
        .order_by(Membership.created_at)
        .limit(1)
    )


def zone_of(session: Session, person_id: str) -> str | None:
    """The time zone a person reads times in: their account's, else their organisation's
    (None: the business's)."""
    own = session.scalar(select(Account.time_zone).where(Account.person_id == person_id).limit(1))
    return own or member_zone(session, person_id)


def _organisation(session: Session, actor: Actor, organisation_id: str) -> Organisation:
    """The organisation, if the actor may see it: staff any, customers their own (404 else)."""
    if is_customer(actor) and organisation_id not in organisations_of(session, actor.person_id):
        raise NotFound("There is no such organisation.")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def create_organisation(
    session: Session, actor: Actor, *, name: str, domain: str | None = None
) -> OrganisationView:
    check_role(session, actor, "create organisations", SUPPORT)
    organisation = Organisation(
        id=new_id(),
        name=_clean_name(name),
        domain=_clean_domain(session, domain, None),
        created_at=clock.now(),
    )
    session.add(organisation)
    session.flush()
    view = _view(organisation)
    session.commit()
    return view


def list_organisations(
    session: Session, actor: Actor, *, text: str | None = None, offset: int = 0, limit: int = 50
) -> Page[OrganisationView]:
    """Organisations by name; `text` matches part of the name, in any case. Customers see
    only the organisations they belong to."""
    check_role(session, actor, "list organisations", purpose_for(actor), BILLING)
    check_paging(offset, limit)
    query = select(Organisation)
    if is_customer(actor):
        query = query.where(Organisation.id.in_(organisations_of(session, actor.person_id)))
    if text and text.strip():
        query = query.where(Organisation.name.icontains(text.strip(), autoescape=True))
    rows = session.scalars(
        query.order_by(Organisation.name, Organisation.id).offset(offset).limit(limit + 1)
    ).all()
    return page_of([_view(o) for o in rows], offset, limit)


def get_organisation(session: Session, actor: Actor, organisation_id: str) -> OrganisationView:
    check_role(session, actor, "read organisations", purpose_for(actor), BILLING)
    return _view(_organisation(session, actor, organisation_id))


def update_organisation(
    session: Session, actor: Actor, organisation_id: str, changes: Mapping[str, object]
) -> OrganisationView:
    """Change the name, domain or time zone (None or "" clears the domain or the zone)."""
    check_role(session, actor, "change organisations", SUPPORT)
    only_changes(changes, ORGANISATION_FIELDS, "an organisation")
    organisation = _organisation(session, actor, organisation_id)
    if "name" in changes:
        organisation.name = _clean_name(changes["name"])
    if "domain" in changes:
        organisation.domain = _clean_domain(session, changes["domain"], organisation.id)
    if "time_zone" in changes:
        organisation.time_zone = _clean_zone(changes["time_zone"])
    session.flush()
    view = _view(organisation)
    session.commit()
    return view


def end_contract(session: Session, actor: Actor, organisation_id: str) -> OrganisationView:
    """Record that the contract ended (retention periods counted from it start now). Ending
    an ended contract changes nothing."""
    check_role(session, actor, "end contracts", SUPPORT)
    organisation = _organisation(session, actor, organisation_id)
    if organisation.contract_ended_at is None:
        organisation.contract_ended_at = clock.now()
    session.flush()
    view = _view(organisation)
    session.commit()
    return view


def delete_organisation(session: Session, actor: Actor, organisation_id: str) -> None:
    """Delete an organisation that holds no records; its memberships go with it (the people
    stay). One with tickets, devices, quotes, invoices or service records is refused."""
    check_role(session, actor, "delete organisations", SUPPORT)
    organisation = _organisation(session, actor, organisation_id)
    held = [
        label
        for label, model in (
            ("tickets", Ticket),
            ("devices", Device),
            ("quotes", Quote),
            ("invoices", Invoice),
            ("service records", ServiceRecord),
        )
        if session.scalar(
            select(func.count()).select_from(model).where(model.organisation_id == organisation.id)
        )
    ]
    if held:
        raise Conflict(
            f"This organisation still has {_and(held)}, so it cannot be deleted; "
            "end its contract instead."
        )
    titled = session.scalars(
        select(Membership.person_id).where(
            Membership.organisation_id == organisation.id, Membership.job_title.is_not(None)
        )
    ).all()
    for person_id in titled:
        gate_person(session, actor, Membership, person_id, ["job_title"], action="delete")
    session.execute(delete(Membership).where(Membership.organisation_id == organisation.id))
    session.delete(organisation)
    session.commit()


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# Members ---------------------------------------------------------------------------------


def _member_views(
    session: Session, actor: Actor, memberships: Sequence[Membership]
) -> list[MemberView]:
    """Names and job titles read through the gate: each one the actor may not read is None."""
    person_ids = [m.person_id for m in memberships]
    shown = names(session, actor, person_ids)
    titled = [m.person_id for m in memberships if m.job_title is not None]
    may_read_title = readable_owners(session, actor, Membership, titled, ["job_title"])
    return [
        MemberView(
            organisation_id=m.organisation_id,
            person_id=m.person_id,
            kind=m.kind,
            name=shown.get(m.person_id),
            job_title=m.job_title if m.person_id in may_read_title else None,
            created_at=m.created_at,
        )
        for m in memberships
    ]


def _require_contact_or_staff(
    session: Session, actor: Actor, organisation: Organisation, what: str
) -> None:
    if is_customer(actor) and not is_contact_of(session, actor.person_id, organisation.id):
        raise Forbidden(f"Only a contact of the organisation may {what}.")


def _membership(session: Session, organisation_id: str, person_id: str) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation_id, Membership.person_id == person_id
        )
    )
    if membership is None:
        raise NotFound("This person is not a member of the organisation.")
    return membership


def _check_kind(kind: str) -> None:
    if kind not in MEMBER_KINDS:
        raise Invalid(f"A member's kind is one of: {', '.join(MEMBER_KINDS)}.")


def _gate_end_user_given_by_contact(
    session: Session, actor: Actor, person_id: str, model: Any, columns: list[str]
) -> None:
    """D2: a contact gives us the details of one of their end users. The person is new, so
    there is no state of theirs to weigh and no data of theirs yet for the customer rule
    ("only their own data") to protect; the policy must still use these categories for the
    service and let customers use it. The entry names the new person, so their trail starts
    with who gave us their data."""
    if not columns:
        return
    wanted = categories(model, columns)
    check(session, actor, SERVICE, None, wanted, action="create", columns=columns, about=person_id)


def _new_end_user(
    session: Session,
    actor: Actor,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
) -> str:
    """A contact creates a person record for one of their end users (see the gate above)."""
    if not (name or email or phone):
        raise Invalid("Give at least a name, an email address or a phone number.")
    person_id = new_id()
    columns = [c for c, v in (("name", name), ("email", email), ("phone", phone)) if v]
    _gate_end_user_given_by_contact(session, actor, person_id, Person, columns)
    now = clock.now()
    session.add(
        Person(
            id=person_id,
            kind="end_user",
            name=name,
            email=email,
            phone=phone,
            email_index=email_index(session, email) if email else None,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    return person_id


def add_member(
    session: Session,
    actor: Actor,
    organisation_id: str,
    *,
    kind: str,
    person_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    job_title: str | None = None,
) -> MemberView:
    """Add an existing person (`person_id`), or a new one from their details, as a contact or
    end user. Staff may do either; a contact of the organisation may add new end users (D2)."""
    check_role(session, actor, "add members to organisations", purpose_for(actor))
    _check_kind(kind)
    organisation = _organisation(session, actor, organisation_id)
    _require_contact_or_staff(session, actor, organisation, "add its end users")
    if person_id and (name or email or phone):
        raise Invalid("Give either an existing person's id or a new person's details, not both.")
    name, email = _clean_text(name, "name", 200), _clean_email(email)
    phone, job_title = normalise_phone(session, phone), _clean_text(job_title, "job title", 200)
    if is_customer(actor):
        if kind != "end_user":
            raise Forbidden("A contact may add end users only; ask us to add another contact.")
        if person_id:
            raise Forbidden("A contact adds an end user by their details, not by an id.")
        person_id = _new_end_user(session, actor, name=name, email=email, phone=phone)
    elif person_id:
        if not exists(session, Person, person_id):
            raise Invalid("There is no person with this id.")
        if session.scalar(
            select(Membership.id).where(
                Membership.organisation_id == organisation.id, Membership.person_id == person_id
            )
        ):
            raise Conflict("This person is already a member of the organisation.")
    else:
        kind_of_person = _PERSON_KIND_OF_MEMBER[kind]
        person_id = add_person(
            session, actor, kind=kind_of_person, name=name, email=email, phone=phone
        ).id
    if job_title:
        if is_customer(actor):
            _gate_end_user_given_by_contact(session, actor, person_id, Membership, ["job_title"])
        else:
            gate_person(session, actor, Membership, person_id, ["job_title"], action="create")
    membership = Membership(
        id=new_id(),
        organisation_id=organisation.id,
        person_id=person_id,
        kind=kind,
        job_title=job_title,
        created_at=clock.now(),
    )
    session.add(membership)
    session.flush()
    view = _member_views(session, actor, [membership])[0]
    session.commit()
    return view


def list_members(
    session: Session,
    actor: Actor,
    organisation_id: str,
    *,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[MemberView]:
    """The organisation's members, oldest first. Staff see names through the gate; a contact
    sees ids and kinds, and the names the gate lets a customer read (their own)."""
    check_role(session, actor, "list members of organisations", purpose_for(actor))
    check_paging(offset, limit)
    if kind is not None:
        _check_kind(kind)
    organisation = _organisation(session, actor, organisation_id)
    _require_contact_or_staff(session, actor, organisation, "list its members")
    query = select(Membership).where(Membership.organisation_id == organisation.id)
    if kind is not None:
        query = query.where(Membership.kind == kind)
    rows = session.scalars(
        query.order_by(Membership.created_at, Membership.id).offset(offset).limit(limit + 1)
    ).all()
    page = page_of(rows, offset, limit)
    views = _member_views(session, actor, page.items)
    session.commit()  # the audit entries of the names read
    return Page(items=views, next_offset=page.next_offset)


def change_member(
    session: Session,
    actor: Actor,
    organisation_id: str,
    person_id: str,
    changes: Mapping[str, object],
) -> MemberView:
    """Change a member's kind and/or job title (None clears it)."""
    check_role(session, actor, "change members of organisations", SUPPORT)
    unknown = set(changes) - {"kind", "job_title"}
    if unknown:
        raise Invalid("Only a member's kind and job title can be changed.")
    organisation = _organisation(session, actor, organisation_id)
    membership = _membership(session, organisation.id, person_id)
    if "kind" in changes:
        kind = changes["kind"]
        if not isinstance(kind, str):
            raise Invalid(f"A member's kind is one of: {', '.join(MEMBER_KINDS)}.")
        _check_kind(kind)
        membership.kind = kind
    if "job_title" in changes:
        title = changes["job_title"]
        if title is not None and not isinstance(title, str):
            raise Invalid("A job title is text.")
        gate_person(session, actor, Membership, person_id, ["job_title"], action="update")
        membership.job_title = _clean_text(title, "job title", 200)
    session.flush()
    view = _member_views(session, actor, [membership])[0]
    session.commit()
    return view


def remove_member(session: Session, actor: Actor, organisation_id: str, person_id: str) -> None:
    """The person leaves the organisation; their own record stays."""
    check_role(session, actor, "remove members from organisations", SUPPORT)
    organisation = _organisation(session, actor, organisation_id)
    membership = _membership(session, organisation.id, person_id)
    if membership.job_title is not None:
        gate_person(session, actor, Membership, person_id, ["job_title"], action="delete")
    session.delete(membership)
    session.commit()


def _clean_text(value: str | None, what: str, most: int) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) > most:
        raise Invalid(f"A {what} has at most {most} characters.")
    return value.strip()


def _clean_email(email: str | None) -> str | None:
    email = _clean_text(email, "email address", 254)
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise Invalid("This is not an email address.")
    return email
