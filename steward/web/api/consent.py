"""JSON API for consent (C1, C2, R10): the cookie banner's choices, a browser's or person's
current choices and history, receipts of consent events, usage events kept only with
consent, and the Global Privacy Control declaration at /.well-known/gpc.json."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from steward.consent import banner, ledger, usage
from steward.core.actor import Actor
from steward.core.errors import Conflict, NotFound
from steward.identity.errors import NotPermitted, NotSignedIn
from steward.policy.active import policy_of
from steward.web.api.paging import Limit, Offset, cut
from steward.web.auth import CurrentActor, SettingsDep, client_ip, csrf_guard, session_of
from steward.web.deps import SessionDep
from steward.web.gpc import honour_signal, signals_gpc

router = APIRouter(prefix="/api/v1", tags=["consent"], dependencies=[Depends(csrf_guard)])
well_known = APIRouter(tags=["consent"])
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Version = Annotated[str, Field(min_length=1, max_length=64)]


def maybe_actor(request: Request, session: SessionDep) -> Actor | None:
    """The signed-in caller (MFA passed where required), or None for a visitor."""
    try:
        return session_of(request, session).require_mfa_passed()
    except (NotSignedIn, NotPermitted):
        return None


MaybeActor = Annotated[Actor | None, Depends(maybe_actor)]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    browser_id: UUID | None = Field(
        None, description="The banner's random id; a new one is made when absent."
    )
    choices: dict[Annotated[str, Field(max_length=40)], bool] = Field(
        max_length=20, description="Cookie category -> accepted. Essential may only be true."
    )
    policy_version: Version
    text_sha256: Sha256 = Field(description="SHA-256 of the exact banner text shown.")


class ConsentOut(BaseModel):
    browser_id: str
    choices: dict[str, bool]
    policy_version: str | None


class ConsentEventOut(BaseModel):
    id: str
    purpose: str
    choice: str
    method: str
    policy_version: str
    text_sha256: str
    browser_id: str | None
    at: datetime


class HistoryOut(BaseModel):
    items: list[ConsentEventOut]
    next_offset: int | None


class UsageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    browser_id: UUID
    kind: Literal["page_view", "event"]
    name: str | None = Field(None, max_length=100)
    path: str | None = Field(None, max_length=500)


class UsageOut(BaseModel):
    stored: bool
    reason: str | None = None


class GpcOut(BaseModel):
    gpc: bool
    lastUpdate: str  # the name the GPC specification gives


@router.post("/consent")
def record_choice(
    body: ConsentIn,
    request: Request,
    actor: MaybeActor,
    session: SessionDep,
    settings: SettingsDep,
) -> ConsentOut:
    """Record the banner's choice for its browser, and for the signed-in person too. With
    `Sec-GPC: 1`, analytics, marketing and sale are recorded as withdrawn by the signal.
    409 when the version or text hash is not what the banner is shown now."""
    browser_id = str(body.browser_id or uuid4())
    policy = policy_of(session)
    _, shown = banner.config(policy)
    if body.policy_version != policy.version or body.text_sha256 != shown:
        # The ledger's proof is what this server showed: a stale or forged text is refused.
        raise Conflict(
            "The banner's text is not the one in force: reload the page and choose again."
        )
    choices = ledger.banner_choice(
        session,
        policy,
        browser_id=browser_id,
        person_id=actor.person_id if actor is not None else None,
        choices=body.choices,
        policy_version=body.policy_version,
        text_sha256=body.text_sha256,
        ip=client_ip(request),
        signal=signals_gpc(request),
    )
    honour_signal(request, session, settings, actor)
    _, version = ledger.banner_state(session, policy, browser_id)
    return ConsentOut(browser_id=browser_id, choices=choices, policy_version=version)


@router.get("/consent")
def read_choice(browser_id: Annotated[UUID, Query()], session: SessionDep) -> ConsentOut:
    """A browser's current choice per cookie category (essential always on; a category never
    chosen is absent) and the policy version it was made under (null before any choice)."""
    choices, version = ledger.banner_state(session, policy_of(session), str(browser_id))
    return ConsentOut(browser_id=str(browser_id), choices=choices, policy_version=version)


@router.get("/consent/receipts/{event_id}")
def read_receipt(
    event_id: str,
    session: SessionDep,
    actor: MaybeActor,
    browser_id: Annotated[UUID | None, Query()] = None,
) -> dict[str, Any]:
    """The ISO/IEC TS 27560 receipt of a consent event: for the browser that made it
    (`?browser_id=`) or the signed-in person it belongs to; 404 for anyone else."""
    owner = ledger.owner_of(session, event_id)
    mine = owner is not None and (
        (browser_id is not None and owner == (str(browser_id), None))
        or (actor is not None and actor.person_id is not None and owner[1] == actor.person_id)
    )
    if not mine:
        raise NotFound("There is no such consent record.")
    return ledger.receipt(session, event_id)


@router.get("/me/consent")
def my_consent(
    actor: CurrentActor, session: SessionDep, offset: Offset = 0, limit: Limit = 50
) -> HistoryOut:
    """Your consent history, newest first: every choice ever recorded for you, as
    `{items, next_offset}` (null on the last page)."""
    if actor.person_id is None:
        return HistoryOut(items=[], next_offset=None)
    found = ledger.history(session, actor.person_id, offset=offset, limit=limit + 1)
    events, following = cut(found, offset, limit)
    return HistoryOut(
        next_offset=following,
        items=[
            ConsentEventOut(
                id=e.id,
                purpose=e.purpose,
                choice=e.choice,
                method=e.method,
                policy_version=e.policy_version,
                text_sha256=e.text_sha256,
                browser_id=e.browser_id,
                at=e.at,
            )
            for e in events
        ],
    )


@router.post("/events", responses={202: {"model": UsageOut}})
def record_event(body: UsageIn, request: Request, session: SessionDep) -> Response:
    """A page view or usage event: stored (202) only if the browser's consent allows
    analytics and it sends no GPC signal; otherwise 200 with the reason, nothing stored."""
    outcome = usage.record(
        session,
        policy_of(session),
        browser_id=str(body.browser_id),
        kind=body.kind,
        name=body.name,
        path=body.path,
        ip=client_ip(request),
        signal=signals_gpc(request),
    )
    answer = UsageOut(stored=outcome.stored, reason=outcome.reason)
    return JSONResponse(
        answer.model_dump(exclude_none=True), status_code=202 if outcome.stored else 200
    )


@well_known.get("/.well-known/gpc.json", include_in_schema=False)
def gpc_declaration(request: Request) -> GpcOut:
    """This site honours Global Privacy Control; lastUpdate is the policy's effective date."""
    policy = request.app.state.active_policy.policy
    return GpcOut(gpc=True, lastUpdate=policy.effective_date.isoformat())
