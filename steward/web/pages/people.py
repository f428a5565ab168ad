"""HTML pages of the desk: a person's profile, for agents and admins.

What the desk knows of someone in one place, as Zammad's or Freshdesk's customer page: their
contact details (only the ones the policy lets the agent read, through the directory
service and the gate), the organisations they belong to, their devices, tickets and calls,
with links to start work for them.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.desk import calls, devices, directory, tickets
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import (
    MEMBER_KINDS,
    PERSON_KINDS,
    STATUS_NAMES,
    Agent,
    DeskRoute,
    show,
    staff_names,
)

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)

SHOWN = 10  # of each list on a profile; the rest are a link away
FIELD_NAMES = {"email": "Email address", "phone": "Phone number", "company": "Company"}


def _their_devices(session: Session, actor: Actor, person_id: str) -> list[Any]:
    """Devices the person owns or uses, newest first."""
    if not devices.inventory_kept(session):
        return []
    owned = devices.list_devices(session, actor, person_id=person_id, limit=SHOWN).items
    used = devices.list_devices(session, actor, assigned_to_id=person_id, limit=SHOWN).items
    found = {d.id: d for d in [*owned, *used]}
    return sorted(found.values(), key=lambda d: d.created_at, reverse=True)[:SHOWN]


def _profile(session: Session, actor: Actor, person_id: str) -> dict[str, Any]:
    person = directory.get_person(session, actor, person_id)
    their_tickets = tickets.list_tickets(
        session, actor, tickets.TicketFilter(requester_id=person.id), limit=SHOWN
    )
    their_calls = calls.list_calls(
        session, actor, calls.CallFilter(person_id=person.id), limit=SHOWN
    )
    return {
        "person": person,
        "name": person.fields.get("name") or "(name not shown)",
        "details": {k: person.fields[k] for k in FIELD_NAMES if k in person.fields},
        "field_names": FIELD_NAMES,
        "kinds": PERSON_KINDS,
        "member_kinds": MEMBER_KINDS,
        "tickets": their_tickets.items,
        "more_tickets": their_tickets.next_offset is not None,
        "calls": their_calls.items,
        "more_calls": their_calls.next_offset is not None,
        "agents": staff_names(session, actor, (c.agent_id for c in their_calls.items)),
        "devices": _their_devices(session, actor, person.id),
        "statuses": STATUS_NAMES,
        "types": devices.TYPE_NAMES,
    }


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, person_id: str, actor: Agent, session: SessionDep) -> Response:
    return show(
        request, session, "desk/person.html", lambda: _profile(session, actor, person_id[:36])
    )
