"""Reading rights requests: the public status by reference (no personal data), the privacy
officer's queue ordered by due date with who asked, one request in detail with its timeline
(who did each step, by name or role), and a signed-in person's own requests. Also the
gate-checked access to a request's contact details and the answer mail, which every rights
service shares. Names are read through the gate under the rights purpose and audited; the
reads commit with the audit entries they leave."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, PersonState, check, readable
from steward.access.people import readable_owners
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.core.settings import Settings
from steward.identity.common import mail_quietly
from steward.identity.models import Account, Person
from steward.policy.active import Words, policy_of
from steward.rights.common import by_reference, get_request, require_officer
from steward.rights.models import CLOSED, RequestEvent, RequestFile, RightsRequest

# A request's status and the details a person may correct, in the words the pages show.
STATUS_NAMES = {
    "unverified": "Waiting for you to confirm who you are",
    "open": "Being handled",
    "scheduled": "Erasure scheduled",
    "erasing": "Being erased",
    "done": "Done",
    "refused": "Refused",
    "cancelled": "Cancelled",
    "lapsed": "Lapsed (not confirmed in time)",
}
CORRECTION_FIELDS = {
    "name": "Name",
    "email": "Email address",
    "phone": "Phone",
    "company": "Company",
}
KIND_LABELS = {
    "access": "access to your data",
    "rectification": "correction of your data",
    "erasure": "erasure of your data",
    "restriction": "restriction of processing",
    "portability": "a portable copy of your data",
    "objection": "objection to processing",
    "consent_withdrawal": "withdrawal of consent",
    "ccpa_know": "right to know (California)",
    "ccpa_delete": "right to delete (California)",
    "ccpa_correct": "right to correct (California)",
    "ccpa_opt_out": "opt-out of sale or sharing (California)",
    "ccpa_limit": "limit use of sensitive personal information (California)",
    "inquiry": "privacy inquiry",
}


def may_handle(actor: Actor) -> None:
    """The privacy officer, or Steward itself (the command line, jobs)."""
    if actor.role != "system":
        require_officer(actor)


def contact(
    session: Session,
    actor: Actor,
    request: RightsRequest,
    columns: list[str],
    *,
    action: str = "read",
) -> None:
    """Gate (and audit) reading or writing a request's sealed contact columns."""
    table = RightsRequest.__table__
    categories = sorted({table.c[c].info["category"] for c in columns})
    state = PersonState(request.person_id) if request.person_id else None
    check(session, actor, RIGHTS, state, categories, action=action, columns=columns)


def tell(
    session: Session, settings: Settings, request: RightsRequest, subject: str, body: str
) -> bool:
    """Mail the person who asked (the request's own address), after the gate allowed it to
    Steward. Quietly: the change it reports is already made. Never raises on mail trouble."""
    from steward.core.actor import SYSTEM

    contact(session, SYSTEM, request, ["email"])
    if not request.email:
        return False
    text = f"{body}\n\nReference: {request.reference}"
    return mail_quietly(session, settings, request.email, f"{subject} ({request.reference})", text)


def label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class PublicStatus:
    reference: str
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    verified: bool
    extended: bool
    completed_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class QueueItem:
    id: str
    reference: str
    kind: str
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    verified_at: datetime | None
    completed_at: datetime | None
    outcome: str | None
    due_soon: bool
    overdue: bool
    waited: timedelta  # time spent waiting for the person to verify
    name: str | None = None  # who asked, in the officer's queue only


@dataclass(frozen=True)
class TimelineEntry:
    step: str
    note: str | None
    actor_id: str | None
    at: datetime
    by: str | None = None  # the actor's name, or their role's, for the officer's page


@dataclass(frozen=True)
class Document:
    id: str
    filename: str | None
    content_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True)
class Detail:
    item: QueueItem
    person_id: str | None
    email: str | None
    name: str | None
    details: str | None
    corrections: dict[str, str]
    purposes: list[str]
    on_behalf: bool
    agent: str | None
    verification: str | None
    answer: str | None
    extension_reason: str | None
    refusal_reason: str | None
    lapses_at: datetime | None
    scheduled_for: datetime | None
    timeline: list[TimelineEntry]
    documents: list[Document]
    person_name: str | None = None  # the matched person's name, read through the gate


def public_status(session: Session, reference: str) -> PublicStatus:
    """What anyone holding the reference may see: no personal data."""
    request = by_reference(session, reference)
    return PublicStatus(
        reference=request.reference,
        kind=request.kind,
        status=request.status,
        received_at=request.received_at,
        due_at=request.due_at,
        verified=request.verified_at is not None,
        extended=request.extended_at is not None,
        completed_at=request.completed_at,
        outcome=request.outcome,
    )


def waited(request: RightsRequest, now: datetime | None = None) -> timedelta:
    """How long the request waited (or still waits) for the person to verify."""
    if request.verified_at is not None:
        return request.verified_at - request.received_at
    if request.status == "unverified":
        return (now or clock.now()) - request.received_at
    end = request.completed_at or request.received_at
    return end - request.received_at


def item(
    session: Session,
    request: RightsRequest,
    now: datetime | None = None,
    name: str | None = None,
) -> QueueItem:
    now = now or clock.now()
    open_ = request.status not in CLOSED
    soon = timedelta(days=policy_of(session).requests.due_soon_days)
    return QueueItem(
        id=request.id,
        reference=request.reference,
        kind=request.kind,
        channel=request.channel,
        status=request.status,
        received_at=request.received_at,
        due_at=request.due_at,
        verified_at=request.verified_at,
        completed_at=request.completed_at,
        outcome=request.outcome,
        due_soon=open_ and now <= request.due_at <= now + soon,
        overdue=open_ and request.due_at < now,
        waited=waited(request, now),
        name=name,
    )


def _clear_rows(
    session: Session, statement: object, opened: tuple[str, ...] = ()
) -> list[RightsRequest]:
    """Requests without their sealed columns opened but for `opened`: lists show no contact
    details."""
    from sqlalchemy.orm import defer

    sealed = [
        c.key for c in RightsRequest.__table__.c if c.info.get("encrypted") and c.key not in opened
    ]
    options = [defer(getattr(RightsRequest, c)) for c in sealed]
    return list(session.scalars(statement.options(*options)))  # type: ignore[attr-defined]


def _names(session: Session, officer: Actor, requests: list[RightsRequest]) -> dict[str, str]:
    """Who asked each request, by request id: the names read through the gate in one audited
    append for the people matched, one more entry for the requests matched to nobody yet."""
    category = RightsRequest.__table__.c["name"].info["category"]
    matched = {r.person_id: PersonState(r.person_id) for r in requests if r.person_id}
    allowed: set[str | None] = set(
        readable(session, officer, RIGHTS, matched, [category], ["name"])
    )
    if any(r.person_id is None for r in requests):
        check(session, officer, RIGHTS, None, [category], columns=["name"])
        allowed.add(None)
    return {r.id: str(r.name) for r in requests if r.name and r.person_id in allowed}


def queue(
    session: Session,
    officer: Actor,
    include_closed: bool = False,
    *,
    person_id: str | None = None,
    named: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[QueueItem]:
    """Every open request (or every request; or those about one person), soonest due first;
    or `limit` from `offset`. `named`: with who asked, the names' reads audited and
    committed."""
    may_handle(officer)
    order = (RightsRequest.due_at, RightsRequest.received_at, RightsRequest.id)
    statement = select(RightsRequest).order_by(*order).offset(offset).limit(limit)
    if not include_closed:
        statement = statement.where(RightsRequest.status.not_in(CLOSED))
    if person_id is not None:
        statement = statement.where(RightsRequest.person_id == person_id)
    now = clock.now()
    rows = _clear_rows(session, statement, opened=("name",) if named else ())
    if not named:
        return [item(session, r, now) for r in rows]
    names = _names(session, officer, rows)
    found = [item(session, r, now, names.get(r.id)) for r in rows]
    session.commit()
    return found


def mine(
    session: Session, actor: Actor, *, offset: int = 0, limit: int | None = None
) -> list[QueueItem]:
    """A signed-in person's own requests (those verified as theirs), newest first; or
    `limit` of them from `offset`."""
    if actor.person_id is None:
        raise Forbidden("Sign in to see your requests.")
    statement = (
        select(RightsRequest)
        .where(RightsRequest.person_id == actor.person_id)
        .order_by(RightsRequest.received_at.desc(), RightsRequest.id)
        .offset(offset)
        .limit(limit)
    )
    now = clock.now()
    return [item(session, r, now) for r in _clear_rows(session, statement)]


def my_answers(session: Session, actor: Actor) -> dict[str, str]:
    """The answers to a signed-in person's own requests, by request id, read through the
    gate (their own data, purpose rights: audited like any other read)."""
    if actor.person_id is None:
        raise Forbidden("Sign in to see your requests.")
    answered = session.scalars(
        select(RightsRequest).where(
            RightsRequest.person_id == actor.person_id, RightsRequest.answer.is_not(None)
        )
    ).all()
    found = {}
    for request in answered:
        contact(session, actor, request, ["answer"])
        if request.answer:
            found[request.id] = str(request.answer)
    return found


def timeline(session: Session, request_id: str) -> list[TimelineEntry]:
    events = session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    return [TimelineEntry(e.step, e.note, e.actor_id, e.at) for e in events]


def documents(session: Session, request_id: str) -> list[Document]:
    rows = session.scalars(
        select(RequestFile)
        .where(RequestFile.request_id == request_id, RequestFile.kind == "document")
        .order_by(RequestFile.created_at)
    )
    return [Document(f.id, f.filename, f.content_type, f.size, f.created_at) for f in rows]


def person_names(session: Session, officer: Actor, person_ids: Iterable[str]) -> dict[str, str]:
    """People's names for the officer, by id, each read through the gate under the rights
    purpose (one audited append); an erased person's name is gone."""
    allowed = readable_owners(session, officer, Person, set(person_ids), ["name"], purpose=RIGHTS)
    rows = session.scalars(select(Person).where(Person.id.in_(allowed), Person.erased_at.is_(None)))
    return {p.id: str(p.name) for p in rows if p.name}


def _named_steps(
    session: Session, officer: Actor, steps: list[TimelineEntry]
) -> list[TimelineEntry]:
    """The steps with who did each: a staff member's name (read through the gate), else
    their role's name."""
    accounts = {s.actor_id for s in steps if s.actor_id}
    if not accounts:
        return steps
    found = session.execute(
        select(Account.id, Account.role, Account.person_id).where(Account.id.in_(accounts))
    ).all()
    names = person_names(session, officer, {a.person_id for a in found if a.person_id})
    by = {a.id: names.get(a.person_id or "") or Words.role(a.role) for a in found}
    return [
        replace(s, by=by.get(s.actor_id, "a member of staff")) if s.actor_id else s for s in steps
    ]


def detail(session: Session, officer: Actor, request_id: str) -> Detail:
    """One request with its contact details (read through the gate, purpose rights), the
    name of the person it matched, and its timeline; for the privacy officer. Commits the
    audit of what it read."""
    may_handle(officer)
    request = get_request(session, request_id)
    sealed = ["email", "name", "details", "corrections", "agent", "answer"]
    contact(session, officer, request, sealed)
    docs = documents(session, request.id)
    matched = request.person_id
    person_name = person_names(session, officer, [matched]).get(matched) if matched else None
    found = Detail(
        item=item(session, request),
        person_id=request.person_id,
        email=request.email,
        name=request.name,
        details=request.details,
        corrections=json.loads(request.corrections) if request.corrections else {},
        purposes=json.loads(request.purposes) if request.purposes else [],
        on_behalf=request.on_behalf,
        agent=request.agent,
        verification=request.verification,
        answer=request.answer,
        extension_reason=request.extension_reason,
        refusal_reason=request.refusal_reason,
        lapses_at=request.lapses_at,
        scheduled_for=request.scheduled_for,
        timeline=_named_steps(session, officer, timeline(session, request.id)),
        documents=docs,
        person_name=person_name,
    )
    session.commit()
    return found
