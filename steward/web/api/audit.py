"""JSON API, /api/v1/audit: the privacy officer searches the audit trail."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from steward.audit.service import search_as
from steward.core.actor import Actor
from steward.web.auth import require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Officer = Annotated[Actor, Depends(require_roles("privacy_officer"))]


class EntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    purpose: str | None
    person_id: str | None
    categories: str
    columns: str
    outcome: str
    request_id: str | None


@router.get("")
def search_audit(
    officer: Officer,
    session: SessionDep,
    person: Annotated[str | None, Query(max_length=36)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    purpose: Annotated[str | None, Query(max_length=120)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, description="seq of the last entry seen")] = None,
) -> list[EntryOut]:
    """Entries matching every filter, newest first; page with `before`."""
    entries = search_as(
        session,
        officer,
        person_id=person,
        actor=actor,
        purpose=purpose,
        since=since,
        until=until,
        limit=limit,
        after_seq=before,
    )
    return [EntryOut.model_validate(e, from_attributes=True) for e in entries]
