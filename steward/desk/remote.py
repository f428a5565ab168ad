"""Remote-access sessions (D5): optional, only once the customer's consent is recorded, the
device named by a username, an IP address, a hostname or an alias, and never recorded.

There is no field for a recording anywhere: not in the table, not in these functions, not in
the API, which refuses one with NOT_RECORDED. Customers see their own sessions, open and
past, in the portal, so they can watch what is done while it is done.
"""

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.desk import table
from steward.desk.calls import aware, require_person, require_ticket_of
from steward.desk.common import (
    ADMINISTRATION,
    SUPPORT,
    Page,
    gate_person,
    is_customer,
    purpose_for,
)
from steward.desk.models import IDENTIFIER_KINDS, RemoteSession
from steward.desk.people import names
from steward.policy.active import policy_of

# A policy may give remote support a purpose of its own (the IT-support shop's does).
REMOTE_SUPPORT = "essential.service.remote_support"
COLUMNS = ("identifier",)
NOT_RECORDED = (
    "Remote sessions are never recorded, so a session has no recording field. The customer "
    "may watch the session instead."
)
NO_CONSENT = (
    "A remote session needs the customer's consent first: ask them, and send "
    "customer_consented: true once they have agreed."
)
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


@dataclass(frozen=True)
class RemoteSessionFilter:
    person_id: str | None = None
    ticket_id: int | None = None
    active: bool | None = None  # True: not yet ended; False: ended


@dataclass(frozen=True)
class RemoteSessionView:
    id: str
    person_id: str
    person_name: str | None  # staff only
    ticket_id: int | None
    technician_id: str
    consent_recorded_at: datetime
    identifier_kind: str
    identifier: str | None  # None when the actor may not read it
    started_at: datetime
    ended_at: datetime | None


def valid_identifier(kind: str, identifier: str) -> str:
    """The identifier, checked for its kind and written one way (an IP address as Python
    writes it, a hostname in lower case without the final dot)."""
    value = identifier.strip()
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise Invalid("The identifier is not a valid IP address.") from None
    if kind == "hostname":
        name = value.lower().removesuffix(".")
        if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
            raise Invalid("The identifier is not a valid hostname (RFC 1123).")
        return name
    if kind in IDENTIFIER_KINDS:
        if not value or len(value) > 200 or not value.isprintable():
            raise Invalid(f"The {kind} must be 1 to 200 printable characters.")
        return value
    raise Invalid(f"A device is identified by one of: {', '.join(IDENTIFIER_KINDS)}.")


def _purpose(session: Session, actor: Actor) -> str | None:
    """None for customers (gate_person then uses the service purpose)."""
    if is_customer(actor):
        return None
    return REMOTE_SUPPORT if REMOTE_SUPPORT in policy_of(session).purposes else SUPPORT


def _views(
    session: Session, actor: Actor, rows: list[RemoteSession], readable: set[str]
) -> list[RemoteSessionView]:
    staff = not is_customer(actor)
    who = names(session, actor, [r.person_id for r in rows]) if staff else {}
    return [
        RemoteSessionView(
            id=r.id,
            person_id=r.person_id,
            person_name=who.get(r.person_id),
            ticket_id=r.ticket_id,
            technician_id=r.technician_id,
            consent_recorded_at=r.consent_recorded_at,
            identifier_kind=r.identifier_kind,
            identifier=r.identifier if r.id in readable else None,
            started_at=r.started_at,
            ended_at=r.ended_at,
        )
        for r in rows
    ]


def _one(session: Session, actor: Actor, row: RemoteSession) -> RemoteSessionView:
    view = _views(session, actor, [row], {row.id})[0]
    session.commit()
    return view


def _load(session: Session, actor: Actor, session_id: str, action: str = "read") -> RemoteSession:
    """Check with the gate, then load; customers see only their own sessions (404 else)."""
    person_id = session.scalar(
        select(RemoteSession.person_id).where(RemoteSession.id == session_id)
    )
    if person_id is None or (is_customer(actor) and person_id != actor.person_id):
        raise NotFound("There is no such remote session.")
    purpose = _purpose(session, actor)
    gate_person(session, actor, RemoteSession, person_id, COLUMNS, action=action, purpose=purpose)
    row = session.get(RemoteSession, session_id)
    if row is None:
        raise NotFound("There is no such remote session.")
    return row


def start_remote_session(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    customer_consented: bool,
    identifier_kind: str,
    identifier: str,
    ticket_id: int | None = None,
    started_at: datetime | None = None,
) -> RemoteSessionView:
    """Record a session the acting agent runs, once the customer has consented to it."""
    check_role(session, actor, "run remote sessions", SUPPORT)
    if customer_consented is not True:
        raise Invalid(NO_CONSENT)
    identifier = valid_identifier(identifier_kind, identifier)
    started_at = aware(started_at, "the start") if started_at else clock.now()
    require_person(session, person_id)
    if ticket_id is not None:
        require_ticket_of(session, ticket_id, person_id)
    purpose = _purpose(session, actor)
    gate_person(session, actor, RemoteSession, person_id, COLUMNS, action="create", purpose=purpose)
    row = RemoteSession(
        person_id=person_id,
        ticket_id=ticket_id,
        technician_id=actor.account_id,
        consent_recorded_at=clock.now(),
        identifier_kind=identifier_kind,
        identifier=identifier,
        started_at=started_at,
    )
    session.add(row)
    session.flush()
    return _one(session, actor, row)


def list_remote_sessions(
    session: Session, actor: Actor, filters: RemoteSessionFilter, offset: int = 0, limit: int = 50
) -> Page[RemoteSessionView]:
    """Sessions, newest first; a customer's own only."""
    check_role(session, actor, "see remote sessions", purpose_for(actor))
    query = select(RemoteSession.id, RemoteSession.person_id.label("owner_id"))
    if is_customer(actor):
        query = query.where(RemoteSession.person_id == actor.person_id)
    if filters.person_id:
        query = query.where(RemoteSession.person_id == filters.person_id)
    if filters.ticket_id is not None:
        query = query.where(RemoteSession.ticket_id == filters.ticket_id)
    if filters.active is not None:
        ended = RemoteSession.ended_at
        query = query.where(ended.is_(None) if filters.active else ended.is_not(None))
    query = query.order_by(RemoteSession.started_at.desc(), RemoteSession.id.desc())

    def views(rows: list[RemoteSession], readable: set[str]) -> list[RemoteSessionView]:
        return _views(session, actor, rows, readable)

    purpose = _purpose(session, actor)
    return table.page(
        session, actor, RemoteSession, query, COLUMNS, views, offset, limit, purpose=purpose
    )


def get_remote_session(session: Session, actor: Actor, session_id: str) -> RemoteSessionView:
    check_role(session, actor, "see remote sessions", purpose_for(actor))
    return _one(session, actor, _load(session, actor, session_id))


UPDATABLE = ("identifier_kind", "identifier", "ticket_id")


def update_remote_session(
    session: Session, actor: Actor, session_id: str, changes: dict[str, Any]
) -> RemoteSessionView:
    """Correct the device's identifier (and its kind) or the linked ticket (None clears it)."""
    check_role(session, actor, "change remote sessions", SUPPORT)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise Invalid(f"Only these fields of a session can be changed: {', '.join(UPDATABLE)}.")
    if "identifier_kind" in changes and "identifier" not in changes:
        raise Invalid("Give the identifier together with its new kind.")
    row = _load(session, actor, session_id, "update")
    if "identifier" in changes:
        kind = changes.get("identifier_kind") or row.identifier_kind
        row.identifier = valid_identifier(kind, changes["identifier"] or "")
        row.identifier_kind = kind
    if changes.get("ticket_id") is not None:
        require_ticket_of(session, changes["ticket_id"], row.person_id)
    if "ticket_id" in changes:
        row.ticket_id = changes["ticket_id"]
    session.flush()
    return _one(session, actor, row)


def end_remote_session(
    session: Session, actor: Actor, session_id: str, ended_at: datetime | None = None
) -> RemoteSessionView:
    """Mark the session ended, now or at the given moment."""
    check_role(session, actor, "end remote sessions", SUPPORT)
    ended_at = aware(ended_at, "the end") if ended_at else clock.now()
    row = _load(session, actor, session_id, "update")
    if row.ended_at is not None:
        raise Conflict("This remote session has already ended.")
    if ended_at < row.started_at:
        raise Invalid("A session cannot end before it started.")
    row.ended_at = ended_at
    session.flush()
    return _one(session, actor, row)


def delete_remote_session(session: Session, actor: Actor, session_id: str) -> None:
    check_role(session, actor, "delete remote sessions", ADMINISTRATION)
    _load(session, actor, session_id, "delete")
    session.execute(delete(RemoteSession).where(RemoteSession.id == session_id))
    session.commit()
