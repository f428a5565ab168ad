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
    id: int
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


class EntryPage(BaseModel):
    items: list[EntryOut]
    next_offset: None = None  # the trail grows while it is read: it pages by `before`
    next_before: int | None  # pass as `before` for the next page; null on the last


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
    before: Annotated[int | None, Query(ge=1, description="id of the last entry seen")] = None,
) -> EntryPage:
    """Entries matching every filter, newest first, as `{items, next_offset, next_before}`.
    Each search is itself recorded in the trail, so an offset would shift under the reader:
    page with `before` (the `next_before` of the last page); `next_offset` is always null."""
    entries = search_as(
        session,
        officer,
        person_id=person,
        actor=actor,
        purpose=purpose,
        since=since,
        until=until,
        limit=limit + 1,  # one more than asked tells whether another page follows
        before_id=before,
    )
    items = [EntryOut.model_validate(e, from_attributes=True) for e in entries[:limit]]
    # The search answers at most 1000: a full page of 1000 may have more behind it.
    more = len(entries) > limit or len(entries) == 1000
    return EntryPage(items=items, next_before=items[-1].id if more else None)
