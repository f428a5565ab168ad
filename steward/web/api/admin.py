"""JSON API, /api/v1/admin/accounts: list accounts, create staff, change role or status
(active, disabled, closed)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from steward.access.roles import DESK_ROLES
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.desk import assignments
from steward.identity import admin
from steward.identity.common import EmailText
from steward.web.auth import SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/admin/accounts", tags=["admin"], dependencies=[Depends(csrf_guard)]
)
AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
StaffRole = Literal["agent", "billing", "call_reviewer", "privacy_officer", "admin"]


class AccountOut(BaseModel):
    id: str
    person_id: str
    role: str
    status: str
    name: str | None
    email: str | None
    mfa_enabled: bool
    created_at: datetime
    last_sign_in_at: datetime | None


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailText
    name: str = Field(min_length=1, max_length=200)
    role: StaffRole


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: (
        Literal["customer", "agent", "billing", "call_reviewer", "privacy_officer", "admin"] | None
    ) = None
    status: Literal["active", "disabled", "closed"] | None = None
    reassign_to: str | None = Field(None, max_length=36)  # who takes over its open tickets


class AccountPage(BaseModel):
    items: list[AccountOut]
    next_offset: int | None


def _out(view: admin.AccountView) -> AccountOut:
    return AccountOut(**view.__dict__)


@router.get("")
def list_accounts(
    actor: AdminActor,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AccountPage:
    """Accounts, oldest first, as `{items, next_offset}` (null on the last page)."""
    views = admin.list_accounts(session, actor, limit=limit + 1, offset=offset)
    more = len(views) > limit
    return AccountPage(
        items=[_out(v) for v in views[:limit]], next_offset=offset + limit if more else None
    )


@router.post("", status_code=201)
def create_staff(
    body: StaffIn, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> AccountOut:
    """Open a staff account; a link to set the password goes to its address."""
    return _out(admin.create_staff(session, settings, actor, body.email, body.name, body.role))


@router.patch("/{account_id}")
def change_account(
    account_id: str,
    body: ChangeIn,
    actor: AdminActor,
    session: SessionDep,
    settings: SettingsDep,
) -> AccountOut:
    """Change the role and/or status (active, disabled, closed); the account's sessions end.
    Closing sets the person's `closed_at`, from which the retention rules that run after
    account closure count, and mails them; `active` reopens a closed account (until its data
    is wiped). An account leaving the desk (disabled, closed, or no longer agent or admin)
    hands its tickets that are not closed to `reassign_to` (an active agent or admin), or
    back to the queue; its customers' tickets and messages stay."""
    leaves = body.status in ("disabled", "closed") or (
        body.role is not None and body.role not in DESK_ROLES
    )
    if body.reassign_to is not None and not leaves:
        raise Invalid(
            "Name who takes over the tickets only when an account leaves the desk: disabled, "
            "closed, or given a role other than agent or admin."
        )
    if leaves:
        # No commit here: admin.change commits the reassignment with the account's change,
        # or nothing at all when it refuses.
        assignments.release_assignments(session, actor, account_id, body.reassign_to)
    return _out(
        admin.change(
            session, actor, account_id, role=body.role, status=body.status, settings=settings
        )
    )
