"""JSON API under /api/v1: devices, telemetry, service records and maintenance schedules."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.core.actor import Actor
from steward.core.inputs import Body
from steward.desk import devices, schedules, service_records, telemetry
from steward.desk.device_input import (
    DeviceChange,
    DeviceIn,
    DeviceType,
    ScheduleChange,
    ScheduleIn,
    ServiceRecordChange,
    ServiceRecordIn,
)
from steward.web.auth import csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["devices"], dependencies=[Depends(csrf_guard)])

DeskActor = Annotated[Actor, Depends(require_roles("agent", "admin"))]
Reader = Annotated[Actor, Depends(require_roles("agent", "admin", "customer"))]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]
Kind = Literal["runtime", "print_job", "diagnostic"]


class DeviceOut(BaseModel):
    """Sealed fields (serial number, IP and MAC address, hostname, configuration) are null
    in a list when the policy does not let you read them."""

    id: str
    type: str
    make: str | None
    model: str | None
    serial_number: str | None
    ip_address: str | None
    mac_address: str | None
    hostname: str | None
    operating_system: str | None
    configuration: str | None
    organisation_id: str | None
    organisation_name: str | None
    person_id: str | None
    assigned_to_id: str | None
    created_at: datetime
    retired_at: datetime | None


class DevicePage(BaseModel):
    items: list[DeviceOut]
    next_offset: int | None


class ReadingIn(Body):
    kind: Kind
    payload: dict[str, Any]
    recorded_at: datetime | None = None


class ReadingsIn(Body):
    readings: Annotated[list[ReadingIn], Field(min_length=1, max_length=devices.MAX_READINGS)]


class ReadingOut(BaseModel):
    id: str
    device_id: str
    kind: str
    recorded_at: datetime
    payload: dict[str, Any] | None


class ReadingPage(BaseModel):
    items: list[ReadingOut]
    next_offset: int | None


class ServiceRecordOut(BaseModel):
    id: str
    organisation_id: str | None
    person_id: str | None
    device_id: str | None
    ticket_id: int | None
    technician_id: str | None
    visited_on: date
    work_done: str | None
    next_due_on: date | None
    created_at: datetime


class ServiceRecordPage(BaseModel):
    items: list[ServiceRecordOut]
    next_offset: int | None


class ScheduleOut(BaseModel):
    id: str
    device_id: str
    interval_days: int
    next_due_on: date
    preferred_times: str | None
    created_at: datetime


class SchedulePage(BaseModel):
    items: list[ScheduleOut]
    next_offset: int | None


def _device(view: devices.DeviceView) -> DeviceOut:
    return DeviceOut(**asdict(view))


def _record(view: devices.ServiceRecordView) -> ServiceRecordOut:
    return ServiceRecordOut(**asdict(view))


def _schedule(view: devices.ScheduleView) -> ScheduleOut:
    return ScheduleOut(**asdict(view))


# Devices --------------------------------------------------------------------------------


@router.get("/devices")
def list_devices(
    actor: Reader,
    session: SessionDep,
    organisation_id: Annotated[str | None, Query(max_length=36)] = None,
    person_id: Annotated[str | None, Query(max_length=36)] = None,
    assigned_to_id: Annotated[str | None, Query(max_length=36)] = None,
    type: DeviceType | None = None,
    text: Annotated[str | None, Query(max_length=100)] = None,
    include_retired: bool = True,
    offset: Offset = 0,
    limit: Limit = 50,
) -> DevicePage:
    """Newest first; `text` matches make, model or operating system. Customers see their
    organisations' devices and their own."""
    page = devices.list_devices(
        session,
        actor,
        organisation_id=organisation_id,
        person_id=person_id,
        assigned_to_id=assigned_to_id,
        type=type,
        text=text,
        include_retired=include_retired,
        offset=offset,
        limit=limit,
    )
    return DevicePage(items=[_device(v) for v in page.items], next_offset=page.next_offset)


@router.post("/devices", status_code=201)
def create_device(body: DeviceIn, actor: DeskActor, session: SessionDep) -> DeviceOut:
    """A card number in any field is refused (422): card numbers go to the payment
    processor only."""
    fields = body.model_dump(exclude={"type", "organisation_id", "person_id", "assigned_to_id"})
    return _device(
        devices.create_device(
            session,
            actor,
            type=body.type,
            organisation_id=body.organisation_id,
            person_id=body.person_id,
            assigned_to_id=body.assigned_to_id,
            **fields,
        )
    )


@router.get("/devices/{device_id}")
def get_device(device_id: str, actor: Reader, session: SessionDep) -> DeviceOut:
    return _device(devices.get_device(session, actor, device_id))


@router.patch("/devices/{device_id}")
def update_device(
    device_id: str, body: DeviceChange, actor: DeskActor, session: SessionDep
) -> DeviceOut:
    """Send only the fields to change (null clears one); `retired` retires or returns it.
    The owner cannot change."""
    changes = body.model_dump(exclude_unset=True)
    return _device(devices.update_device(session, actor, device_id, changes))


@router.delete("/devices/{device_id}", status_code=204)
def delete_device(device_id: str, actor: DeskActor, session: SessionDep) -> None:
    """Deletes the device with its telemetry and schedules; service records keep their
    history without the device."""
    devices.delete_device(session, actor, device_id)


@router.post("/devices/{device_id}/telemetry", status_code=201)
def add_telemetry(
    device_id: str, body: ReadingIn | ReadingsIn, actor: DeskActor, session: SessionDep
) -> ReadingPage:
    """One reading, or `{"readings": [...]}` with up to 1,000, all kept or none."""
    given = body.readings if isinstance(body, ReadingsIn) else [body]
    readings = [devices.Reading(r.kind, r.payload, r.recorded_at) for r in given]
    views = telemetry.add_telemetry(session, actor, device_id, readings)
    return ReadingPage(items=[ReadingOut(**asdict(v)) for v in views], next_offset=None)


@router.get("/devices/{device_id}/telemetry")
def list_telemetry(
    device_id: str,
    actor: Reader,
    session: SessionDep,
    kind: Kind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ReadingPage:
    """Newest first, from `since` (included) until `until` (excluded), times with a zone."""
    page = telemetry.list_telemetry(
        session,
        actor,
        device_id,
        kind=kind,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    return ReadingPage(
        items=[ReadingOut(**asdict(v)) for v in page.items], next_offset=page.next_offset
    )


# Service records ------------------------------------------------------------------------


@router.get("/service-records")
def list_service_records(
    actor: Reader,
    session: SessionDep,
    device_id: Annotated[str | None, Query(max_length=36)] = None,
    organisation_id: Annotated[str | None, Query(max_length=36)] = None,
    person_id: Annotated[str | None, Query(max_length=36)] = None,
    ticket_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ServiceRecordPage:
    """Service history, latest visit first. Customers see their organisations' and their own."""
    page = service_records.list_service_records(
        session,
        actor,
        device_id=device_id,
        organisation_id=organisation_id,
        person_id=person_id,
        ticket_id=ticket_id,
        offset=offset,
        limit=limit,
    )
    return ServiceRecordPage(items=[_record(v) for v in page.items], next_offset=page.next_offset)


@router.post("/service-records", status_code=201)
def create_service_record(
    body: ServiceRecordIn, actor: DeskActor, session: SessionDep
) -> ServiceRecordOut:
    return _record(service_records.create_service_record(session, actor, **body.model_dump()))


@router.get("/service-records/{record_id}")
def get_service_record(record_id: str, actor: Reader, session: SessionDep) -> ServiceRecordOut:
    return _record(service_records.get_service_record(session, actor, record_id))


@router.patch("/service-records/{record_id}")
def update_service_record(
    record_id: str, body: ServiceRecordChange, actor: DeskActor, session: SessionDep
) -> ServiceRecordOut:
    changes = body.model_dump(exclude_unset=True)
    return _record(service_records.update_service_record(session, actor, record_id, changes))


@router.delete("/service-records/{record_id}", status_code=204)
def delete_service_record(record_id: str, actor: DeskActor, session: SessionDep) -> None:
    service_records.delete_service_record(session, actor, record_id)


# Maintenance schedules ------------------------------------------------------------------


@router.get("/maintenance-schedules")
def list_schedules(
    actor: Reader,
    session: SessionDep,
    device_id: Annotated[str | None, Query(max_length=36)] = None,
    organisation_id: Annotated[str | None, Query(max_length=36)] = None,
    due_by: date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> SchedulePage:
    """Soonest due first; `due_by` keeps those due on or before that day."""
    page = schedules.list_schedules(
        session,
        actor,
        device_id=device_id,
        organisation_id=organisation_id,
        due_by=due_by,
        offset=offset,
        limit=limit,
    )
    return SchedulePage(items=[_schedule(v) for v in page.items], next_offset=page.next_offset)


@router.post("/maintenance-schedules", status_code=201)
def create_schedule(body: ScheduleIn, actor: DeskActor, session: SessionDep) -> ScheduleOut:
    """Next due by default one interval from today; preferred times are the owner's (C5)."""
    return _schedule(schedules.create_schedule(session, actor, **body.model_dump()))


@router.get("/maintenance-schedules/{schedule_id}")
def get_schedule(schedule_id: str, actor: Reader, session: SessionDep) -> ScheduleOut:
    return _schedule(schedules.get_schedule(session, actor, schedule_id))


@router.patch("/maintenance-schedules/{schedule_id}")
def update_schedule(
    schedule_id: str, body: ScheduleChange, actor: DeskActor, session: SessionDep
) -> ScheduleOut:
    changes = body.model_dump(exclude_unset=True)
    return _schedule(schedules.update_schedule(session, actor, schedule_id, changes))


@router.delete("/maintenance-schedules/{schedule_id}", status_code=204)
def delete_schedule(schedule_id: str, actor: DeskActor, session: SessionDep) -> None:
    schedules.delete_schedule(session, actor, schedule_id)
