"""JSON API under /api/v1: who used my data (the signed-in person, from the audit trail), and
the privacy officer's review of an access export before it is released (Art. 15(4)):
what it holds, the items naming other people, and withholding one with a reason."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from steward.core.actor import Actor
from steward.rights import data_use, review
from steward.rights.common import OFFICER_ROLES
from steward.web.auth import CurrentActor, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["rights"], dependencies=[Depends(csrf_guard)])
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class UseOut(BaseModel):
    who: str
    kind: str
    did: str
    purpose: str
    categories: list[str]
    count: int
    first: datetime
    last: datetime


class UsePage(BaseModel):
    items: list[UseOut]
    next_offset: int | None


class ItemOut(BaseModel):
    item: str
    kind: str
    names: list[str]
    preview: str
    withheld: str | None


class ReviewOut(BaseModel):
    reference: str
    tables: dict[str, int]
    categories: dict[str, int]
    items: list[ItemOut]
    withheld: int
    reasons: dict[str, str]


@router.get("/me/data-use")
def my_data_use(
    actor: CurrentActor,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UsePage:
    """Who used your data: staff by role, Steward's own jobs and recipients, each with what
    they did, why, how often, first and last time; most recent first."""
    uses, following = data_use.mine(session, actor, offset, limit)
    return UsePage(items=[UseOut(**vars(u)) for u in uses], next_offset=following)


def _review_out(found: review.Review) -> ReviewOut:
    return ReviewOut(
        reference=found.reference,
        tables=found.tables,
        categories=found.categories,
        items=[ItemOut(**vars(i)) for i in found.items],
        withheld=found.withheld,
        reasons=review.REASONS,
    )


@router.get("/dpo/requests/{request_id}/review")
def review_export(request_id: str, officer: Officer, session: SessionDep) -> ReviewOut:
    """What the access export would hold, and the items that name other people (audited)."""
    return _review_out(review.review(session, officer, request_id))


@router.post("/dpo/requests/{request_id}/withhold")
def withhold(
    request_id: str, body: review.WithholdIn, officer: Officer, session: SessionDep
) -> ReviewOut:
    """Leave one item out of the export with a recorded reason; the report names the
    withholding, never the item's content (audited)."""
    review.withhold(session, officer, request_id, body.item, body.reason)
    return _review_out(review.review(session, officer, request_id))


@router.post("/dpo/requests/{request_id}/include")
def include(
    request_id: str, body: review.IncludeIn, officer: Officer, session: SessionDep
) -> ReviewOut:
    """Undo a withholding: the item is in the export again (audited)."""
    review.include(session, officer, request_id, body.item)
    return _review_out(review.review(session, officer, request_id))
