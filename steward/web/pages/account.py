"""HTML pages: a staff member's own account at /desk/account: the time zone they read times
in, and their two-step sign-in. (Customers have theirs at /portal/account.)"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.web.deps import SessionDep
from steward.web.pages import zone_form
from steward.web.pages.desk_kit import DeskRoute
from steward.web.pages.kit import PageStaff, failed, render

router = APIRouter(prefix="/desk/account", include_in_schema=False, route_class=DeskRoute)
NOTICES = {"zone_saved": "Your time zone is saved: times are now shown in it."}


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    extra: dict[str, object],
    status_code: int = 200,
) -> HTMLResponse:
    context = {**zone_form.context(request, session, actor, "/desk/account/time-zone"), **extra}
    return render(request, "account/staff.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def account_page(
    request: Request, actor: PageStaff, session: SessionDep, notice: str = ""
) -> Response:
    return _page(
        request, session, actor, {"notices": [NOTICES[notice]] if notice in NOTICES else []}
    )


@router.post("/time-zone", response_class=HTMLResponse)
def save_time_zone(
    request: Request,
    actor: PageStaff,
    session: SessionDep,
    time_zone: Annotated[str, Form()] = "",
) -> Response:
    try:
        zone_form.save(session, actor, time_zone)
    except DomainError as error:
        failed(session, error)
        return _page(request, session, actor, {"zone_error": error.message}, error.status)
    return RedirectResponse("/desk/account?notice=zone_saved", status_code=303)
