"""JSON API, /api/v1/admin/transfers: the business transfer (S4): its status, announcing it
to every account holder, and running it on the date (the new owner's archive). Admin only."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.transfer import service
from steward.transfer.models import Transfer
from steward.web.auth import SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/admin/transfers", tags=["admin"], dependencies=[Depends(csrf_guard)]
)
AdminActor = Annotated[Actor, Depends(require_roles("admin"))]


class TransferOut(BaseModel):
    id: str
    status: str
    new_controller: str
    transfer_date: date
    policy_version: str
    announced_at: datetime
    told: int
    told_failed: int
    leave_out_objectors: bool
    run_at: datetime | None
    recipient_key_id: str | None
    archive_name: str | None
    archive_sha256: str | None
    people_included: int | None
    people_erased: int | None
    people_objected: int | None
    rows: int | None
    files: int | None


class StatusOut(BaseModel):
    transfer: TransferOut | None
    told: int
    objected: int
    erased: int
    due: bool


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key: str = Field(
        min_length=1, max_length=2000, description="The new owner's X25519 public key, PEM."
    )


def _out(transfer: Transfer) -> TransferOut:
    return TransferOut.model_validate(
        {name: getattr(transfer, name) for name in TransferOut.model_fields}
    )


@router.get("")
def status(actor: AdminActor, session: SessionDep) -> StatusOut:
    """The current transfer (null when none is announced), people told, objections and
    erasures so far, and whether its date has come."""
    found = service.status(session, actor)
    return StatusOut(
        transfer=_out(found.transfer) if found.transfer else None,
        told=found.told,
        objected=found.objected,
        erased=found.erased,
        due=found.due,
    )


@router.post("/announce", status_code=201)
def announce(actor: AdminActor, session: SessionDep, settings: SettingsDep) -> TransferOut:
    """Record the transfer the active policy names and mail every active account holder
    (the date, the new owner, how to object or have their data erased before it)."""
    return _out(service.announce(session, settings, actor))


@router.post("/run")
def run(body: RunIn, actor: AdminActor, session: SessionDep, settings: SettingsDep) -> TransferOut:
    """On or after the date: write the new owner's archive into the backup directory,
    leaving out people erased and (as the policy says) people who objected."""
    return _out(service.run(session, settings, actor, body.public_key.encode()))
