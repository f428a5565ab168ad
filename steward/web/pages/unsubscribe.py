"""One-click unsubscribe (RFC 8058): `POST /unsubscribe?token=...` turns marketing off for the
token's person, with no session and no CSRF token (the mail client posts it; the token is
the credential), and records the withdrawal in the consent ledger; `GET /unsubscribe` shows
a page with a button that posts. A forged token is refused with 403."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from steward.consent import unsubscribe
from steward.core.errors import DomainError
from steward.web.auth import client_ip
from steward.web.deps import SessionDep
from steward.web.pages.kit import failed, render

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(max_length=200)]


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, session: SessionDep, token: Token = "") -> Response:
    """The page a person reaches by clicking the link: one button, nothing changed yet (a link
    scanner following it changes nothing)."""
    try:
        unsubscribe.person_of(session, token)
    except DomainError as error:
        context = {"error": error.message}
        return render(request, "unsubscribe.html", context, status_code=error.status)
    return render(request, "unsubscribe.html", {"token": token})


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_now(
    request: Request,
    session: SessionDep,
    token: Token = "",
    list_unsubscribe: Annotated[str, Form(alias="List-Unsubscribe", max_length=20)] = "",
) -> Response:
    """Turn marketing off: the one-click POST of RFC 8058 (`List-Unsubscribe=One-Click` in
    the body) or the page's button."""
    ip = client_ip(request)
    try:
        unsubscribe.unsubscribe(session, token, ip)
    except DomainError as error:
        failed(session, error)
        context = {"error": error.message}
        return render(request, "unsubscribe.html", context, status_code=error.status)
    return render(request, "unsubscribe.html", {"done": True})
