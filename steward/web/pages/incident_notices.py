"""HTML pages for telling people of an incident (X6).

For the privacy officer: `/dpo/incidents/{id}/report`, the authority's report (GDPR Art.
33(3)) as a page that prints clean, with the phases sent and a form to note the next;
`/dpo/incidents/{id}/notices`, the people's notice as they will read it, where the notices
stand, the client controllers to tell (we are their processor), "Send to N people" after a
confirmation page, the recipients told, and the Attorney General's sample. For
the person told: `/privacy/center/notices/{id}`, their notice, marked seen when opened. No
JavaScript needed; nothing on the officer's pages names a person.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, NotFound
from steward.core.settings import Settings
from steward.incidents import notices, register, report
from steward.incidents.models import Incident
from steward.jobs.queue import enqueue
from steward.policy.active import policy_of
from steward.policy.breach import LAW_NAMES
from steward.rights import recipients
from steward.vault.service import vault_of
from steward.web.auth import SettingsDep, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import Officer, PageActor, PageRoute, failed, render

router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(csrf_guard)]
)
FormText = Annotated[str, Form()]
# The client controllers ticked: the policy's processing_for_clients by position.
ClientsQuery = Annotated[list[str], Query(alias="client")]
ClientsForm = Annotated[list[str], Form(alias="client")]
PHASE_NOTICE = "The phase is noted on the incident's timeline, with what the report held."
NOTICES = {
    "phase": PHASE_NOTICE,
    "queued": "The notices are queued: the worker mails them in the next minutes.",
    "nothing": "Everyone on the list was told already, or cannot be told any more.",
    "ag_sample": "The sample's submission to the Attorney General is noted.",
    "unreachable": "A client chosen has no email address in its contact in the policy: tell "
    "it yourself, and add the address to the policy.",
}


def _choices(values: list[str]) -> list[int | str]:
    return [int(v) if v.isdigit() else v for v in values]


def _notice(code: str) -> list[str]:
    return [NOTICES[code]] if code in NOTICES else []


def _report_page(
    request: Request,
    session: Session,
    officer: Actor,
    incident: Incident,
    law: str | None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = report.build(session, officer, incident, law or None)
    context = {
        "incident": incident,
        "tab": "report",
        "report": found,
        "late": found.late(clock.now()),
        "phase_names": report.PHASES,
        "places": report.JURISDICTION_NAMES,
        "next_phases": _next_phases(found),
        **(extra or {}),
    }
    return render(request, "dpo/incident_report.html", context, status_code=status_code)


def _next_phases(found: report.Report) -> list[str]:
    sent = [p.phase for p in found.phases]
    if "final" in sent:
        return []
    return ["initial"] if not sent else ["follow_up", "final"]


@router.get("/dpo/incidents/{incident_id}/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    notice: str = "",
    law: str = "",
) -> Response:
    incident = register.get(session, officer, incident_id)
    return _report_page(request, session, officer, incident, law, {"notices": _notice(notice)})


@router.post("/dpo/incidents/{incident_id}/report/phases", response_class=HTMLResponse)
def record_phase(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    phase: FormText = "",
    late_reason: FormText = "",
    law: FormText = "",
) -> Response:
    incident = register.get(session, officer, incident_id)
    try:
        sent = report.record_phase(
            session, officer, incident, phase, law=law or None, late_reason=late_reason
        )
        session.commit()
    except DomainError as error:
        failed(session, error)
        incident = register.get(session, officer, incident_id)
        extra = {"error": error.message, "typed": {"phase": phase, "late_reason": late_reason}}
        shown = law if law in report.laws_of(policy_of(session), incident) else None
        return _report_page(request, session, officer, incident, shown, extra, error.status)
    where = f"&law={sent.law}" if sent.law else ""
    return RedirectResponse(
        f"/dpo/incidents/{incident.id}/report?notice=phase{where}", status_code=303
    )


def _notices_context(
    session: Session, settings: Settings, officer: Actor, incident: Incident
) -> dict[str, Any]:
    vault = vault_of(session)
    return {
        "incident": incident,
        "tab": "notices",
        "counts": notices.tally(session, vault, officer, incident),
        "sample": notices.ag_sample(session, vault, settings, officer, incident),
        "law_names": LAW_NAMES,
        "clients": policy_of(session).processing_for_clients,
        "told": notices.told(session, officer, incident),
        "people_wait": notices.why_people_wait(incident),
    }


@router.get("/dpo/incidents/{incident_id}/notices", response_class=HTMLResponse)
def notices_page(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    notice: str = "",
) -> Response:
    incident = register.get(session, officer, incident_id)
    context = {**_notices_context(session, settings, officer, incident), "notices": _notice(notice)}
    return render(request, "dpo/incident_notices.html", context)


@router.get("/dpo/incidents/{incident_id}/notices/send", response_class=HTMLResponse)
def confirm_send(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientsQuery = [],  # noqa: B006  (FastAPI copies the default)
) -> Response:
    """Ask before mailing: to how many people and which clients, and that it cannot be
    taken back."""
    incident = register.get(session, officer, incident_id)
    try:
        chosen = recipients.chosen_clients(policy_of(session), _choices(client))
    except DomainError as error:
        context = {**_notices_context(session, settings, officer, incident), "error": error.message}
        return render(request, "dpo/incident_notices.html", context, status_code=error.status)
    counts = notices.tally(session, vault_of(session), officer, incident)
    every = policy_of(session).processing_for_clients
    context = {
        "incident": incident,
        "tab": "notices",
        "counts": counts,
        "chosen": [(every.index(c), c.client) for c in chosen],
        "people_wait": notices.why_people_wait(incident),
    }
    return render(request, "dpo/incident_notices_send.html", context)


@router.post("/dpo/incidents/{incident_id}/notices/send", response_class=HTMLResponse)
def send(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientsForm = [],  # noqa: B006  (FastAPI copies the default)
) -> Response:
    incident = register.get(session, officer, incident_id)
    try:
        sent = notices.send(session, vault_of(session), officer, incident, _choices(client))
        if sent.queued:
            enqueue(session, notices.JOB, {"incident_id": incident.id})
        session.commit()
    except DomainError as error:
        failed(session, error)
        incident = register.get(session, officer, incident_id)
        context = {**_notices_context(session, settings, officer, incident), "error": error.message}
        return render(request, "dpo/incident_notices.html", context, status_code=error.status)
    code = "queued" if sent.queued or sent.clients else "nothing"
    if sent.clients_unreachable:
        code = "unreachable"
    return RedirectResponse(f"/dpo/incidents/{incident.id}/notices?notice={code}", status_code=303)


@router.post("/dpo/incidents/{incident_id}/notices/ag-sample", response_class=HTMLResponse)
def record_ag_sample(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    incident = register.get(session, officer, incident_id)
    try:
        notices.record_ag_sample(session, vault_of(session), settings, officer, incident)
        session.commit()
    except DomainError as error:
        failed(session, error)
        incident = register.get(session, officer, incident_id)
        context = {**_notices_context(session, settings, officer, incident), "error": error.message}
        return render(request, "dpo/incident_notices.html", context, status_code=error.status)
    return RedirectResponse(
        f"/dpo/incidents/{incident.id}/notices?notice=ag_sample", status_code=303
    )


@router.get("/privacy/center/notices/{notice_id}", response_class=HTMLResponse)
def own_notice(
    request: Request, notice_id: str, actor: PageActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """A notice of an incident to the signed-in person; anyone else's is "not found"."""
    try:
        view, letter = notices.open_own(session, settings, actor, notice_id)
        session.commit()
    except NotFound as error:
        failed(session, error)
        context = {"title": "Not found", "detail": error.message}
        return render(request, "portal/not_found.html", context, status_code=404)
    return render(request, "rights/incident_notice.html", {"notice": view, "letter": letter})
