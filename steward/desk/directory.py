"""The people directory, for staff: finding people by name or email, reading, adding and
correcting them (rectification), each column through the gate. Top-level functions own
their transaction.

An email address is found by its blind index, whatever the person's age. Names are sealed
and have no index, so a search by name opens them through the gate (one audited append per
batch) among the newest people only, and stops when the page is full or after NAME_SCAN
(500) people: an older person is found by their email address.
"""

from collections.abc import Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from steward.access.gate import allowed, check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.desk.common import (
    BILLING,
    SUPPORT,
    Page,
    check_paging,
    exists,
    normalise_phone,
    page_of,
)
from steward.desk.models import (
    Membership,
    Organisation,
)
from steward.desk.organisations import (
    NEW_PERSON_KINDS,
    PERSON_SHOWN,
    RECTIFIABLE,
    MembershipRef,
    PersonSummary,
    PersonView,
    _clean_email,
    _clean_text,
)
from steward.desk.people import add_person, names
from steward.identity.common import categories, email_index, load_person, state_of
from steward.identity.models import Person

NAME_SCAN = 500  # most people one search by name opens (see the module's docstring)
NAME_BATCH = 100
SHORTEST_NAME = 2


def _directory_purpose(actor: Actor) -> str:
    return BILLING if actor.role == "billing" else SUPPORT


def find_people(
    session: Session, actor: Actor, *, email: str, offset: int = 0, limit: int = 50
) -> Page[PersonSummary]:
    """People with exactly this email address, found by its blind index; names through the
    gate."""
    check_role(session, actor, "look people up", SUPPORT, BILLING)
    check_paging(offset, limit)
    if not email or not email.strip():
        raise Invalid("Give the email address to look for.")
    rows = session.execute(
        select(Person.id, Person.kind)
        .where(Person.email_index == email_index(session, email.strip()))
        .order_by(Person.created_at, Person.id)
        .offset(offset)
        .limit(limit + 1)
    ).all()
    page = page_of(rows, offset, limit)
    shown = names(session, actor, [r.id for r in page.items], _directory_purpose(actor))
    session.commit()
    return Page(
        items=[PersonSummary(id=r.id, kind=r.kind, name=shown.get(r.id)) for r in page.items],
        next_offset=page.next_offset,
    )


def search_people(
    session: Session, actor: Actor, text: str, *, offset: int = 0, limit: int = 20
) -> Page[PersonSummary]:
    """People whose email address is `text` (exactly, by its blind index) or whose name
    contains it, in any case; staff accounts and erased people are left out. Names are read
    through the gate, so a person whose name the actor may not read is never matched."""
    check_role(session, actor, "look people up", SUPPORT, BILLING)
    check_paging(offset, limit)
    needle = " ".join(text.split()).casefold()
    if len(needle) < SHORTEST_NAME or len(needle) > 254:
        return Page(items=[], next_offset=None)
    purpose, wanted = _directory_purpose(actor), offset + limit + 1
    query = (
        select(Person.id, Person.kind)
        .where(Person.kind != "staff", Person.erased_at.is_(None))
        .order_by(Person.created_at.desc(), Person.id.desc())
    )
    if "@" in needle:  # an email address: its blind index, whatever the person's age
        rows = session.execute(
            query.where(Person.email_index == email_index(session, text.strip())).limit(wanted)
        ).all()
        shown = names(session, actor, [r.id for r in rows], purpose)
        found = [PersonSummary(id=r.id, kind=r.kind, name=shown.get(r.id)) for r in rows]
    else:
        found = _by_name(session, actor, query, needle, wanted)
    session.commit()
    return page_of(found[offset:wanted], offset, limit)


def _by_name(
    session: Session, actor: Actor, query: Select[str, str], needle: str, wanted: int
) -> list[PersonSummary]:
    """The newest people whose name contains `needle`, opened in batches through the gate."""
    purpose, found = _directory_purpose(actor), []
    for start in range(0, NAME_SCAN, NAME_BATCH):
        batch = session.execute(query.offset(start).limit(NAME_BATCH)).all()
        shown = names(session, actor, [r.id for r in batch], purpose)
        found += [
            PersonSummary(id=r.id, kind=r.kind, name=shown[r.id])
            for r in batch
            if needle in shown.get(r.id, "").casefold()
        ]
        if len(found) >= wanted or len(batch) < NAME_BATCH:
            break
    return found


def _readable_person_columns(session: Session, actor: Actor, person_id: str) -> list[str]:
    """The directory's columns the policy lets this actor read, asked one by one without
    audit; when none is, all are returned so that the gate refuses and audits."""
    state, purpose = state_of(session, person_id), _directory_purpose(actor)
    shown = [
        c for c in PERSON_SHOWN if allowed(session, actor, purpose, state, categories(Person, [c]))
    ]
    return shown or list(PERSON_SHOWN)


def _person_view(session: Session, actor: Actor, person_id: str) -> PersonView:
    if not exists(session, Person, person_id):
        raise NotFound("There is no such person.")
    columns = _readable_person_columns(session, actor, person_id)
    person = load_person(
        session, actor, person_id, columns, purpose=_directory_purpose(actor), action="read"
    )
    memberships = session.execute(
        select(Membership.organisation_id, Organisation.name, Membership.kind)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.person_id == person_id)
        .order_by(Organisation.name)
    ).all()
    return PersonView(
        id=person.id,
        kind=person.kind,
        fields={c: getattr(person, c) for c in columns},
        created_at=person.created_at,
        organisations=[MembershipRef(r[0], r[1], r[2]) for r in memberships],
    )


def create_person(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    name: str | None,
    email: str | None = None,
    phone: str | None = None,
) -> PersonView:
    """A person the desk deals with (a caller, an end user, a contact), sealed and audited.
    An email address already known is refused, naming the person who has it."""
    check_role(session, actor, "add people", SUPPORT)
    if kind not in NEW_PERSON_KINDS:
        raise Invalid(f"A person's kind is one of: {', '.join(NEW_PERSON_KINDS)}.")
    name, email = _clean_text(name, "name", 200), _clean_email(email)
    phone = normalise_phone(session, phone)
    if email:
        known = session.scalar(
            select(Person.id).where(Person.email_index == email_index(session, email)).limit(1)
        )
        if known:
            raise Conflict(f"A person with this email address is already known: {known}.")
    person = add_person(session, actor, kind=kind, name=name, email=email, phone=phone)
    view = _person_view(session, actor, person.id)
    session.commit()
    return view


def get_person(session: Session, actor: Actor, person_id: str) -> PersonView:
    """A person's name, email, phone and company as far as the policy lets the actor read
    them (the others are left out), and the organisations they belong to."""
    check_role(session, actor, "read people", SUPPORT, BILLING)
    view = _person_view(session, actor, person_id)
    session.commit()
    return view


def rectify_person(
    session: Session, actor: Actor, person_id: str, changes: Mapping[str, str | None]
) -> PersonView:
    """Correct a person's name, phone or company (None clears phone or company); audited
    with the column names."""
    check_role(session, actor, "correct people's data", SUPPORT)
    unknown = set(changes) - set(RECTIFIABLE)
    if unknown:
        raise Invalid(f"Only these fields can be corrected here: {', '.join(RECTIFIABLE)}.")
    if "name" in changes and not (changes["name"] or "").strip():
        raise Invalid("The name cannot be empty.")
    cleaned = {
        "name": lambda v: _clean_text(v, "name", 200),
        "company": lambda v: _clean_text(v, "company", 200),
        "phone": lambda v: normalise_phone(session, v),
    }
    values = {column: cleaned[column](value) for column, value in changes.items()}
    if not exists(session, Person, person_id):
        raise NotFound("There is no such person.")
    if values:
        person = load_person(
            session, actor, person_id, sorted(values), action="update", purpose=SUPPORT
        )
        for column, value in values.items():
            setattr(person, column, value)
        person.updated_at = clock.now()
        session.flush()
    view = _person_view(session, actor, person_id)
    session.commit()
    return view
