"""JSON API under /api/v1/dpo/incidents: the breach register (X6), for the privacy officer.

List (open first, overdue then soonest due first), record, read (with the clocks, tasks and
timeline), change what is known and the decisions, record a duty done, add and finish
follow-up tasks, close. What goes out is the allow-list below: keys, counts, times and the
officer's own words, never a person's data.
"""

import json
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from steward.core.actor import Actor
from steward.incidents import clocks, register
from steward.incidents.models import Incident, IncidentEvent, IncidentTask
from steward.incidents.register import CloseIn, DutyIn, Fields, IncidentIn, TaskIn
from steward.rights.common import OFFICER_ROLES
from steward.web.api.paging import Limit, Offset, cut
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/dpo/incidents", tags=["incidents"], dependencies=[Depends(csrf_guard)]
)
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class DutyOut(BaseModel):
    key: str
    kind: str
    jurisdiction: str
    what: str
    due_at: datetime | None
    done_at: datetime | None
    state: str
    phased: bool
    delay_reason: str | None


class TaskOut(BaseModel):
    id: str
    text: str
    due_on: date | None
    done_at: datetime | None
    created_at: datetime


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor_id: str | None
    detail: dict[str, object]


class SuggestionOut(BaseModel):
    notify_authority: bool
    notify_people: bool
    why: str


class IncidentSummary(BaseModel):
    id: str
    reference: str
    title: str
    status: str
    aware_at: datetime
    band: str | None
    next_due: datetime | None
    overdue: bool
    duties: list[DutyOut]


class IncidentOut(BaseModel):
    id: str
    reference: str
    title: str
    status: str
    aware_at: datetime
    occurred_from: datetime | None
    occurred_until: datetime | None
    found_how: str
    kinds: list[str]
    summary: str
    systems: str
    categories: list[str]
    special_categories: list[str]
    subjects: list[str]
    jurisdictions: list[str]
    people_count: int | None
    records_count: int | None
    affected_frozen_at: datetime | None = Field(
        description="When the people affected were frozen: the categories, laws and counts "
        "are then the list's."
    )
    processor: str | None
    processor_told_at: datetime | None
    consequences: str
    measures_taken: str
    measures_proposed: str
    data_context: float | None
    suggested_data_context: float | None
    identification: float | None
    circumstances: dict[str, float]
    severity: float | None
    band: str | None
    suggestion: SuggestionOut | None
    notify_authority: bool | None
    authority_reason: str
    notify_people: bool | None
    people_reason: str
    exemption: str | None
    alert_id: str | None
    created_at: datetime
    closed_at: datetime | None
    closing_note: str
    duties: list[DutyOut]
    tasks: list[TaskOut]
    timeline: list[EventOut]


class IncidentPage(BaseModel):
    items: list[IncidentSummary]
    next_offset: int | None


def _duty(duty: clocks.Duty) -> DutyOut:
    return DutyOut(
        key=duty.key,
        kind=duty.kind,
        jurisdiction=duty.jurisdiction,
        what=duty.what,
        due_at=duty.due_at,
        done_at=duty.done_at,
        state=duty.state,
        phased=duty.phased,
        delay_reason=duty.delay_reason,
    )


def _task(task: IncidentTask) -> TaskOut:
    return TaskOut(
        id=task.id,
        text=task.text,
        due_on=task.due_on,
        done_at=task.done_at,
        created_at=task.created_at,
    )


def _event(event: IncidentEvent) -> EventOut:
    return EventOut(
        at=event.at, kind=event.kind, actor_id=event.actor_id, detail=json.loads(event.detail)
    )


def _out(found: register.Record) -> IncidentOut:
    i: Incident = found.incident
    suggestion = found.suggestion
    return IncidentOut(
        id=i.id,
        reference=i.reference,
        title=i.title,
        status=i.status,
        aware_at=i.aware_at,
        occurred_from=i.occurred_from,
        occurred_until=i.occurred_until,
        found_how=i.found_how,
        kinds=register.lists(i, "kinds"),
        summary=i.summary,
        systems=i.systems,
        categories=register.lists(i, "categories"),
        special_categories=found.special,
        subjects=register.lists(i, "subjects"),
        jurisdictions=register.lists(i, "jurisdictions"),
        people_count=i.people_count,
        records_count=i.records_count,
        affected_frozen_at=i.affected_frozen_at,
        processor=i.processor,
        processor_told_at=i.processor_told_at,
        consequences=i.consequences,
        measures_taken=i.measures_taken,
        measures_proposed=i.measures_proposed,
        data_context=i.data_context,
        suggested_data_context=found.suggested_context,
        identification=i.identification,
        circumstances=register.parts_of(i),
        severity=i.severity,
        band=i.band,
        suggestion=SuggestionOut(**vars(suggestion)) if suggestion else None,
        notify_authority=i.notify_authority,
        authority_reason=i.authority_reason,
        notify_people=i.notify_people,
        people_reason=i.people_reason,
        exemption=i.exemption,
        alert_id=i.alert_id,
        created_at=i.created_at,
        closed_at=i.closed_at,
        closing_note=i.closing_note,
        duties=[_duty(d) for d in found.duties],
        tasks=[_task(t) for t in found.tasks],
        timeline=[_event(e) for e in found.events],
    )


@router.get("")
def list_incidents(
    officer: Officer,
    session: SessionDep,
    closed: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> IncidentPage:
    """Open incidents, overdue then soonest due first; `closed` adds the closed ones after
    them. `{items, next_offset}`, null on the last page."""
    found = register.listing(session, officer, closed=closed)[offset : offset + limit + 1]
    page, following = cut(found, offset, limit)
    items = [
        IncidentSummary(
            id=item.incident.id,
            reference=item.incident.reference,
            title=item.incident.title,
            status=item.incident.status,
            aware_at=item.incident.aware_at,
            band=item.incident.band,
            next_due=item.next_due,
            overdue=item.overdue,
            duties=[_duty(d) for d in item.duties],
        )
        for item in page
    ]
    return IncidentPage(items=items, next_offset=following)


@router.post("", status_code=201)
def record_incident(body: IncidentIn, officer: Officer, session: SessionDep) -> IncidentOut:
    """Record a breach: its reference is given out (INC-2026-0001), its clocks start from
    `aware_at`."""
    made = register.record(session, officer, body)
    return _out(register.read(session, officer, made.id))


@router.get("/{incident_id}")
def read_incident(incident_id: str, officer: Officer, session: SessionDep) -> IncidentOut:
    return _out(register.read(session, officer, incident_id))


@router.patch("/{incident_id}")
def update_incident(
    incident_id: str, body: Fields, officer: Officer, session: SessionDep
) -> IncidentOut:
    """Change what is given; a field given as null is cleared. Severity and band follow."""
    register.update(session, officer, incident_id, body)
    return _out(register.read(session, officer, incident_id))


@router.post("/{incident_id}/duties")
def duty_done(incident_id: str, body: DutyIn, officer: Officer, session: SessionDep) -> IncidentOut:
    """Record a duty of the clocks as done (e.g. `authority:gdpr`); late needs a reason."""
    register.duty_done(session, officer, incident_id, body)
    return _out(register.read(session, officer, incident_id))


@router.post("/{incident_id}/close")
def close_incident(
    incident_id: str, body: CloseIn, officer: Officer, session: SessionDep
) -> IncidentOut:
    """Close it: refused (409) until both decisions are recorded with their reasons."""
    register.close(session, officer, incident_id, body)
    return _out(register.read(session, officer, incident_id))


@router.post("/{incident_id}/tasks", status_code=201)
def add_task(incident_id: str, body: TaskIn, officer: Officer, session: SessionDep) -> TaskOut:
    return _task(register.add_task(session, officer, incident_id, body))


@router.post("/{incident_id}/tasks/{task_id}/done")
def finish_task(incident_id: str, task_id: str, officer: Officer, session: SessionDep) -> TaskOut:
    return _task(register.task_done(session, officer, incident_id, task_id))
