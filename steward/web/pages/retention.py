"""HTML pages: retention at /dpo/retention, for the privacy officer.

What the next sweep would delete or anonymise (now and in 30 days), per category by the
policy's names, the reports of past sweeps, and the legal holds: those past their end date
flagged for review first, each naming what it is on (a person's or an organisation's name, a
ticket, a category), a form to place one (an organisation or a category chosen by its name)
and, for each, a release that asks for confirmation first. Nothing on it names a person but
the holds' own targets, which only the officer sees. No JavaScript needed.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.policy.active import policy_of
from steward.retention import holds, reports, sweep
from steward.retention.models import HOLD_SCOPES
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import Officer, PageRoute, failed, render

router = APIRouter(
    prefix="/dpo",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]
SCOPE_NAMES = dict(
    zip(HOLD_SCOPES, ("A person", "A ticket", "An organisation", "A category of data"), strict=True)
)
NOTICES = {
    "placed": "The hold is in force: nothing it covers is deleted until it is released.",
    "released": "The hold is released: what it covered is swept again by its rules.",
}


def _page(
    request: Request,
    session: Session,
    officer: Actor,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    policy = policy_of(session)
    runs = reports.recent(session, officer, limit=10)
    listed = holds.listing(session, officer)
    kept_by = holds.by_ids(session, officer, {h for r in runs for h in r.held})
    context = {
        "plan": sweep.plan(session, policy),
        "runs": runs,
        "holds": listed,
        "on": holds.targets(session, officer, [*listed, *kept_by]),
        "scopes": SCOPE_NAMES,
        "reasons": holds.REASON_NAMES,
        "categories": sorted(c.name for c in policy.categories.values()),
        "organisations": holds.choices(session, "organisation"),
        **(extra or {}),
    }
    return render(request, "dpo/retention.html", context, status_code=status_code)


@router.get("/retention", response_class=HTMLResponse)
def retention(
    request: Request, officer: Officer, session: SessionDep, notice: str = ""
) -> Response:
    notices = [NOTICES[notice]] if notice in NOTICES else []
    return _page(request, session, officer, {"notices": notices})


@router.post("/holds", response_class=HTMLResponse)
def place_hold(
    request: Request,
    officer: Officer,
    session: SessionDep,
    scope: FormText,
    target: FormText,
    reason: FormText,
    ends_on: FormText = "",
) -> Response:
    form = {"scope": scope, "target": target, "reason": reason, "ends_on": ends_on}
    try:
        try:
            until = date.fromisoformat(ends_on) if ends_on.strip() else None
        except ValueError:
            raise Invalid("Write the end date as YYYY-MM-DD, or leave it empty.") from None
        holds.place(session, officer, scope, target, reason, until)
        session.commit()
    except DomainError as error:
        failed(session, error)
        return _page(
            request, session, officer, {"error": error.message, "form": form}, error.status
        )
    return RedirectResponse("/dpo/retention?notice=placed", status_code=303)


@router.get("/holds/{hold_id}/release", response_class=HTMLResponse)
def confirm_release(
    request: Request, hold_id: str, officer: Officer, session: SessionDep
) -> Response:
    """Ask before a hold is released: what it is on, and what releasing it lets happen."""
    found = [h for h in holds.by_ids(session, officer, [hold_id]) if h.released_at is None]
    if not found:
        error = "There is no such hold in force."
        return _page(request, session, officer, {"error": error}, 404)
    context = {
        "hold": found[0],
        "on": holds.targets(session, officer, found)[hold_id],
        "reasons": holds.REASON_NAMES,
    }
    return render(request, "dpo/release.html", context)


@router.post("/holds/{hold_id}/release", response_class=HTMLResponse)
def release_hold(request: Request, hold_id: str, officer: Officer, session: SessionDep) -> Response:
    try:
        holds.release(session, officer, hold_id)
        session.commit()
    except DomainError as error:
        failed(session, error)
        return _page(request, session, officer, {"error": error.message}, error.status)
    return RedirectResponse("/dpo/retention?notice=released", status_code=303)
