"""JSON API, /api/v1/dpo/incidents/{incident_id}/containment (the privacy officer only): the
containment steps taken on an incident, and taking one (X6; T2 for the hold)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.incidents import containment
from steward.incidents.containment import Done
from steward.rights.common import OFFICER_ROLES
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/dpo/incidents", tags=["incidents"], dependencies=[Depends(csrf_guard)]
)
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class StepIn(BaseModel):
    """What a step acts on: `account` for the account steps, `processor` for the outbox
    steps, `scope` and `target` (and `ends_on`) for the hold; nothing for the keys."""

    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(
        default=None, max_length=254, description="An account's id or email address."
    )
    processor: str | None = Field(
        default=None, max_length=100, description="A processor's key in the policy."
    )
    scope: Literal["person", "organisation", "category"] | None = None
    target: str | None = Field(
        default=None,
        max_length=254,
        description="A person's id or email address, an organisation's id or name, or a "
        "policy category key or name.",
    )
    ends_on: date | None = None


class DoneOut(BaseModel):
    step: str
    at: datetime
    actor_id: str | None
    detail: dict[str, Any]


class ContainmentOut(BaseModel):
    incident_id: str
    reference: str
    status: str
    done: list[DoneOut]
    paused: dict[str, datetime]
    processors: dict[str, str]  # key -> name


def _done(done: Done) -> DoneOut:
    return DoneOut(step=done.step, at=done.at, actor_id=done.actor_id, detail=done.detail)


@router.get("/{incident_id}/containment")
def containment_status(incident_id: str, officer: Officer, session: SessionDep) -> ContainmentOut:
    """The containment steps taken, oldest first, and the processors paused now."""
    found = containment.status(session, officer, incident_id)
    return ContainmentOut(
        incident_id=found.incident_id,
        reference=found.reference,
        status=found.status,
        done=[_done(d) for d in found.done],
        paused=found.paused,
        processors=found.processors,
    )


@router.post("/{incident_id}/containment/{step}")
def contain(
    incident_id: str,
    step: str,
    body: StepIn,
    request: Request,
    officer: Officer,
    session: SessionDep,
) -> DoneOut:
    """Take one step: `revoke-sessions`, `disable-account`, `force-reset` (with `account`),
    `rotate-keys`, `pause-processor`, `resume-processor` (with `processor`), `legal-hold`
    (with `scope`, `target`, optionally `ends_on`). Recorded on the incident's timeline."""
    done = containment.take(
        session,
        officer,
        incident_id,
        step,
        request.app.state.runtime,
        account=body.account,
        processor=body.processor,
        scope=body.scope,
        target=body.target,
        ends_on=body.ends_on,
    )
    return _done(done)
