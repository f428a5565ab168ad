"""Maintenance schedules of devices: how often a device is serviced and when next, with
the owner's preferred times sealed. Top-level functions own their transaction."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid, NotFound
from steward.core.ids import new_id
from steward.desk import table
from steward.desk.common import (
    SUPPORT,
    Page,
    check_paging,
    is_customer,
    only_changes,
    purpose_for,
)
from steward.desk.devices import (
    SCHEDULE_CHANGES,
    ScheduleView,
    _customer_devices,
    _inventory,
    _text,
)
from steward.desk.models import (
    Device,
    MaintenanceSchedule,
)


def _schedule_view(schedule: MaintenanceSchedule, sealed: bool) -> ScheduleView:
    return ScheduleView(
        id=schedule.id,
        device_id=schedule.device_id,
        interval_days=schedule.interval_days,
        next_due_on=schedule.next_due_on,
        preferred_times=schedule.preferred_times if sealed else None,
        created_at=schedule.created_at,
    )


def _schedule_owner(session: Session, actor: Actor, schedule_id: str) -> tuple[str, str]:
    query = (
        select(MaintenanceSchedule.id, MaintenanceSchedule.owner_id)
        .join(Device, Device.id == MaintenanceSchedule.device_id)
        .where(MaintenanceSchedule.id == schedule_id)
    )
    if is_customer(actor):
        query = query.where(_customer_devices(session, actor))
    return table.found(session, query, "maintenance schedule")


def _read_schedule(session: Session, actor: Actor, schedule_id: str) -> ScheduleView:
    found = _schedule_owner(session, actor, schedule_id)
    schedule = table.opened(session, actor, MaintenanceSchedule, found, ["preferred_times"])
    return _schedule_view(schedule, sealed=True)


def _schedule_views(rows: list[MaintenanceSchedule], readable: set[str]) -> list[ScheduleView]:
    return [_schedule_view(s, s.id in readable) for s in rows]


def _interval(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
        raise Invalid("The interval is a whole number of days from 1 to 3650.")
    return value


@_inventory
def create_schedule(
    session: Session,
    actor: Actor,
    *,
    device_id: str,
    interval_days: int,
    next_due_on: date | None = None,
    preferred_times: str | None = None,
) -> ScheduleView:
    """Maintenance every `interval_days`, next due on `next_due_on` (by default one interval
    from today), at the times the owner prefers (C5), sealed under the device's owner."""
    check_role(session, actor, "add maintenance schedules", SUPPORT)
    interval_days = _interval(interval_days)
    preferred_times = _text(preferred_times, "preferred times", 500)
    found = session.execute(
        select(Device.id, Device.owner_id).where(Device.id == device_id)
    ).one_or_none()
    if found is None:
        raise Invalid("There is no device with this id.")
    table.gate_row(
        session,
        actor,
        MaintenanceSchedule,
        found.owner_id,
        ["preferred_times"] if preferred_times else [],
        action="create",
    )
    schedule = MaintenanceSchedule(
        id=new_id(),
        device_id=found.id,
        owner_id=found.owner_id,
        interval_days=interval_days,
        next_due_on=next_due_on or clock.today() + timedelta(days=interval_days),
        preferred_times=preferred_times,
        created_at=clock.now(),
    )
    session.add(schedule)
    return table.committed(session, actor, _read_schedule, schedule.id)


@_inventory
def list_schedules(
    session: Session,
    actor: Actor,
    *,
    device_id: str | None = None,
    organisation_id: str | None = None,
    due_by: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ScheduleView]:
    """Maintenance schedules, soonest due first; `due_by` keeps those due on or before it."""
    check_role(session, actor, "read maintenance schedules", purpose_for(actor))
    check_paging(offset, limit)
    query = select(MaintenanceSchedule.id, MaintenanceSchedule.owner_id).join(
        Device, Device.id == MaintenanceSchedule.device_id
    )
    if is_customer(actor):
        query = query.where(_customer_devices(session, actor))
    if device_id:
        query = query.where(MaintenanceSchedule.device_id == device_id)
    if organisation_id:
        query = query.where(Device.organisation_id == organisation_id)
    if due_by:
        query = query.where(MaintenanceSchedule.next_due_on <= due_by)
    query = query.order_by(MaintenanceSchedule.next_due_on, MaintenanceSchedule.id)
    return table.page(
        session,
        actor,
        MaintenanceSchedule,
        query,
        ["preferred_times"],
        _schedule_views,
        offset,
        limit,
    )


@_inventory
def get_schedule(session: Session, actor: Actor, schedule_id: str) -> ScheduleView:
    check_role(session, actor, "read maintenance schedules", purpose_for(actor))
    return table.committed(session, actor, _read_schedule, schedule_id)


@_inventory
def update_schedule(
    session: Session, actor: Actor, schedule_id: str, changes: Mapping[str, Any]
) -> ScheduleView:
    """Change the interval, the next due date or the preferred times (None clears them)."""
    check_role(session, actor, "change maintenance schedules", SUPPORT)
    only_changes(changes, SCHEDULE_CHANGES, "a schedule")
    if "next_due_on" in changes and changes["next_due_on"] is None:
        raise Invalid("A schedule needs its next due date.")
    schedule_id, owner_id = _schedule_owner(session, actor, schedule_id)
    if "preferred_times" in changes:
        table.gate_row(
            session, actor, MaintenanceSchedule, owner_id, ["preferred_times"], action="update"
        )
    schedule = session.get(MaintenanceSchedule, schedule_id)
    if schedule is None:
        raise NotFound("There is no such schedule.")
    if "interval_days" in changes:
        schedule.interval_days = _interval(changes["interval_days"])
    if "next_due_on" in changes:
        schedule.next_due_on = changes["next_due_on"]
    if "preferred_times" in changes:
        schedule.preferred_times = _text(changes["preferred_times"], "preferred times", 500)
    return table.committed(session, actor, _read_schedule, schedule_id)


@_inventory
def delete_schedule(session: Session, actor: Actor, schedule_id: str) -> None:
    check_role(session, actor, "delete maintenance schedules", SUPPORT)
    found = _schedule_owner(session, actor, schedule_id)
    table.delete_row(session, actor, MaintenanceSchedule, found, ["preferred_times"])
