"""HTML page: the people an incident affected, at /dpo/incidents/{id}/affected (the
"affected" tab), for the privacy officer.

A form says what was compromised (an account by email or id, a role, a lost device, tables,
a backup, a rights export or a processor; a window where the audit trail answers). "Preview"
shows the counts it gives; "Freeze the list" stores the list sealed under the incident's key
and puts the counts on the register. The page shows the counts frozen last and when. It
names no person: counts, category names and laws only. No JavaScript needed.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.identity.models import STAFF_ROLES
from steward.incidents import impact, register
from steward.policy.active import ROLE_NAMES, policy_of
from steward.policy.breach import LAW_NAMES
from steward.rights.datamap import holdings
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import Officer, PageRoute, failed, local_of, render

router = APIRouter(
    prefix="/dpo/incidents",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]
FIELDS = ("kind", "account", "role", "since", "until", "tables", "request", "processor")


def _page(
    request: Request,
    session: Session,
    officer: Actor,
    incident_id: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    incident = register.get(session, officer, incident_id)
    policy = policy_of(session)
    context = {
        "incident": incident,
        "tab": "affected",
        "frozen": impact.frozen(session, officer, incident_id),
        "kinds": impact.KINDS,
        "roles": {r: ROLE_NAMES[r] for r in (*STAFF_ROLES, "customer")},
        "tables": sorted(h.name for h in holdings()),
        "processors": {k: p.name for k, p in policy.processors.items()},
        "unknown": impact.UNKNOWN,
        "law_names": LAW_NAMES,
        **(extra or {}),
    }
    return render(request, "dpo/incident_affected.html", context, status_code=status_code)


@router.get("/{incident_id}/affected", response_class=HTMLResponse)
def affected_page(
    request: Request, incident_id: str, officer: Officer, session: SessionDep, notice: str = ""
) -> Response:
    notices = ["The list is frozen into the incident."] if notice == "frozen" else []
    return _page(request, session, officer, incident_id[:36], {"notices": notices})


def _moment(request: Request, text: str, what: str) -> datetime | None:
    """A date and time typed in the viewer's zone (a datetime-local field), in UTC."""
    if not text.strip():
        return None
    try:
        typed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"Write {what} as a date and time (YYYY-MM-DD HH:MM).") from None
    return typed if typed.tzinfo else typed.replace(tzinfo=local_of(request).tz)


@router.post("/{incident_id}/affected", response_class=HTMLResponse)
def affected_form(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    kind: FormText = "",
    account: FormText = "",
    role: FormText = "",
    since: FormText = "",
    until: FormText = "",
    tables: Annotated[list[str] | None, Form()] = None,
    request_reference: Annotated[str, Form(alias="request")] = "",
    processor: FormText = "",
    do: FormText = "preview",
) -> Response:
    """Preview the counts, or (`do=freeze`) freeze the list into the incident."""
    incident_id = incident_id[:36]
    chosen_tables = [t[:64] for t in (tables or [])][:100]
    form: dict[str, Any] = {
        "kind": kind,
        "account": account[:254],
        "role": role,
        "since": since[:40],
        "until": until[:40],
        "tables": chosen_tables,
        "request": request_reference[:24],
        "processor": processor[:128],
    }
    try:
        chosen = impact.scope(
            session,
            kind,
            account=account[:254],
            role=role or None,
            since=_moment(request, since, "the start"),
            until=_moment(request, until, "the end"),
            tables=chosen_tables,
            request=request_reference[:24],
            processor=processor[:128],
        )
        if do == "freeze":
            impact.freeze(session, officer, incident_id, chosen)
            return RedirectResponse(
                f"/dpo/incidents/{incident_id}/affected?notice=frozen", status_code=303
            )
        counts = impact.preview(session, officer, incident_id, chosen)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "form": form}
        return _page(request, session, officer, incident_id, extra, error.status)
    return _page(request, session, officer, incident_id, {"preview": counts, "form": form})
