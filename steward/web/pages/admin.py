"""HTML pages: the admin's accounts at /desk/accounts: every account with its role and status,
and closing, reopening or disabling one (the same service as PATCH /api/v1/admin/accounts)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.desk import assignments
from steward.identity import admin
from steward.web.auth import SettingsDep
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import DeskRoute, FormText, Offset, refused, roles, see_other
from steward.web.pages.kit import failed, render

router = APIRouter(prefix="/desk/accounts", include_in_schema=False, route_class=DeskRoute)
Admin = Annotated[Actor, Depends(roles({"admin"}, "manage accounts"))]
PAGE_SIZE = 100
ACTIONS = {"close": "closed", "reopen": "active", "disable": "disabled", "enable": "active"}
NOTICES = {
    "closed": "The account is closed: its sessions ended and sign-in is refused.",
    "active": "The account is active again.",
    "disabled": "The account is disabled.",
}


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    offset: int,
    notices: list[str],
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    items = admin.list_accounts(session, actor, limit=PAGE_SIZE + 1, offset=offset)
    context = {
        "items": items[:PAGE_SIZE],
        "me": actor.account_id,
        "notices": notices,
        "error": error,
        "next_url": f"/desk/accounts?offset={offset + PAGE_SIZE}"
        if len(items) > PAGE_SIZE
        else None,
    }
    return render(request, "desk/accounts.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def accounts_page(
    request: Request, actor: Admin, session: SessionDep, offset: Offset = 0, notice: str = ""
) -> Response:
    try:
        return _page(
            request, session, actor, offset, [NOTICES[notice]] if notice in NOTICES else []
        )
    except DomainError as error:
        return refused(request, session, error)


@router.post("/{account_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    account_id: str,
    actor: Admin,
    session: SessionDep,
    settings: SettingsDep,
    action: FormText = "",
) -> Response:
    """Close, reopen, disable or enable an account; one leaving the desk hands its open
    tickets back to the queue."""
    try:
        status = ACTIONS.get(action)
        if status is None:
            raise Invalid("Choose to close, reopen, disable or enable the account.")
        if status in ("closed", "disabled"):
            assignments.release_assignments(session, actor, account_id[:36], None)
        admin.change(session, actor, account_id[:36], status=status, settings=settings)
    except DomainError as error:
        failed(session, error)
        return _page(request, session, actor, 0, [], error.message, error.status)
    return see_other("/desk/accounts", notice=status)
