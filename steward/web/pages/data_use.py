"""HTML page: "who used my data" at /privacy/center/data-use, for the signed-in person.
No JavaScript needed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.rights import data_use
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import PageActor, PageRoute, render

router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(csrf_guard)]
)
FormText = Annotated[str, Form()]


@router.get("/privacy/center/data-use", response_class=HTMLResponse)
def data_use_page(
    request: Request, actor: PageActor, session: SessionDep, offset: int = 0
) -> Response:
    uses, following = data_use.mine(session, actor, max(0, offset), 50)
    staff = [u for u in uses if u.kind != "recipient"]
    recipients = [u for u in uses if u.kind == "recipient"]
    context = {"staff": staff, "recipients": recipients, "next_offset": following}
    return render(request, "rights/data_use.html", context)
