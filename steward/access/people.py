"""From a model and a person to the gate's input: a person's state (restriction, objection,
limits, opt-outs, current consents), read without opening anything sealed, for one person or
a page of them; the categories of a model's columns; and the gate calls on a model's columns
owned by a person (`check_person`, `readable_owners`) or by no one person (`check_equipment`).

The people and consent tables sit in the domains above `access`; this module reads them as
tables only (the import contract lets it), so the gate's view of a person is written once.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, defer, object_session

from steward.access.gate import PersonState, allowed, check, readable
from steward.consent.models import ConsentEvent
from steward.core.actor import Actor
from steward.identity.models import Person
from steward.policy.schema import Policy

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


def given_purposes(policy: Policy | None, newest: Mapping[str, ConsentEvent]) -> frozenset[str]:
    """The consent-based purposes given, from the newest event per ledger purpose. A purpose
    is given when an event for it, or for a cookie category serving it, is given and none of
    them is withdrawn: withdrawing any one of them withdraws the purpose."""
    state = {p: e.choice == "given" for p, e in newest.items()}
    if policy is None:
        return frozenset(p for p, given in state.items() if given)
    given = set()
    for key, purpose in policy.purposes.items():
        if purpose.lawful_basis != "consent":
            continue
        sources = [key, *(n for n, c in policy.cookies.items() if c.purpose == key)]
        found = [state[s] for s in sources if s in state]
        if found and all(found):
            given.add(key)
    return frozenset(given)


def consents_of(
    session: Session, person_ids: Iterable[str], policy: Policy | None = None
) -> dict[str, frozenset[str]]:
    """The consent-based purposes each person currently gives, for the access gate: one
    indexed query per 500 people. Without a policy, the purpose keys given as recorded."""
    wanted = list(dict.fromkeys(person_ids))
    newest: dict[str, dict[str, ConsentEvent]] = {p: {} for p in wanted}
    for start in range(0, len(wanted), 500):
        query = (
            select(ConsentEvent)
            .where(ConsentEvent.owner_id.in_(wanted[start : start + 500]))
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
        for row in session.scalars(query):
            newest[row.owner_id][row.purpose] = row
    return {p: given_purposes(policy, newest[p]) for p in wanted}


def _consents(session: Session, person_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    policy = session.info.get("policy")
    return consents_of(session, person_ids, policy if isinstance(policy, Policy) else None)


# session.info: the states read in this transaction. A request asks the gate about the same
# person many times; any write that could change a state forgets them all (see below).
_STATES = "person_states"


def _known(session: Session) -> dict[str, PersonState]:
    known: dict[str, PersonState] = session.info.setdefault(_STATES, {})
    return known


def state_of(session: Session, person_id: str) -> PersonState:
    """The person's state for the gate, read without opening any sealed column."""
    if (known := _known(session).get(person_id)) is not None:
        if session.autoflush:  # as the query would have: callers count on its flush
            session.flush()
        return known
    row = session.execute(select(*STATE_COLUMNS).where(Person.id == person_id)).one()
    state = state_from(row, _consents(session, [person_id])[person_id])
    _known(session)[person_id] = state
    return state


def states_of(session: Session, person_ids: Iterable[str]) -> dict[str, PersonState]:
    """The gate's view of many people at once, their consents included (two queries per
    500, not per person), in the order given; an id that is no person is looked up alone,
    as `state_of` does."""
    if session.autoflush:
        session.flush()
    known, asked = _known(session), list(dict.fromkeys(person_ids))
    wanted = [p for p in asked if p not in known]
    found: dict[str, PersonState] = {p: known[p] for p in asked if p in known}
    consents = _consents(session, wanted)
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(*STATE_COLUMNS).where(Person.id.in_(wanted[start : start + 500]))
        )
        for row in rows:
            found[row.id] = known[row.id] = state_from(row, consents[row.id])
    return {p: found[p] if p in found else state_of(session, p) for p in asked}


def _forget(session: Session | None) -> None:
    if session is not None:
        session.info.pop(_STATES, None)


_STATE_TABLES = frozenset({Person.__tablename__, ConsentEvent.__tablename__})


@event.listens_for(Session, "do_orm_execute")
def _forget_on_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE of many rows may change anyone's state, when it touches
    the tables a state is read from (or the statement does not say which it touches)."""
    if state.is_select:
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name is None or name in _STATE_TABLES:
        _forget(state.session)


@event.listens_for(Session, "before_attach")
def _forget_on_add(session: Session, instance: object) -> None:
    if isinstance(instance, Person | ConsentEvent):
        _forget(session)


@event.listens_for(Session, "before_flush")
def _forget_on_delete(session: Session, *_: object) -> None:
    if any(isinstance(o, Person | ConsentEvent) for o in session.deleted):
        _forget(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    # Not at the end of a flush's own subtransaction: what a flush writes to people and
    # consents is forgotten when it is added, changed or deleted (the listeners above).
    if transaction.parent is None or transaction.nested:
        _forget(session)


def _forget_on_change(target: Person, *_: object) -> None:
    _forget(object_session(target))


for _column in STATE_COLUMNS[1:]:
    event.listen(_column, "set", _forget_on_change)


def people_among(session: Session, owner_ids: Iterable[str]) -> set[str]:
    """Which of these owner ids are people (the others are organisations)."""
    owners = list(dict.fromkeys(owner_ids))
    known = _known(session)  # a state is kept only for a person's row, read in this transaction
    people = {o for o in owners if o in known}
    if unknown := [o for o in owners if o not in known]:
        people.update(session.scalars(select(Person.id).where(Person.id.in_(unknown))))
    return people


def categories(model: Any, columns: Iterable[str]) -> list[str]:
    """The data categories of these columns of a model, as declared on them."""
    table = model.__table__
    return sorted({table.c[c].info.get("category", "user.authorization") for c in columns})


def check_person(
    session: Session,
    actor: Actor,
    model: Any,
    person_id: str,
    columns: Iterable[str],
    *,
    purpose: str,
    action: str = "read",
    state: PersonState | None = None,
) -> None:
    """Check (and audit) reading or writing a person's columns of `model`."""
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


def check_equipment(
    session: Session,
    actor: Actor,
    model: Any,
    columns: Iterable[str],
    *,
    purpose: str,
    action: str = "read",
) -> None:
    """Check (and audit) an organisation's equipment data: no one person's state applies;
    callers scope customers to their own organisations first."""
    columns = list(columns)
    check(session, actor, purpose, None, categories(model, columns), action=action, columns=columns)


def readable_owners(
    session: Session,
    actor: Actor,
    model: Any,
    owner_ids: Iterable[str],
    columns: Iterable[str],
    *,
    purpose: str,
) -> set[str]:
    """The owners among these whose `columns` of `model` the actor may read, the reads audited
    in one append: people under their own state, organisations (owners that are no person) as
    equipment. The others are left out, so a list shows their rows without the sealed columns
    instead of refusing the whole page."""
    owners, columns = set(owner_ids), list(columns)
    people = people_among(session, owners)
    wanted = categories(model, columns)
    found = readable(session, actor, purpose, states_of(session, people), wanted, columns)
    organisations = owners - people
    if organisations and allowed(session, actor, purpose, None, wanted):
        check_equipment(session, actor, model, columns, purpose=purpose)
        found |= organisations
    return found


def load_rows(
    session: Session, model: Any, ids: Iterable[str], readable: Iterable[str]
) -> list[Any]:
    """The rows of `model` with these ids, in this order. Rows whose id is not in `readable`
    come with their sealed columns unloaded, so nothing of theirs is ever opened."""
    ids, readable = list(ids), set(readable)
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
