"""HTML pages: the watch's alerts at /dpo/alerts (X4), for the privacy officer.

Open alerts, newest first (all of them on asking): what the rule counted and over which
window, whose account (its holder's name, read through the gate under the incidents
purpose, its role and id) or which address (a fingerprint: the address is never kept),
what was done at once where the policy says the rule responds; and for each, making it an
incident in one step (to the incident's page) or dismissing it with a reason. No JavaScript.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.incidents import alerts as alert_service
from steward.incidents import watch
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
NOTICES = {"dismissed": "The alert is dismissed; its reason is kept with it."}
STATUSES = {"open": "Open", "dismissed": "Dismissed", "incident": "Made an incident"}


def _page(
    request: Request,
    session: Session,
    officer: Actor,
    everything: bool,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    alerts = alert_service.listing(session, officer, everything=everything, limit=200)
    context = {
        "alerts": alerts,
        "everything": everything,
        "names": alert_service.names(session, officer, alerts),
        "described": {a.id: watch.describe(a) for a in alerts},
        "responded": {a.id: watch.responded(a) for a in alerts if a.responded_at},
        "statuses": STATUSES,
        **(extra or {}),
    }
    session.commit()  # the gate's audit entries for the names shown
    return render(request, "dpo/alerts.html", context, status_code=status_code)


@router.get("/alerts", response_class=HTMLResponse)
def alerts(
    request: Request, officer: Officer, session: SessionDep, all: bool = False, notice: str = ""
) -> Response:
    notices = [NOTICES[notice]] if notice in NOTICES else []
    return _page(request, session, officer, all, {"notices": notices})


@router.post("/alerts/{alert_id}/dismiss", response_class=HTMLResponse)
def dismiss(
    request: Request, alert_id: str, officer: Officer, session: SessionDep, reason: FormText = ""
) -> Response:
    try:
        alert_service.dismiss(session, officer, alert_id, reason)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "failed_id": alert_id, "reason": reason}
        return _page(request, session, officer, False, extra, error.status)
    return RedirectResponse("/dpo/alerts?notice=dismissed", status_code=303)


@router.post("/alerts/{alert_id}/incident", response_class=HTMLResponse)
def to_incident(request: Request, alert_id: str, officer: Officer, session: SessionDep) -> Response:
    try:
        incident_id = alert_service.to_incident(session, officer, alert_id)
    except DomainError as error:
        failed(session, error)
        return _page(request, session, officer, False, {"error": error.message}, error.status)
    return RedirectResponse(f"/dpo/incidents/{incident_id}", status_code=303)
