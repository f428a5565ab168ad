"""HTML page: containing an incident at /dpo/incidents/{incident_id}/containment, for the
privacy officer (X6; T2 for the hold).

One form per step, each asking for a tick to confirm before it acts; above them, what was
done and when, from the incident's timeline, and the processors whose outbox is paused now.
Accounts are shown by id; nothing on the page names a person. No JavaScript needed.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.desk import people
from steward.incidents import containment
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import Officer, PageRoute, failed, render

router = APIRouter(
    prefix="/dpo/incidents",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]

# What each step did, as the page says it.
DONE = {
    "revoke-sessions": "Every session of the account ended",
    "disable-account": "Account disabled",
    "force-reset": "New password and new MFA forced",
    "rotate-keys": "Master key rotated",
    "pause-processor": "Outbox to a processor paused",
    "resume-processor": "Outbox to a processor resumed",
    "legal-hold": "Legal hold placed for the investigation",
}


def _page(
    request: Request,
    session: Session,
    officer: Actor,
    incident_id: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = containment.status(session, officer, incident_id)
    incident = {
        "id": found.incident_id,
        "reference": found.reference,
        "title": found.title,
        "status": found.status,
    }
    context = {
        "incident": incident,
        "tab": "containment",
        "containment": found,
        "done_words": DONE,
        "names": people.account_names(
            session,
            officer,
            [*(d.actor_id for d in found.done), *(d.detail.get("account") for d in found.done)],
            purpose=INCIDENTS,
        )
        | ({officer.account_id: "you"} if officer.account_id else {}),
        **(extra or {}),
    }
    return render(request, "dpo/incident_containment.html", context, status_code=status_code)


@router.get("/{incident_id}/containment", response_class=HTMLResponse)
def containment_page(
    request: Request, incident_id: str, officer: Officer, session: SessionDep, done: str = ""
) -> Response:
    notices = [f"{DONE[done]}: recorded on the timeline."] if done in DONE else []
    return _page(request, session, officer, incident_id, {"notices": notices})


@router.post("/{incident_id}/containment/{step}", response_class=HTMLResponse)
def contain(
    request: Request,
    incident_id: str,
    step: str,
    officer: Officer,
    session: SessionDep,
    confirm: FormText = "",
    account: FormText = "",
    processor: FormText = "",
    scope: FormText = "",
    target: FormText = "",
    ends_on: FormText = "",
) -> Response:
    form = {"step": step, "account": account, "processor": processor, "scope": scope}
    form["target"] = target
    try:
        if confirm != "yes":
            raise Invalid("Tick the box to confirm this step first.")
        try:
            until = date.fromisoformat(ends_on) if ends_on.strip() else None
        except ValueError:
            raise Invalid("Write the end date as YYYY-MM-DD, or leave it empty.") from None
        containment.take(
            session,
            officer,
            incident_id,
            step,
            request.app.state.runtime,
            account=account,
            processor=processor,
            scope=scope,
            target=target,
            ends_on=until,
        )
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "form": form}
        return _page(request, session, officer, incident_id, extra, error.status)
    return RedirectResponse(
        f"/dpo/incidents/{incident_id}/containment?done={step}", status_code=303
    )
