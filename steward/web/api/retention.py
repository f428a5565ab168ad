"""JSON API under /api/v1/dpo for retention (the privacy officer only): legal holds placed,
listed and released; what the next sweep would do; the reports of past sweeps."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.policy.active import policy_of
from steward.retention import holds, reports, sweep
from steward.retention.holds import HoldView
from steward.rights.common import OFFICER_ROLES, require_officer
from steward.web.api.paging import Limit, Offset, cut
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/dpo", tags=["retention"], dependencies=[Depends(csrf_guard)])
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["person", "ticket", "organisation", "category"]
    target: str = Field(
        min_length=1,
        max_length=254,
        description="A person's id or email address, a ticket number, an organisation id, "
        "or a policy category key.",
    )
    reason: Literal["legal_obligation", "legal_claim", "dispute", "security_investigation"]
    ends_on: date | None = None


class HoldOut(BaseModel):
    id: str
    scope: str
    target: str
    reason: str
    owner_id: str
    created_at: datetime
    ends_on: date | None
    released_at: datetime | None
    needs_review: bool
    summary: str


class TallyOut(BaseModel):
    counts: dict[str, dict[str, int]]
    held: dict[str, int]
    people: int
    people_held: int


class PlanOut(BaseModel):
    now: TallyOut
    next_30_days: TallyOut


class RunOut(BaseModel):
    id: str
    source: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    counts: dict[str, dict[str, int]]
    held: dict[str, int]
    flagged_holds: int
    people_wiped: int


class HoldPage(BaseModel):
    items: list[HoldOut]
    next_offset: int | None


class RunPage(BaseModel):
    items: list[RunOut]
    next_offset: int | None


def _hold(view: HoldView) -> HoldOut:
    return HoldOut(**vars(view))


def _tally(tally: sweep.Tally) -> TallyOut:
    return TallyOut(
        counts=tally.counts, held=tally.held, people=tally.people, people_held=tally.people_held
    )


@router.get("/holds")
def list_holds(
    officer: Officer,
    session: SessionDep,
    released: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> HoldPage:
    """Holds in force, those to review (past their end date, or flagged) first, then the
    newest; `released` adds the rest. `{items, next_offset}`, null on the last page."""
    found = holds.listing(session, officer, released=released, offset=offset, limit=limit + 1)
    page, following = cut(found, offset, limit)
    return HoldPage(items=[_hold(h) for h in page], next_offset=following)


@router.post("/holds", status_code=201)
def place_hold(body: HoldIn, officer: Officer, session: SessionDep) -> HoldOut:
    """Put a hold in force: nothing it covers is deleted until it is released."""
    placed = holds.place(session, officer, body.scope, body.target, body.reason, body.ends_on)
    session.commit()
    return _hold(placed)


@router.post("/holds/{hold_id}/release")
def release_hold(hold_id: str, officer: Officer, session: SessionDep) -> HoldOut:
    released = holds.release(session, officer, hold_id)
    session.commit()
    return _hold(released)


@router.get("/retention/plan")
def retention_plan(officer: Officer, session: SessionDep) -> PlanOut:
    """What a sweep would delete or anonymise now and in the next 30 days. Changes nothing."""
    require_officer(officer)
    found = sweep.plan(session, policy_of(session))
    return PlanOut(now=_tally(found.now), next_30_days=_tally(found.soon))


@router.get("/retention/runs")
def retention_runs(
    officer: Officer, session: SessionDep, offset: Offset = 0, limit: Limit = 50
) -> RunPage:
    """The sweeps' reports, newest first, as `{items, next_offset}` (null on the last page)."""
    found = reports.recent(session, officer, limit=limit + 1, offset=offset)
    page, following = cut(found, offset, limit)
    return RunPage(items=[RunOut(**vars(r)) for r in page], next_offset=following)
