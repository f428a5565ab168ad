"""HTML pages: the published privacy policy and cookie policy."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from steward.policy.document import Document, to_html
from steward.policy.publish import cookie_policy, name_of, privacy_policy

router = APIRouter(include_in_schema=False)


def _page(request: Request, doc: Document) -> HTMLResponse:
    policy = request.app.state.active_policy.policy
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        "document.html",
        {"title": doc.title, "body": Markup(to_html(doc)), "business": name_of(policy)},  # noqa: S704  (to_html escapes every text)
    )
    return response


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/privacy", status_code=303)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request) -> HTMLResponse:
    return _page(request, privacy_policy(request.app.state.active_policy.policy))


@router.get("/privacy/cookies", response_class=HTMLResponse)
def cookies(request: Request) -> HTMLResponse:
    return _page(request, cookie_policy(request.app.state.active_policy.policy))
