"""HTML pages: the front door (`/`: a signed-in person's home, else sign-in), the published
privacy policy and cookie policy, each pointing to the privacy center where a person uses
their rights."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from steward.policy.document import STYLE, Document, to_html
from steward.policy.publish import cookie_policy, privacy_policy
from steward.web.deps import SessionDep
from steward.web.pages.kit import home_of, looked_up_or_none, note_viewer, render

router = APIRouter(include_in_schema=False)


def _page(request: Request, doc: Document) -> HTMLResponse:
    context = {"title": doc.title, "body": Markup(to_html(doc))}  # noqa: S704  (to_html escapes every text)
    return render(request, "document.html", context)


@router.get("/")
async def home(request: Request, session: SessionDep) -> RedirectResponse:
    """Where a person's work is; a visitor signs in there (the sign-in page offers registering
    and the privacy policy)."""
    current = await looked_up_or_none(request, session)
    location = "/sign-in" if current is None else home_of(current.actor.role)
    return RedirectResponse(location, status_code=303)


@router.get("/privacy", response_class=HTMLResponse, dependencies=[Depends(note_viewer)])
def privacy(request: Request) -> HTMLResponse:
    return _page(request, privacy_policy(request.app.state.active_policy.policy))


@router.get("/privacy/cookies", response_class=HTMLResponse, dependencies=[Depends(note_viewer)])
def cookies(request: Request) -> HTMLResponse:
    return _page(request, cookie_policy(request.app.state.active_policy.policy))


@router.get("/privacy/document.css")
def document_style() -> Response:
    """The published documents' style, which every page builds on; one text with the
    printable files `steward policy render` writes, where it is inline."""
    return Response(
        STYLE,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
