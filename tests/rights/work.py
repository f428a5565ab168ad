"""Helpers for the fulfilment tests: a database session like the app's, and verified requests
made directly in the database (the intake path has its own tests)."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.orm import Session

from steward.core import clock
from steward.rights.common import new_reference
from steward.rights.models import RightsRequest


@contextmanager
def db(app) -> Iterator[Session]:
    """A session with the app's vault and policy, as the services expect."""
    with app.state.runtime.session() as session:
        yield session


def verified_request(
    app, kind: str, person_id: str | None, email: str, purposes=None, corrections=None
) -> tuple[str, str]:
    """A verified, open request of `kind` for `person_id`; returns (id, reference)."""
    now = clock.now()
    with db(app) as session:
        request = RightsRequest(
            reference=new_reference(),
            kind=kind,
            channel="api",
            status="open",
            person_id=person_id,
            email=email,
            purposes=json.dumps(purposes) if purposes is not None else None,
            corrections=json.dumps(corrections) if corrections is not None else None,
            verification="session",
            received_at=now,
            verified_at=now,
            due_at=now + timedelta(days=30),
        )
        session.add(request)
        session.commit()
        return request.id, request.reference


def apply_effects(app, settings, request_id: str) -> None:
    """What verification does at its end: the immediate effects (H1 calls this)."""
    from steward.rights import effects
    from steward.rights.common import get_request

    with db(app) as session:
        effects.on_verified(session, settings, get_request(session, request_id))
        session.commit()


def fulfil(officer, request_id: str, options: dict | None = None):
    """The officer's fulfil as on the request's page: an access export is reviewed first (the
    page shows the review above the button); other kinds have no review."""
    officer.get(f"/api/v1/dpo/requests/{request_id}/review")
    return officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json=options or {})
