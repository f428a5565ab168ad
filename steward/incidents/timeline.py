"""An incident's timeline: each step taken (a report phase, a decision, a containment step,
notices sent) as an event, and the same step in the audit trail. Details are ids, counts and
keys, never personal data."""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.incidents.models import IncidentEvent


def note(
    session: Session, actor: Actor, incident_id: str, kind: str, **detail: Any
) -> IncidentEvent:
    """Record step `kind` (e.g. `contain.sessions`) on the incident and in the audit trail."""
    event = IncidentEvent(
        incident_id=incident_id,
        at=clock.now(),
        actor_id=actor.account_id,
        kind=kind,
        detail=json.dumps(detail, sort_keys=True, default=str),
    )
    session.add(event)
    # An audit action is a plain name: incident_contain_sessions for contain.sessions.
    record(session, actor, f"incident_{kind}".replace(".", "_")[:32], purpose=INCIDENTS)
    return event


def events(session: Session, incident_id: str) -> list[IncidentEvent]:
    """The incident's timeline, oldest first."""
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
    )
