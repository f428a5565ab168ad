"""Who an incident affected, computed from the audit trail and the data map (X6).

A scope says what was compromised, in ids and keys only (it is stored on the incident as
JSON): an account or a role over a window (every person whose data it read or changed, from
the audit trail), a lost device (the same, within the windows of the account's recorded
sessions: audit entries name no session, so they are tied by account and time), tables, a
backup or one rights export exposed (every person with rows in them, from the data map), or
a processor's breach (every person with data in the categories it receives).

`affected` streams the people in person order, one SQL statement grouped by person, so
nothing holds a big table in memory; `preview` counts them (people, records, per category
and per jurisdiction), `freeze` stores the list sealed under the incident's own key
(`incidents.affected`) and puts the counts on the register. A person's jurisdiction is the
policy's one law when it names one, else read from the time zone Steward holds for them
(their account's, else their organisation's, else the business's): Europe's -> gdpr,
Great Britain's -> uk_gdpr, US Pacific -> ccpa; None when none of the policy's laws fits.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby, islice
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS, PersonState, readable
from steward.audit.models import ENTRIES
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.desk.models import Membership, Organisation
from steward.identity.common import load_account, login_index
from steward.identity.models import STAFF_ROLES, Account, Person, WebSession
from steward.identity.sessions import TOUCH_EVERY
from steward.incidents import affected as frozen_list
from steward.incidents import register
from steward.incidents.affected import PART, Affected
from steward.incidents.models import IncidentEvent
from steward.incidents.timeline import note
from steward.policy.active import policy_of, resolve
from steward.policy.countries import EEA
from steward.policy.local import Local
from steward.policy.schema import Policy
from steward.rights.datamap import Holding, holdings
from steward.rights.models import RightsRequest
from steward.vault.service import vault_of

KINDS = {
    "account": "An account compromised",
    "role": "A role compromised",
    "device": "A lost device",
    "table": "Tables exposed",
    "backup": "A backup exposed",
    "export": "A rights export exposed",
    "processor": "A processor's breach",
}
BY_AUDIT = frozenset({"account", "role", "device"})
UNKNOWN = "unknown"  # the jurisdiction count of people none of the policy's laws fits
_SEEN = ("allowed", "ok")  # audit outcomes where data was handed over (not refused, failed)


@dataclass(frozen=True)
class Scope:
    """What was compromised. Ids and keys only: no personal data."""

    kind: str
    account: str | None = None  # an account id (account, device)
    role: str | None = None
    since: datetime | None = None  # the window, since inclusive, until exclusive
    until: datetime | None = None  # for a backup: when it was taken
    tables: tuple[str, ...] = ()
    request: str | None = None  # a rights request's reference (export)
    processor: str | None = None  # a policy processor key

    def to_json(self) -> str:
        found = {k: v for k, v in asdict(self).items() if v not in (None, ())}
        return json.dumps(found, default=lambda t: t.isoformat(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Scope":
        found: dict[str, Any] = json.loads(text)
        for name in ("since", "until"):
            if name in found:
                found[name] = datetime.fromisoformat(found[name])
        found["tables"] = tuple(found.get("tables", ()))
        return cls(**found)


@dataclass(frozen=True)
class Counts:
    """What a preview shows and the register keeps: counts and keys, never a person."""

    people: int = 0
    records: int = 0  # rows of theirs (tables) or accesses to their data (audit trail)
    categories: dict[str, int] = field(default_factory=dict)  # policy category -> people
    special: tuple[str, ...] = ()  # the categories among them the policy marks sensitive
    jurisdictions: dict[str, int] = field(default_factory=dict)  # law key (or UNKNOWN) -> people
    sessions: int | None = None  # a device: the account's sessions the window was tied to


@dataclass(frozen=True)
class Frozen:
    scope: Scope
    frozen_at: datetime
    counts: Counts


def scope(
    session: Session,
    kind: str,
    *,
    account: str | None = None,
    role: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    tables: Iterable[str] = (),
    request: str | None = None,
    processor: str | None = None,
) -> Scope:
    """A checked scope: an account named by id or email is kept by id, a window needs its
    start, every name must exist. A clear one-line Invalid otherwise."""
    if kind not in KINDS:
        raise Invalid(f"Choose what was compromised: one of {', '.join(KINDS)}.")
    policy = policy_of(session)
    if kind in BY_AUDIT:
        if since is None:
            raise Invalid("Give the start of the window (from).")
        until = until or clock.now()
        if until <= since:
            raise Invalid("The window must end after it starts.")
    if kind in ("account", "device"):
        return Scope(kind, account=_account_id(session, account), since=since, until=until)
    if kind == "role":
        if role not in STAFF_ROLES and role != "customer":
            raise Invalid("Name a role: " + ", ".join((*STAFF_ROLES, "customer")) + ".")
        return Scope(kind, role=role, since=since, until=until)
    if kind == "table":
        known = {h.name for h in holdings()}
        chosen = tuple(sorted({t.strip() for t in tables if t.strip()}))
        if not chosen:
            raise Invalid("Name the tables exposed.")
        if unknown := [t for t in chosen if t not in known]:
            raise Invalid(f"No table of personal data is called {unknown[0]!r}.")
        return Scope(kind, tables=chosen)
    if kind == "backup":
        return Scope(kind, until=until)
    if kind == "export":
        reference = (request or "").strip().upper()
        found = session.scalar(
            select(RightsRequest.person_id).where(RightsRequest.reference == reference)
        )
        if found is None:
            raise Invalid("There is no rights request with that reference for a known person.")
        return Scope(kind, request=reference)
    key = (processor or "").strip()
    if key not in policy.processors:
        raise Invalid("The policy names no such processor.")
    return Scope(kind, processor=key)


def _account_id(session: Session, given: str | None) -> str:
    given = (given or "").strip()
    if not given:
        raise Invalid("Name the account, by its email address or its id.")
    where = Account.login_index == login_index(session, given) if "@" in given else None
    found = load_account(session, where if where is not None else Account.id == given)
    if found is None:
        raise Invalid("There is no such account.")
    return found.id


# --- the people, streamed -------------------------------------------------------------


def affected(session: Session, chosen: Scope) -> Iterator[Affected]:
    """Every person the scope reached, in person id order, with their categories (policy
    keys), jurisdiction and records."""
    policy = policy_of(session)
    if chosen.kind in BY_AUDIT:
        rows = _from_audit(session, chosen, policy)
    else:
        rows = _from_tables(session, chosen, policy)
    business = Local.of(policy.controller).time_zone
    for person_id, categories, records, zone in rows:
        yield Affected(
            person_id, tuple(sorted(categories)), _law(policy, zone or business), records
        )


Row = tuple[str, set[str], int, str | None]  # person, policy categories, records, time zone


def _merged(rows: Iterable[Any], categories_of: Any) -> Iterator[Row]:
    """Rows (person, what, count, zone) in person order, merged into one per person."""
    for person_id, group in groupby(rows, key=lambda row: row[0]):
        found: set[str] = set()
        records, zone = 0, None
        for _, what, count, its_zone in group:
            found |= categories_of(what)
            records, zone = records + count, its_zone
        yield person_id, found, records, zone


def _streamed(
    session: Session, policy: Policy, grouped: Select[Any], person: str, extra: Any = None
) -> Any:
    """The grouped rows in person order, each with the person's time zone when the policy has
    several laws to tell apart: looked up per row by index (their account's, else their
    earliest organisation's), in the same statement, so nothing is gathered in Python."""
    inner = grouped.subquery()
    who = inner.c[person]
    zone: Any = literal(None)
    if len(policy.jurisdictions) > 1:
        own = (
            select(Account.time_zone)
            .where(Account.person_id == who, Account.time_zone.is_not(None))
            .limit(1)
            .scalar_subquery()
        )
        member = (
            select(Organisation.time_zone)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.person_id == who, Organisation.time_zone.is_not(None))
            .order_by(Membership.created_at)
            .limit(1)
            .scalar_subquery()
        )
        zone = func.coalesce(own, member)
    statement = select(*inner.c, zone).order_by(who)
    if extra is not None:
        statement = statement.where(who.in_(extra))
    return session.execute(statement, execution_options={"yield_per": 2000})


def audit_where(chosen: Scope, windows: list[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    """The audit entries an account or a role made in the windows, handing data over."""
    who = (
        ENTRIES.c.actor_role == chosen.role
        if chosen.kind == "role"
        else (ENTRIES.c.actor == chosen.account)
    )
    within = or_(false(), *[and_(ENTRIES.c.at >= a, ENTRIES.c.at < b) for a, b in windows])
    return and_(who, within, ENTRIES.c.person_id.is_not(None), ENTRIES.c.outcome.in_(_SEEN))


def audit_statement(chosen: Scope, windows: list[tuple[datetime, datetime]]) -> Select[Any]:
    """Those entries grouped by person and categories."""
    return (
        select(ENTRIES.c.person_id, ENTRIES.c.categories, func.count().label("records"))
        .where(audit_where(chosen, windows))
        .group_by(ENTRIES.c.person_id, ENTRIES.c.categories)
    )


def windows_of(session: Session, chosen: Scope) -> list[tuple[datetime, datetime]]:
    """The scope's window; for a device, its overlaps with the account's recorded sessions
    (each from its start to a minute past when it was last seen, as `last_seen_at` moves
    once a minute), merged."""
    if chosen.since is None or chosen.until is None:
        raise Invalid("Give the window: when it began and when it ended.")
    if chosen.kind != "device":
        return [(chosen.since, chosen.until)]
    spans = session.execute(
        select(WebSession.created_at, WebSession.last_seen_at)
        .where(WebSession.account_id == chosen.account)
        .order_by(WebSession.created_at)
    ).all()
    merged: list[tuple[datetime, datetime]] = []
    for start, seen in spans:
        a, b = max(start, chosen.since), min(seen + TOUCH_EVERY, chosen.until)
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _from_audit(session: Session, chosen: Scope, policy: Policy) -> Iterator[Row]:
    windows = windows_of(session, chosen)
    if not windows:
        return iter(())
    rows = _streamed(session, policy, audit_statement(chosen, windows), "person_id")

    @cache
    def categories_of(encoded: str) -> set[str]:
        return {resolve(policy, c) or c for c in json.loads(encoded)}

    return _merged(rows, categories_of)


def _person_column(holding: Holding) -> tuple[Any, Any]:
    """The column naming the person a row is about, and what to select from: a table whose
    rows name no person directly (a rights request's files) reaches one through its owner."""
    if holding.subject is not None:
        return holding.table.c[holding.subject], holding.table
    owner = holding.table.c[holding.owner]
    for fk in owner.foreign_keys:
        parent = next((h for h in holdings() if h.table is fk.column.table), None)
        if parent is not None and parent.subject is not None:
            joined = holding.table.join(parent.table, owner == fk.column)
            return parent.table.c[parent.subject], joined
    return None, None


def tables_reached(chosen: Scope, policy: Policy) -> list[tuple[Holding, set[str], Any]]:
    """The tables a table-like scope reaches: each with the policy categories it exposes and
    the condition a row must meet (for a processor: holding a category it receives)."""
    found = []
    for holding in holdings():
        if chosen.kind == "table" and holding.name not in chosen.tables:
            continue
        columns = {
            c: resolve(policy, category) or category for c, category in holding.columns.items()
        }
        condition: ColumnElement[bool] | None = None
        if chosen.kind == "processor":
            received = {
                resolve(policy, k) or k
                for k in policy.processors[chosen.processor or ""].categories
            }
            columns = {c: k for c, k in columns.items() if _within(k, received)}
            if not columns:
                continue
            condition = or_(*[holding.table.c[c].is_not(None) for c in columns])
        found.append((holding, set(columns.values()), condition))
    return found


def _within(key: str, received: set[str]) -> bool:
    """Whether a category is one the processor receives, or finer than one."""
    return any(key == r or key.startswith(r + ".") for r in received)


def _from_tables(session: Session, chosen: Scope, policy: Policy) -> Iterator[Row]:
    reached = tables_reached(chosen, policy)
    person: str | None = None
    if chosen.kind == "export":
        person = session.scalar(
            select(RightsRequest.person_id).where(RightsRequest.reference == chosen.request)
        )
    parts, categories = [], {}
    for number, (holding, keys, condition) in enumerate(reached):
        column, source = _person_column(holding)
        if column is None:
            continue
        part = select(column.label("person"), literal(number).label("part"), func.count())
        part = part.select_from(source).where(column.is_not(None))
        if condition is not None:
            part = part.where(condition)
        if person is not None:
            part = part.where(column == person)
        parts.append(part.group_by(column))
        categories[number] = keys
    if not parts:
        return iter(())
    taken = None
    if chosen.kind == "backup" and chosen.until is not None:
        taken = select(Person.id).where(Person.created_at <= chosen.until)
    everyone = union_all(*parts)
    rows = _streamed(session, policy, select(everyone.subquery()), "person", taken)
    return _merged(rows, lambda number: categories[number])


# --- jurisdictions -----------------------------------------------------------------------


def _law(policy: Policy, zone: str) -> str | None:
    """A person's law among the policy's: its one law, else the one their time zone is in."""
    if len(policy.jurisdictions) == 1:
        return policy.jurisdictions[0]
    law = law_of_zone(zone)
    return law if law in policy.jurisdictions else None


@cache
def law_of_zone(zone: str) -> str | None:
    """The data protection law of the place a time zone is in, as far as a zone tells."""
    from babel.core import get_global

    country = get_global("zone_territories").get(zone)
    if country in EEA:
        return "gdpr"
    if country == "GB":
        return "uk_gdpr"
    if zone == "America/Los_Angeles":  # US Pacific time: California's zone
        return "ccpa"
    return None


# --- counting, previewing, freezing ------------------------------------------------------


class Tally:
    """Counts people as they stream past."""

    def __init__(self) -> None:
        self.people = self.records = 0
        self.categories: dict[str, int] = {}
        self.jurisdictions: dict[str, int] = {}

    def add(self, person: Affected) -> Affected:
        self.people += 1
        self.records += person.records
        for key in person.categories:
            self.categories[key] = self.categories.get(key, 0) + 1
        place = person.jurisdiction or UNKNOWN
        self.jurisdictions[place] = self.jurisdictions.get(place, 0) + 1
        return person

    def counts(self, policy: Policy, sessions: int | None = None) -> Counts:
        special = tuple(
            k
            for k in sorted(self.categories)
            if k in policy.categories and policy.categories[k].sensitive
        )
        return Counts(
            self.people,
            self.records,
            dict(sorted(self.categories.items())),
            special,
            dict(sorted(self.jurisdictions.items())),
            sessions,
        )


def _sessions(session: Session, chosen: Scope) -> int | None:
    if chosen.kind != "device":
        return None
    return len(windows_of(session, chosen))


def preview(session: Session, actor: Actor, incident_id: str, chosen: Scope) -> Counts:
    """The counts the scope gives, nothing stored and no person named. Audited as one entry."""
    register.get(session, actor, incident_id)
    tally = Tally()
    for person in affected(session, chosen):
        tally.add(person)
    record(session, actor, "incident_preview", purpose=INCIDENTS)
    session.commit()
    return tally.counts(policy_of(session), _sessions(session, chosen))


def freeze(session: Session, actor: Actor, incident_id: str, chosen: Scope) -> Frozen:
    """Compute the list, seal it under the incident's key (replacing any earlier one), put
    the counts on the register and the step on the timeline. Reading the people is audited
    through the gate, one append per part."""
    incident = register.get_open(session, actor, incident_id)
    policy = policy_of(session)
    tally = Tally()

    def read_through_gate() -> Iterator[Affected]:
        people = affected(session, chosen)
        while part := list(islice(people, PART)):
            keys = sorted({k for p in part for k in p.categories})
            states = {p.person_id: PersonState(p.person_id) for p in part}
            readable(session, actor, INCIDENTS, states, keys, [])
            yield from (tally.add(p) for p in part)

    frozen_list.store(session, vault_of(session), incident.id, read_through_gate())
    counts = tally.counts(policy, _sessions(session, chosen))
    now = clock.now()
    incident.affected_scope = chosen.to_json()
    incident.affected_frozen_at = now
    incident.people_count = counts.people
    incident.records_count = counts.records
    incident.categories = json.dumps(sorted(counts.categories))
    incident.jurisdictions = json.dumps(sorted(k for k in counts.jurisdictions if k != UNKNOWN))
    incident.people_by_law = json.dumps(
        {k: n for k, n in sorted(counts.jurisdictions.items()) if k != UNKNOWN}
    )
    note(
        session,
        actor,
        incident.id,
        "affected.frozen",
        scope=json.loads(chosen.to_json()),
        **asdict(counts),
    )
    session.commit()
    return Frozen(chosen, now, counts)


def frozen(session: Session, actor: Actor, incident_id: str) -> Frozen | None:
    """The counts frozen last, as the timeline noted them; None before any freeze."""
    incident = register.get(session, actor, incident_id)
    if incident.affected_scope is None or incident.affected_frozen_at is None:
        return None
    event = session.scalar(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "affected.frozen")
        .order_by(IncidentEvent.at.desc(), IncidentEvent.id.desc())
        .limit(1)
    )
    detail = json.loads(event.detail) if event is not None else {}
    counts = Counts(
        incident.people_count or 0,
        incident.records_count or 0,
        detail.get("categories", dict.fromkeys(json.loads(incident.categories), 0)),
        tuple(detail.get("special", ())),
        detail.get("jurisdictions", {}),
        detail.get("sessions"),
    )
    return Frozen(Scope.from_json(incident.affected_scope), incident.affected_frozen_at, counts)
