"""HTML pages: the breach register at /dpo/incidents, for the privacy officer (X6).

The list, open incidents first, overdue and soonest due first, with their clocks, and the
form to record a breach; an incident's record (tab "record" of the incident's pages): its
clocks with a form to record each duty done (late ones ask for the reason for the delay),
every field in one form (the severity's inputs beside the computed band and what it
suggests, the decisions with their reasons and the Art. 34(3) exemption), the follow-up
tasks, the timeline, and closing. Times are typed and shown in the viewer's zone. No
JavaScript needed.
"""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.incidents import register, severity
from steward.incidents.models import KINDS
from steward.incidents.register import CloseIn, DutyIn, Fields, IncidentIn, TaskIn
from steward.policy.active import policy_of
from steward.policy.breach import LAW_NAMES, NOTICE_WORDS, terms
from steward.policy.local import Local
from steward.web.auth import csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import optional_moment
from steward.web.pages.kit import Officer, PageRoute, failed, form_input, local_of, render

router = APIRouter(
    prefix="/dpo/incidents",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]
TEXTS = ("title", *register.TEXTS)
MOMENTS = {
    "aware_at": "moment you became aware",
    "occurred_from": "start of the breach",
    "occurred_until": "end of the breach",
    "processor_told_at": "moment the processor told you",
}
NUMBERS = ("people_count", "records_count", "data_context", "identification")
CHOICES = ("processor", "exemption")
DECISIONS = ("notify_authority", "notify_people")
LABELS = {
    "title": "Title",
    "aware_at": "Became aware at",
    "people_count": "About how many people",
    "records_count": "About how many records",
    "data_context": "Data processing context",
    "identification": "Ease of identification",
    "kinds": "Type of breach",
    "text": "Task",
    "due_on": "Due on",
}
NOTICES = {
    "recorded": "The breach is recorded; its clocks run from the moment you became aware.",
    "saved": "The record is saved.",
    "duty": "The duty is recorded as done.",
    "task": "The task is added.",
    "task_done": "The task is done.",
    "closed": "The incident is closed.",
}
STATES = {
    "met": "Done in time",
    "late": "Done late",
    "overdue": "Overdue",
    "due": "To do",
    "not_needed": "Not needed (decided)",
}
STEPS = {
    "recorded": "Recorded",
    "updated": "Record changed",
    "decision.authority": "Decision on reporting to the authority",
    "decision.people": "Decision on telling the people",
    "processor.told": "The processor's notice recorded",
    "duty.done": "Duty done",
    "task.added": "Task added",
    "task.done": "Task done",
    "closed": "Closed",
}


def _given(form: FormData, local: Local, lists: bool) -> dict[str, Any]:
    """The form's values as the register's input takes them: a blank field is None (cleared),
    times read in the viewer's zone, decisions from yes/no. `lists`: the list fields are
    on the form, so none ticked means none."""
    one = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    values: dict[str, Any] = {}
    for name in (*TEXTS, *NUMBERS, *CHOICES):
        if name in one:
            values[name] = one[name] or None
    for name, what in MOMENTS.items():
        if name in one:
            values[name] = optional_moment(one[name], what, local)
    for name in DECISIONS:
        if name in one:
            values[name] = {"yes": True, "no": False}.get(one[name])
    if lists:
        for name in register.LISTS:
            values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    if any(f"cb_{part}" in one for part in severity.PARTS):
        values["circumstances"] = {p: one.get(f"cb_{p}") or 0 for p in severity.PARTS}
    return values


def _checked(model: type[Fields], values: Mapping[str, Any]) -> Any:
    """Blank values are None here (a cleared field), which form_input keeps."""
    return form_input(model, values, LABELS)


def _choices(session: Session) -> dict[str, Any]:
    policy = policy_of(session)
    found = terms(policy)
    return {
        "kinds": KINDS,
        "categories": {k: c.name for k, c in policy.categories.items()},
        "sensitive": {k for k, c in policy.categories.items() if c.sensitive},
        "subjects": {k: s.name for k, s in policy.subjects.items()},
        "jurisdictions": {j: LAW_NAMES[j] for j in policy.jurisdictions},
        "processors": {k: p.name for k, p in policy.processors.items()},
        "contexts": severity.CONTEXTS,
        "identification": severity.IDENTIFICATION,
        "parts": severity.PARTS,
        "part_values": severity.PART_VALUES,
        "bands": severity.BAND_NAMES,
        "exemptions": severity.EXEMPTIONS,
        "states": STATES,
        "steps": STEPS,
        "contact": found.contact,
        "authorities": found.authorities,
        "told_by": [NOTICE_WORDS[n] for n in found.people_told_by],
    }


def _list_page(
    request: Request,
    session: Session,
    officer: Actor,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
    closed: bool = False,
) -> Response:
    context = {
        "items": register.listing(session, officer, closed=closed),
        "closed": closed,
        **_choices(session),
        **(extra or {}),
    }
    return render(request, "dpo/incidents.html", context, status_code=status_code)


def _record_page(
    request: Request,
    session: Session,
    officer: Actor,
    incident_id: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = register.read(session, officer, incident_id)
    local = local_of(request)
    incident = found.incident
    values = {
        **{name: getattr(incident, name) or "" for name in TEXTS},
        **{name: local.field_value(getattr(incident, name)) for name in MOMENTS},
        **{name: register.lists(incident, name) for name in register.LISTS},
        "people_count": incident.people_count,
        "records_count": incident.records_count,
        "processor": incident.processor or "",
        "exemption": incident.exemption or "",
        "data_context": incident.data_context,
        "identification": incident.identification,
        "circumstances": register.parts_of(incident),
        "notify_authority": incident.notify_authority,
        "notify_people": incident.notify_people,
    }
    context = {
        "incident": incident,
        "tab": "record",
        "record": found,
        "values": values,
        **_choices(session),
        **(extra or {}),
    }
    return render(request, "dpo/incident.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def incidents(
    request: Request, officer: Officer, session: SessionDep, closed: bool = False
) -> Response:
    return _list_page(request, session, officer, closed=closed)


@router.post("", response_class=HTMLResponse)
async def record(request: Request, officer: Officer, session: SessionDep) -> Response:
    form = await request.form()
    try:
        given = _given(form, local_of(request), lists=True)
        values = {k: v for k, v in given.items() if v is not None}  # blank: not given
        made = register.record(session, officer, _checked(IncidentIn, values))
    except DomainError as error:
        failed(session, error)
        sent = {k: v for k, v in form.items() if isinstance(v, str)}
        sent["kinds"] = form.getlist("kinds")  # type: ignore[assignment]
        extra = {"error": error.message, "form": sent}
        return _list_page(request, session, officer, extra, error.status)
    return RedirectResponse(f"/dpo/incidents/{made.id}?notice=recorded", status_code=303)


@router.get("/{incident_id}", response_class=HTMLResponse)
def incident(
    request: Request, incident_id: str, officer: Officer, session: SessionDep, notice: str = ""
) -> Response:
    notices = [NOTICES[notice]] if notice in NOTICES else []
    return _record_page(request, session, officer, incident_id, {"notices": notices})


def _again(
    request: Request, session: Session, officer: Actor, incident_id: str, error: DomainError
) -> Response:
    failed(session, error)
    extra = {"error": error.message}
    return _record_page(request, session, officer, incident_id, extra, error.status)


def _back(incident_id: str, notice: str) -> Response:
    return RedirectResponse(f"/dpo/incidents/{incident_id}?notice={notice}", status_code=303)


@router.post("/{incident_id}", response_class=HTMLResponse)
async def save(
    request: Request, incident_id: str, officer: Officer, session: SessionDep
) -> Response:
    form = await request.form()
    try:
        values = _given(form, local_of(request), lists=True)
        register.update(session, officer, incident_id, _checked(Fields, values))
    except DomainError as error:
        return _again(request, session, officer, incident_id, error)
    return _back(incident_id, "saved")


@router.post("/{incident_id}/duties", response_class=HTMLResponse)
def duty_done(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    duty: FormText,
    done_at: FormText = "",
    delay_reason: FormText = "",
) -> Response:
    try:
        when = optional_moment(done_at, "time it was done", local_of(request))
        sent = {"duty": duty, "done_at": when, "delay_reason": delay_reason}
        given = form_input(DutyIn, sent, {"delay_reason": "Reason for the delay"})
        register.duty_done(session, officer, incident_id, given)
    except DomainError as error:
        return _again(request, session, officer, incident_id, error)
    return _back(incident_id, "duty")


@router.post("/{incident_id}/tasks", response_class=HTMLResponse)
def add_task(
    request: Request,
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    text: FormText = "",
    due_on: FormText = "",
) -> Response:
    try:
        given = form_input(TaskIn, {"text": text, "due_on": due_on}, LABELS)
        register.add_task(session, officer, incident_id, given)
    except DomainError as error:
        return _again(request, session, officer, incident_id, error)
    return _back(incident_id, "task")


@router.post("/{incident_id}/tasks/{task_id}/done", response_class=HTMLResponse)
def task_done(
    request: Request, incident_id: str, task_id: str, officer: Officer, session: SessionDep
) -> Response:
    try:
        register.task_done(session, officer, incident_id, task_id)
    except DomainError as error:
        return _again(request, session, officer, incident_id, error)
    return _back(incident_id, "task_done")


@router.post("/{incident_id}/close", response_class=HTMLResponse)
def close(
    request: Request, incident_id: str, officer: Officer, session: SessionDep, note: FormText = ""
) -> Response:
    try:
        register.close(session, officer, incident_id, CloseIn(note=note))
    except DomainError as error:
        return _again(request, session, officer, incident_id, error)
    return _back(incident_id, "closed")
