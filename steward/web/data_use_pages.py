"""HTML pages: "who used my data" at /privacy/center/data-use (the signed-in person), and the
privacy officer's withholding of an item from an access export, and including it again (the
forms of the review block on /dpo/requests/{id}). No JavaScript needed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steward.core.errors import DomainError
from steward.rights import data_use, review
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.dpo_pages import Officer, _request_page
from steward.web.page_kit import PageActor, PageRoute, failed, render

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


@router.post("/dpo/requests/{request_id}/withhold", response_class=HTMLResponse)
def withhold(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    item: FormText = "",
    reason: FormText = "",
) -> Response:
    try:
        if reason == "include":
            review.include(session, officer, request_id, item[:100])
        else:
            review.withhold(session, officer, request_id, item[:100], reason[:40])
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message}
        return _request_page(request, session, officer, request_id, extra, error.status)
    notice = "included" if reason == "include" else "withheld"
    return RedirectResponse(f"/dpo/requests/{request_id}?notice={notice}", status_code=303)
