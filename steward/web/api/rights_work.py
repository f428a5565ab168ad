"""JSON API under /api/v1: fulfilling rights requests (the privacy officer), downloading and
pushing exports (anyone holding the token), cancelling one's own scheduled erasure, and
the public key that signs what Steward sends out."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.rights import effects, erasure, export, signing
from steward.rights.common import OFFICER_ROLES, by_reference
from steward.rights.fulfil import fulfil as fulfil_request
from steward.web.auth import CurrentActor, SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["rights"], dependencies=[Depends(csrf_guard)])
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class KeptOut(BaseModel):
    category: str
    name: str
    rows: int
    reason: str
    until: datetime | None


class PreviewOut(BaseModel):
    reference: str
    erased: dict[str, int]
    kept: list[KeptOut]
    holds: list[str]


class FulfilIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corrections: dict[str, str] | None = Field(None, max_length=10)


class FulfilOut(BaseModel):
    status: str
    outcome: str | None
    token: str | None
    scheduled_for: datetime | None
    changed: list[str]


class StatusOut(BaseModel):
    status: str


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=100)


class PushIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=9, max_length=2000)
    token: str = Field(min_length=10, max_length=100)


class PushOut(BaseModel):
    pushed: bool
    status: int


@router.get("/dpo/requests/{request_id}/preview")
def preview_erasure(request_id: str, officer: Officer, session: SessionDep) -> PreviewOut:
    """What an erasure would delete (rows per category) and keep, why and until when."""
    found = erasure.preview(session, officer, request_id)
    return PreviewOut(
        reference=found.reference,
        erased=found.erased,
        kept=[KeptOut(**vars(k)) for k in found.kept],
        holds=found.holds,
    )


@router.post("/dpo/requests/{request_id}/fulfil")
def fulfil(
    request_id: str, body: FulfilIn, officer: Officer, session: SessionDep, settings: SettingsDep
) -> FulfilOut:
    """Fulfil a verified request: export (access, know, portability), correct, confirm a
    restriction, or approve an erasure (it runs after the grace period)."""
    options: dict[str, Any] = {}
    if body.corrections is not None:
        options["corrections"] = body.corrections
    done = fulfil_request(session, settings, officer, request_id, **options)
    return FulfilOut(
        status=done.status,
        outcome=done.outcome,
        token=done.token,
        scheduled_for=done.scheduled_for,
        changed=list(done.changed),
    )


@router.post("/dpo/requests/{request_id}/cancel")
def cancel_erasure(
    request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Cancel a scheduled erasure during its grace period."""
    erasure.cancel(session, settings, officer, request_id)
    return StatusOut(status="cancelled")


@router.post("/dpo/people/{person_id}/lift-restriction")
def lift_restriction(
    person_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """End a person's restriction of processing; they are told first."""
    effects.lift_restriction(session, settings, officer, person_id)
    return StatusOut(status="lifted")


@router.post("/rights/download")
def download(body: TokenIn, session: SessionDep, settings: SettingsDep) -> Response:
    """The export for this token, until it expires (410 after)."""
    filename, content_type, parts = export.download(session, settings, body.token)
    return StreamingResponse(
        parts,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/rights/{reference}/push")
def push(reference: str, body: PushIn, session: SessionDep, settings: SettingsDep) -> PushOut:
    """Send a portability export to another provider over HTTPS, signed with the key at
    /api/v1/rights/signing-key (header Steward-Signature)."""
    request = by_reference(session, reference)
    status = export.push(session, settings, request, body.url, body.token)
    return PushOut(pushed=True, status=status)


@router.post("/me/rights/{reference}/cancel")
def cancel_my_erasure(
    reference: str, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Cancel your own scheduled erasure during its grace period."""
    request = by_reference(session, reference)
    if actor.person_id is None or request.person_id != actor.person_id:
        raise NotFound("There is no request with this reference.")
    erasure.cancel(session, settings, actor, request.id)
    return StatusOut(status="cancelled")


@router.get("/rights/signing-key", response_class=PlainTextResponse)
def signing_key(request: Request) -> str:
    """The PEM public key (Ed25519) that checks Steward's signatures on pushes and notices."""
    return signing.public_key_pem(request.app.state.vault.keyring)
