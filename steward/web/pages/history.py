"""Pages of the policy's life cycle (C4): every published version (`/privacy/history`), the
text of each (`/privacy/history/{version_id}`, rendered from the version's own source), and
the step where a signed-in person accepts a materially changed policy (`/privacy/accept`).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from steward.consent import policy_acceptance
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.policy.document import to_html
from steward.policy.lifecycle import published
from steward.policy.loader import parse_policy
from steward.policy.models import PolicyVersion
from steward.policy.publish import privacy_policy
from steward.web.auth import client_ip, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import PageActor, PageRoute, home_of, note_viewer, render, safe_next

router = APIRouter(
    prefix="/privacy",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)


@router.get("/history", response_class=HTMLResponse, dependencies=[Depends(note_viewer)])
def history(request: Request, session: SessionDep) -> Response:
    active = request.app.state.active_policy.sha256
    return render(
        request,
        "policy/history.html",
        {"title": "Privacy policy history", "versions": published(session), "active": active},
    )


@router.get(
    "/history/{version_id}", response_class=HTMLResponse, dependencies=[Depends(note_viewer)]
)
def version_text(request: Request, version_id: str, session: SessionDep) -> Response:
    row = session.get(PolicyVersion, version_id)
    if row is None:
        raise NotFound("There is no such version of the privacy policy.")
    doc = privacy_policy(parse_policy(row.source, f"version {row.version}"))
    return render(
        request,
        "policy/version.html",
        {
            "title": f"{doc.title} — version {row.version}",
            "row": row,
            "active": row.sha256 == request.app.state.active_policy.sha256,
            "body": Markup(to_html(doc)),  # noqa: S704  (to_html escapes every text)
        },
    )


def _pending(
    request: Request, actor: Actor, session: Session, next_path: str | None
) -> tuple[str, PolicyVersion | None]:
    """Where to go afterwards, and the version this person still has to accept, if any."""
    target = safe_next(next_path, home_of(actor.role))
    if actor.person_id is None:
        return target, None
    sha256 = request.app.state.active_policy.sha256
    return target, policy_acceptance.pending(session, actor.person_id, sha256)


@router.get("/accept", response_class=HTMLResponse)
def accept_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    next: Annotated[str | None, Query()] = None,
) -> Response:
    target, version = _pending(request, actor, session, next)
    if version is None:
        return RedirectResponse(target, status_code=303)
    return render(
        request,
        "policy/accept.html",
        {
            "title": "Our privacy policy has changed",
            "version": version,
            "changes": (version.summary or "").splitlines(),
            "next": target,
        },
    )


@router.post("/accept")
def accept(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    target, version = _pending(request, actor, session, next)
    if actor.person_id is not None and version is not None:
        policy_acceptance.accept(session, actor.person_id, version, client_ip(request))
    return RedirectResponse(target, status_code=303)
