"""JSON API for the people an incident affected (X6), the privacy officer only: preview the
counts a scope gives, freeze the list (sealed under the incident's key), read the frozen
counts. Counts and keys only; the list itself is never sent."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.incidents import impact, register
from steward.rights.common import OFFICER_ROLES
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/dpo/incidents", tags=["incidents"], dependencies=[Depends(csrf_guard)]
)
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class ScopeIn(BaseModel):
    """What was compromised. An account by its email address or id; a window for an
    account, a role or a device; tables by name; an export by its request's reference."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["account", "role", "device", "table", "backup", "export", "processor"]
    account: str | None = Field(None, max_length=254)
    role: str | None = Field(None, max_length=20)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = Field(None, description="Window end; for a backup, taken at.")
    tables: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=100)
    request: str | None = Field(None, max_length=24)
    processor: str | None = Field(None, max_length=128)


class ScopeOut(BaseModel):
    kind: str
    account: str | None
    role: str | None
    since: datetime | None
    until: datetime | None
    tables: list[str]
    request: str | None
    processor: str | None


class CountsOut(BaseModel):
    people: int
    records: int
    categories: dict[str, int]
    special: list[str]
    jurisdictions: dict[str, int]
    sessions: int | None


class FrozenOut(BaseModel):
    frozen: bool
    frozen_at: datetime | None
    scope: ScopeOut | None
    counts: CountsOut | None


def _scope(session: SessionDep, body: ScopeIn) -> impact.Scope:
    return impact.scope(session, **body.model_dump())


def _counts(counts: impact.Counts) -> CountsOut:
    return CountsOut(
        people=counts.people,
        records=counts.records,
        categories=counts.categories,
        special=list(counts.special),
        jurisdictions=counts.jurisdictions,
        sessions=counts.sessions,
    )


def _frozen(found: impact.Frozen | None) -> FrozenOut:
    if found is None:
        return FrozenOut(frozen=False, frozen_at=None, scope=None, counts=None)
    chosen = found.scope
    scope = ScopeOut(
        kind=chosen.kind,
        account=chosen.account,
        role=chosen.role,
        since=chosen.since,
        until=chosen.until,
        tables=list(chosen.tables),
        request=chosen.request,
        processor=chosen.processor,
    )
    return FrozenOut(
        frozen=True, frozen_at=found.frozen_at, scope=scope, counts=_counts(found.counts)
    )


@router.post("/{incident_id}/affected/preview")
def preview_affected(
    incident_id: str, body: ScopeIn, officer: Officer, session: SessionDep
) -> CountsOut:
    """The counts the scope gives (people, records, per category and jurisdiction); stores
    nothing."""
    register.get(session, officer, incident_id)
    return _counts(impact.preview(session, officer, incident_id, _scope(session, body)))


@router.post("/{incident_id}/affected")
def freeze_affected(
    incident_id: str, body: ScopeIn, officer: Officer, session: SessionDep
) -> FrozenOut:
    """Freeze the list of people the scope gives into the incident, sealed under its key,
    replacing any earlier list; the counts go on the register."""
    register.get(session, officer, incident_id)
    return _frozen(impact.freeze(session, officer, incident_id, _scope(session, body)))


@router.get("/{incident_id}/affected")
def frozen_affected(incident_id: str, officer: Officer, session: SessionDep) -> FrozenOut:
    """The counts frozen last, and the scope they came from; `frozen` false before any."""
    return _frozen(impact.frozen(session, officer, incident_id))
