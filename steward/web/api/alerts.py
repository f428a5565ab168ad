"""JSON API under /api/v1/dpo/alerts for the watch's alerts (X4; the privacy officer only):
list them, dismiss one with a reason, or make one an incident in one step."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.incidents import alerts as alert_service
from steward.incidents.alerts import MOST_REASON
from steward.incidents.watch import AlertView
from steward.rights.common import OFFICER_ROLES
from steward.web.api.paging import Limit, Offset, cut
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/dpo", tags=["alerts"], dependencies=[Depends(csrf_guard)])
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class AlertOut(BaseModel):
    id: str
    rule: str
    title: str
    subject_kind: str = Field(description="`account`, or `address` (a blind index, no address).")
    subject: str
    role: str | None
    window_from: datetime
    window_until: datetime
    count: int
    threshold: int
    counts: dict[str, Any]
    raised_at: datetime
    status: str = Field(description="`open`, `dismissed` or `incident`.")
    responded_at: datetime | None
    response: dict[str, Any]
    dismissed_at: datetime | None
    dismiss_reason: str
    incident_id: str | None


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_offset: int | None


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=MOST_REASON)]


class IncidentOut(BaseModel):
    incident_id: str
    url: str


def _alert(view: AlertView) -> AlertOut:
    return AlertOut(**vars(view))


@router.get("/alerts")
def list_alerts(
    officer: Officer,
    session: SessionDep,
    everything: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> AlertPage:
    """Open alerts, newest first; `everything` adds those dismissed or made incidents.
    `{items, next_offset}`, null on the last page."""
    found = alert_service.listing(
        session, officer, everything=everything, offset=offset, limit=limit + 1
    )
    page, following = cut(found, offset, limit)
    return AlertPage(items=[_alert(a) for a in page], next_offset=following)


@router.post("/alerts/{alert_id}/dismiss")
def dismiss_alert(
    alert_id: str, body: DismissIn, officer: Officer, session: SessionDep
) -> AlertOut:
    """Close an open alert as no attack, with the reason."""
    return _alert(alert_service.dismiss(session, officer, alert_id, body.reason))


@router.post("/alerts/{alert_id}/incident", status_code=201)
def alert_to_incident(alert_id: str, officer: Officer, session: SessionDep) -> IncidentOut:
    """Open an incident from an open alert, its window and subject carried over."""
    incident_id = alert_service.to_incident(session, officer, alert_id)
    return IncidentOut(incident_id=incident_id, url=f"/dpo/incidents/{incident_id}")
