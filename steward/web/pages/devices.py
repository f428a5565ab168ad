"""HTML pages of the desk: organisations with their members, and devices with their latest
telemetry, service records and maintenance schedules. For agents and admins."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.desk import devices, organisations, people, service_records, telemetry, tickets
from steward.desk import schedules as maintenance
from steward.desk.device_input import DeviceChange, DeviceIn, ScheduleIn, ServiceRecordIn
from steward.desk.models import DEVICE_TYPES
from steward.desk.organisation_input import MemberIn, OrganisationChange, OrganisationIn
from steward.policy.active import policy_of
from steward.policy.local import Local, zone_names
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import (
    MEMBER_KINDS,
    PAGE_SIZE,
    STATUS_NAMES,
    Agent,
    DeskRoute,
    FormText,
    Offset,
    QueryText,
    masked,
    notices,
    person_from,
    refused,
    see_other,
    show,
    staff_names,
    with_query,
)
from steward.web.pages.kit import failed, form_input, render

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)

DEVICE_TEXT = (
    "make",
    "model",
    "operating_system",
    "serial_number",
    "ip_address",
    "mac_address",
    "hostname",
    "configuration",
)
# The form's labels, by the input model's field names.
DEVICE_FIELDS = {
    "type": "Type",
    "make": "Make",
    "model": "Model",
    "operating_system": "Operating system",
    "serial_number": "Serial number",
    "hostname": "Hostname",
    "ip_address": "IP address",
    "mac_address": "MAC address",
    "configuration": "Configuration notes",
    "organisation_id": "Organisation",
    "assigned_to_id": "Used by",
    "retired": "Retired",
}
ORGANISATION_FIELDS = {"name": "Name", "domain": "Mail domain", "time_zone": "Time zone"}
MEMBER_FIELDS = {
    "kind": "Kind",
    "name": "Name",
    "email": "Email address",
    "phone": "Phone number",
    "job_title": "Job title",
}
RECORD_FIELDS = {
    "visited_on": "Visited on",
    "work_done": "Work done",
    "next_due_on": "Next due on",
    "ticket_id": "Ticket number",
}
SCHEDULE_FIELDS = {
    "interval_days": "Every how many days",
    "next_due_on": "Next due on",
    "preferred_times": "Times the customer prefers",
}
SHOWN = 10  # tickets and devices on an organisation's page; the rest are a link away
MOST_ORGANISATIONS = 200
ZONES = {
    name: name.replace("_", " ") for name in zone_names()
}  # for the organisation's zone  # offered in a device's owner list; more are found by search
READINGS = 20


def _pages(
    path: str, shown: dict[str, str], offset: int, next_offset: int | None
) -> dict[str, Any]:
    return {
        "next_url": with_query(path, **shown, offset=next_offset) if next_offset else None,
        "previous_url": with_query(path, **shown, offset=max(offset - PAGE_SIZE, 0) or None)
        if offset
        else None,
    }


# Organisations


def _organisations_context(session: Session, actor: Actor, q: str, offset: int) -> dict[str, Any]:
    page = organisations.list_organisations(
        session, actor, text=q or None, offset=offset, limit=PAGE_SIZE
    )
    return {
        "items": page.items,
        "q": q,
        "values": {},
        **_pages("/desk/organisations", {"q": q}, offset, page.next_offset),
    }


@router.get("/organisations", response_class=HTMLResponse)
def organisation_list(
    request: Request,
    actor: Agent,
    session: SessionDep,
    q: QueryText = "",
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    def build() -> dict[str, Any]:
        return {
            **_organisations_context(session, actor, q.strip(), offset),
            "notices": notices(notice),
        }

    return show(request, session, "desk/organisations.html", build)


@router.post("/organisations", response_class=HTMLResponse)
def create_organisation(
    request: Request, actor: Agent, session: SessionDep, name: FormText = "", domain: FormText = ""
) -> Response:
    try:
        asked = form_input(OrganisationIn, {"name": name, "domain": domain}, ORGANISATION_FIELDS)
        made = organisations.create_organisation(session, actor, **asked.model_dump())
    except DomainError as error:
        failed(session, error)
        context = _organisations_context(session, actor, "", 0)
        context.update(
            notices=[], error=error.message, values={"name": masked(name), "domain": masked(domain)}
        )
        return render(request, "desk/organisations.html", context, status_code=error.status)
    return see_other(f"/desk/organisations/{made.id}", notice="organisation_saved")


def _organisation_context(
    session: Session, actor: Actor, organisation_id: str, offset: int = 0
) -> dict[str, Any]:
    organisation = organisations.get_organisation(session, actor, organisation_id)
    members = organisations.list_members(
        session, actor, organisation.id, offset=offset, limit=PAGE_SIZE
    )
    found = (
        devices.list_devices(session, actor, organisation_id=organisation.id, limit=SHOWN)
        if devices.inventory_kept(session)
        else None
    )
    its_tickets = tickets.list_tickets(
        session, actor, tickets.TicketFilter(organisation_id=organisation.id), limit=SHOWN
    )
    return {
        "organisation": organisation,
        "members": members.items,
        "devices": found.items if found else [],
        "more_devices": found is not None and found.next_offset is not None,
        "tickets": its_tickets.items,
        "more_tickets": its_tickets.next_offset is not None,
        "statuses": STATUS_NAMES,
        "zones": ZONES,
        "business_zone": Local.of(policy_of(session).controller).time_zone,
        "kinds": MEMBER_KINDS,
        "types": devices.TYPE_NAMES,
        "values": {"kind": "end_user"},
        **_pages(f"/desk/organisations/{organisation.id}", {}, offset, members.next_offset),
    }


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    request: Request,
    organisation_id: str,
    actor: Agent,
    session: SessionDep,
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    def build() -> dict[str, Any]:
        context = _organisation_context(session, actor, organisation_id[:36], offset)
        return {**context, "notices": notices(notice)}

    return show(request, session, "desk/organisation.html", build)


def _organisation_again(
    request: Request,
    session: Session,
    actor: Actor,
    organisation_id: str,
    error: DomainError,
    extra: dict[str, Any],
) -> HTMLResponse:
    failed(session, error)
    try:
        context = _organisation_context(session, actor, organisation_id)
    except DomainError as missing:
        return refused(request, session, missing)
    context.update(notices=[], **extra)
    return render(request, "desk/organisation.html", context, status_code=error.status)


@router.post("/organisations/{organisation_id}", response_class=HTMLResponse)
def update_organisation(
    request: Request,
    organisation_id: str,
    actor: Agent,
    session: SessionDep,
    name: FormText = "",
    domain: FormText = "",
    time_zone: FormText = "",
) -> Response:
    try:
        given = {"name": name, "domain": domain, "time_zone": time_zone}
        # Every field is sent: a blank domain or zone is cleared (and a blank name refused).
        changes = form_input(OrganisationChange, given, ORGANISATION_FIELDS).model_dump()
        organisations.update_organisation(session, actor, organisation_id[:36], changes)
    except DomainError as error:
        extra = {
            "edit_error": error.message,
            "edit": {"name": masked(name), "domain": masked(domain), "time_zone": time_zone[:64]},
        }
        return _organisation_again(request, session, actor, organisation_id[:36], error, extra)
    return see_other(f"/desk/organisations/{organisation_id[:36]}", notice="organisation_saved")


@router.post("/organisations/{organisation_id}/members", response_class=HTMLResponse)
def add_member(
    request: Request,
    organisation_id: str,
    actor: Agent,
    session: SessionDep,
    kind: FormText = "end_user",
    existing_email: FormText = "",
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    job_title: FormText = "",
) -> Response:
    """Add someone already known (found by their email address) or a new person."""
    values = {
        "kind": kind,
        "existing_email": masked(existing_email),
        "name": masked(name),
        "email": masked(email),
        "phone": masked(phone),
        "job_title": masked(job_title),
    }
    try:
        known = person_from(session, actor, "", existing_email) if existing_email.strip() else None
        given = {"kind": kind, "person_id": known, "job_title": job_title}
        if known is None:
            given |= {"name": name, "email": email, "phone": phone}
        asked = form_input(MemberIn, given, MEMBER_FIELDS)
        organisations.add_member(session, actor, organisation_id[:36], **asked.model_dump())
    except DomainError as error:
        extra = {"member_error": error.message, "values": values}
        return _organisation_again(request, session, actor, organisation_id[:36], error, extra)
    return see_other(
        f"/desk/organisations/{organisation_id[:36]}", notice="member_added", anchor="members"
    )


# Devices


@router.get("/devices", response_class=HTMLResponse)
def device_list(
    request: Request,
    actor: Agent,
    session: SessionDep,
    organisation: QueryText = "",
    type: QueryText = "",
    q: QueryText = "",
    retired: QueryText = "",
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    def build() -> dict[str, Any]:
        page = devices.list_devices(
            session,
            actor,
            organisation_id=organisation[:36] or None,
            type=type if type in DEVICE_TYPES else None,
            text=q.strip() or None,
            include_retired=retired == "yes",
            offset=offset,
            limit=PAGE_SIZE,
        )
        shown = {"organisation": organisation, "type": type, "q": q, "retired": retired}
        return {
            "items": page.items,
            "filters": shown,
            "types": devices.TYPE_NAMES,
            "notices": notices(notice),
            **_pages("/desk/devices", shown, offset, page.next_offset),
        }

    return show(request, session, "desk/devices.html", build)


def _device_form(
    session: Session, actor: Actor, values: dict[str, str], device: Any = None
) -> dict[str, Any]:
    owners = organisations.list_organisations(session, actor, limit=MOST_ORGANISATIONS).items
    members: list[Any] = []
    organisation_id = device.organisation_id if device else values.get("organisation", "")
    if organisation_id:
        members = list(organisations.list_members(session, actor, organisation_id, limit=200).items)
    return {
        "values": values,
        "device": device,
        "owners": owners,
        "members": members,
        "types": devices.TYPE_NAMES,
    }


@router.get("/devices/new", response_class=HTMLResponse)
def new_device_form(
    request: Request, actor: Agent, session: SessionDep, organisation: QueryText = ""
) -> Response:
    values = {"organisation": organisation[:36], "type": "workstation"}
    return show(
        request, session, "desk/device_form.html", lambda: _device_form(session, actor, values)
    )


async def _form_values(request: Request) -> dict[str, str]:
    sent = await request.form()
    return {k: v for k, v in sent.items() if isinstance(v, str) and k != "csrf_token"}


@router.post("/devices/new", response_class=HTMLResponse)
async def create_device(request: Request, actor: Agent, session: SessionDep) -> Response:
    """A device owned by an organisation, or by a person found by their email address."""
    values = await _form_values(request)
    try:
        organisation_id = values.get("organisation", "")
        person_id = None
        if not organisation_id:
            person_id = person_from(session, actor, "", values.get("owner_email", ""))
        given = {
            **values,
            "organisation_id": organisation_id,
            "person_id": person_id,
            "assigned_to_id": values.get("assigned_to", ""),
        }
        asked = form_input(DeviceIn, given, DEVICE_FIELDS)
        made = devices.create_device(
            session,
            actor,
            type=asked.type,
            organisation_id=asked.organisation_id,
            person_id=asked.person_id,
            assigned_to_id=asked.assigned_to_id,
            **asked.model_dump(exclude={"type", "organisation_id", "person_id", "assigned_to_id"}),
        )
    except DomainError as error:
        failed(session, error)
        values = {key: masked(value) for key, value in values.items()}
        try:
            context = _device_form(session, actor, values)
        except DomainError as other:
            return refused(request, session, other)
        context["error"] = error.message
        return render(request, "desk/device_form.html", context, status_code=error.status)
    return see_other(f"/desk/devices/{made.id}", notice="device_saved")


@router.get("/devices/{device_id}/edit", response_class=HTMLResponse)
def edit_device_form(
    request: Request, device_id: str, actor: Agent, session: SessionDep
) -> Response:
    def build() -> dict[str, Any]:
        device = devices.get_device(session, actor, device_id[:36])
        values = {field: getattr(device, field) or "" for field in DEVICE_TEXT}
        values.update(type=device.type, assigned_to=device.assigned_to_id or "")
        return _device_form(session, actor, values, device)

    return show(request, session, "desk/device_form.html", build)


@router.post("/devices/{device_id}/edit", response_class=HTMLResponse)
async def update_device(
    request: Request, device_id: str, actor: Agent, session: SessionDep
) -> Response:
    values = await _form_values(request)
    try:
        given = {
            **values,
            "assigned_to_id": values.get("assigned_to", ""),
            "retired": values.get("retired") == "yes",
        }
        # Every field of the form is sent: one left blank is cleared.
        changes = form_input(DeviceChange, given, DEVICE_FIELDS).model_dump()
        devices.update_device(session, actor, device_id[:36], changes)
    except DomainError as error:
        failed(session, error)
        values = {key: masked(value) for key, value in values.items()}
        try:
            device = devices.get_device(session, actor, device_id[:36])
            context = _device_form(session, actor, values, device)
        except DomainError as other:
            return refused(request, session, other)
        context["error"] = error.message
        return render(request, "desk/device_form.html", context, status_code=error.status)
    return see_other(f"/desk/devices/{device_id[:36]}", notice="device_saved")


def _device_context(session: Session, actor: Actor, device_id: str) -> dict[str, Any]:
    device = devices.get_device(session, actor, device_id)
    readings = telemetry.list_telemetry(session, actor, device.id, limit=READINGS)
    records = service_records.list_service_records(
        session, actor, device_id=device.id, limit=PAGE_SIZE
    )
    schedules = maintenance.list_schedules(session, actor, device_id=device.id, limit=PAGE_SIZE)
    named = people.names(
        session, actor, [p for p in (device.assigned_to_id, device.person_id) if p]
    )
    return {
        "device": device,
        "types": devices.TYPE_NAMES,
        "readings": readings.items,
        "records": records.items,
        "overdue_since": devices.overdue_since(records.items, clock.today()),
        "schedules": schedules.items,
        "technicians": staff_names(session, actor, (r.technician_id for r in records.items)),
        "assigned_name": named.get(device.assigned_to_id or ""),
        "owner_name": named.get(device.person_id or ""),
        "record": {},
        "schedule": {"interval_days": "180"},
    }


@router.get("/devices/{device_id}", response_class=HTMLResponse)
def device_page(
    request: Request, device_id: str, actor: Agent, session: SessionDep, notice: str = ""
) -> Response:
    def build() -> dict[str, Any]:
        return {**_device_context(session, actor, device_id[:36]), "notices": notices(notice)}

    return show(request, session, "desk/device.html", build)


def _device_again(
    request: Request,
    session: Session,
    actor: Actor,
    device_id: str,
    error: DomainError,
    extra: dict[str, Any],
) -> HTMLResponse:
    failed(session, error)
    try:
        context = _device_context(session, actor, device_id)
    except DomainError as missing:
        return refused(request, session, missing)
    context.update(notices=[], **extra)
    return render(request, "desk/device.html", context, status_code=error.status)


@router.post("/devices/{device_id}/records", response_class=HTMLResponse)
def add_service_record(
    request: Request,
    device_id: str,
    actor: Agent,
    session: SessionDep,
    visited_on: FormText = "",
    work_done: FormText = "",
    next_due_on: FormText = "",
    ticket: FormText = "",
) -> Response:
    kept = {
        "visited_on": visited_on,
        "work_done": masked(work_done),
        "next_due_on": next_due_on,
        "ticket": ticket,
    }
    given = {
        "visited_on": visited_on,
        "work_done": work_done,
        "next_due_on": next_due_on,
        "ticket_id": ticket.strip().lstrip("#"),
        "device_id": device_id,
    }
    try:
        asked = form_input(ServiceRecordIn, given, RECORD_FIELDS)
        service_records.create_service_record(session, actor, **asked.model_dump())
    except DomainError as error:
        extra = {"record_error": error.message, "record": kept}
        return _device_again(request, session, actor, device_id[:36], error, extra)
    return see_other(f"/desk/devices/{device_id[:36]}", notice="record_added", anchor="records")


@router.post("/devices/{device_id}/schedules", response_class=HTMLResponse)
def add_schedule(
    request: Request,
    device_id: str,
    actor: Agent,
    session: SessionDep,
    interval_days: FormText = "",
    next_due_on: FormText = "",
    preferred_times: FormText = "",
) -> Response:
    kept = {
        "interval_days": interval_days,
        "next_due_on": next_due_on,
        "preferred_times": masked(preferred_times),
    }
    given = {
        "interval_days": interval_days,
        "next_due_on": next_due_on,
        "preferred_times": preferred_times,
        "device_id": device_id,
    }
    try:
        asked = form_input(ScheduleIn, given, SCHEDULE_FIELDS)
        maintenance.create_schedule(session, actor, **asked.model_dump())
    except DomainError as error:
        extra = {"schedule_error": error.message, "schedule": kept}
        return _device_again(request, session, actor, device_id[:36], error, extra)
    return see_other(f"/desk/devices/{device_id[:36]}", notice="schedule_added", anchor="schedules")
