"""HTML page: the admin's business transfer at /desk/transfer: its status, announcing it
(after a confirmation), the people told, the objections and erasures, and running it on the
date (the same services as /api/v1/admin/transfers)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.policy.active import policy_of
from steward.transfer import service
from steward.web.auth import SettingsDep
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import DeskRoute, FormText, refused, roles, see_other
from steward.web.pages.kit import failed, render

router = APIRouter(prefix="/desk/transfer", include_in_schema=False, route_class=DeskRoute)
Admin = Annotated[Actor, Depends(roles({"admin"}, "manage the business transfer"))]
NOTICES = {
    "announced": "The transfer is announced: every account holder was mailed.",
    "run": "The transfer is done: the new owner's archive is written.",
}


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    notices: list[str],
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = service.status(session, actor)
    policy = policy_of(session)
    context = {
        "found": found,
        "section": policy.transfer,
        "told": service.told_people(session, actor),
        "objections": service.objections(session, actor),
        "notices": notices,
        "error": error,
    }
    return render(request, "desk/transfer.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def transfer_page(
    request: Request, actor: Admin, session: SessionDep, notice: str = ""
) -> Response:
    try:
        return _page(request, session, actor, [NOTICES[notice]] if notice in NOTICES else [])
    except DomainError as error:
        return refused(request, session, error)


@router.post("/announce", response_class=HTMLResponse)
def announce(
    request: Request,
    actor: Admin,
    session: SessionDep,
    settings: SettingsDep,
    confirm: FormText = "",
) -> Response:
    try:
        if confirm != "yes":
            raise Invalid("Tick the box to confirm: every account holder is mailed at once.")
        service.announce(session, settings, actor)
    except DomainError as error:
        failed(session, error)
        return _page(request, session, actor, [], error.message, error.status)
    return see_other("/desk/transfer", notice="announced")


@router.post("/run", response_class=HTMLResponse)
def run(
    request: Request,
    actor: Admin,
    session: SessionDep,
    settings: SettingsDep,
    public_key: FormText = "",
) -> Response:
    try:
        service.run(session, settings, actor, public_key.strip().encode()[:2000])
    except DomainError as error:
        failed(session, error)
        return _page(request, session, actor, [], error.message, error.status)
    return see_other("/desk/transfer", notice="run")
