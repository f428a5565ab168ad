"""Service records: a technician's visits to a device and the work done, gated under the
device owner's state. Top-level functions own their transaction."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from steward.access.gate import check_role, roles_of
from steward.access.people import people_among
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid, NotFound
from steward.core.ids import new_id
from steward.desk import table
from steward.desk.common import (
    SUPPORT,
    Page,
    check_paging,
    exists,
    is_customer,
    only_changes,
    organisations_of,
    purpose_for,
)
from steward.desk.devices import (
    RECORD_CHANGES,
    ServiceRecordView,
    _inventory,
    _text,
)
from steward.desk.models import (
    Device,
    Organisation,
    ServiceRecord,
    Ticket,
)
from steward.identity.models import Account


def _record_view(record: ServiceRecord, sealed: bool) -> ServiceRecordView:
    return ServiceRecordView(
        id=record.id,
        organisation_id=record.organisation_id,
        person_id=record.person_id,
        device_id=record.device_id,
        ticket_id=record.ticket_id,
        technician_id=record.technician_id,
        visited_on=record.visited_on,
        work_done=record.work_done if sealed else None,
        next_due_on=record.next_due_on,
        created_at=record.created_at,
    )


def _record_views(rows: list[ServiceRecord], readable: set[str]) -> list[ServiceRecordView]:
    return [_record_view(r, r.id in readable) for r in rows]


def _customer_records(session: Session, actor: Actor) -> ColumnElement[bool]:
    return or_(
        ServiceRecord.organisation_id.in_(organisations_of(session, actor.person_id)),
        ServiceRecord.person_id == actor.person_id,
    )


def _record_owner(session: Session, actor: Actor, record_id: str) -> tuple[str, str]:
    query = select(ServiceRecord.id, ServiceRecord.owner_id).where(ServiceRecord.id == record_id)
    if is_customer(actor):
        query = query.where(_customer_records(session, actor))
    return table.found(session, query, "service record")


def _read_record(session: Session, actor: Actor, record_id: str) -> ServiceRecordView:
    found = _record_owner(session, actor, record_id)
    return _record_view(
        table.opened(session, actor, ServiceRecord, found, ["work_done"]), sealed=True
    )


def _check_technician(session: Session, technician_id: str | None) -> None:
    if technician_id is None:
        return
    role = session.scalar(select(Account.role).where(Account.id == technician_id))
    if role not in roles_of(session, SUPPORT):
        raise Invalid("The technician is the account id of an agent or an admin.")


def _check_ticket(session: Session, ticket_id: int | None) -> None:
    if ticket_id is not None and not exists(session, Ticket, ticket_id):
        raise Invalid("There is no ticket with this number.")


def _check_dates(visited_on: date, next_due_on: date | None) -> None:
    if next_due_on is not None and next_due_on < visited_on:
        raise Invalid("The next due date cannot come before the visit.")


@_inventory
def create_service_record(
    session: Session,
    actor: Actor,
    *,
    visited_on: date,
    work_done: str | None = None,
    next_due_on: date | None = None,
    device_id: str | None = None,
    ticket_id: int | None = None,
    technician_id: str | None = None,
    organisation_id: str | None = None,
    person_id: str | None = None,
) -> ServiceRecordView:
    """A visit or piece of work, on a device (whose owner it then belongs to) or for an
    organisation or a person. The technician defaults to the actor."""
    check_role(session, actor, "add service records", SUPPORT)
    work_done = _text(work_done, "work done", 10_000)
    _check_dates(visited_on, next_due_on)
    if device_id is not None:
        found = session.execute(
            select(Device.owner_id, Device.organisation_id, Device.person_id).where(
                Device.id == device_id
            )
        ).one_or_none()
        if found is None:
            raise Invalid("There is no device with this id.")
        if (organisation_id, person_id) not in {
            (None, None),
            (found.organisation_id, found.person_id),
        }:
            raise Invalid("A service record on a device belongs to the device's owner.")
        owner_id, organisation_id, person_id = (
            found.owner_id,
            found.organisation_id,
            found.person_id,
        )
    else:
        if (organisation_id is None) == (person_id is None):
            raise Invalid(
                "A service record is for a device, an organisation or a person: give one."
            )
        if organisation_id is not None and not exists(session, Organisation, organisation_id):
            raise Invalid("There is no organisation with this id.")
        if person_id is not None and not people_among(session, [person_id]):
            raise Invalid("There is no person with this id.")
        owner_id = organisation_id or person_id
    if owner_id is None:
        raise Invalid("A service record is for an organisation or a person: give one of them.")
    technician_id = technician_id or actor.account_id
    _check_technician(session, technician_id)
    _check_ticket(session, ticket_id)
    table.gate_row(
        session, actor, ServiceRecord, owner_id, ["work_done"] if work_done else [], action="create"
    )
    record = ServiceRecord(
        id=new_id(),
        owner_id=owner_id,
        organisation_id=organisation_id,
        person_id=person_id,
        device_id=device_id,
        ticket_id=ticket_id,
        technician_id=technician_id,
        visited_on=visited_on,
        work_done=work_done,
        next_due_on=next_due_on,
        created_at=clock.now(),
    )
    session.add(record)
    return table.committed(session, actor, _read_record, record.id)


@_inventory
def list_service_records(
    session: Session,
    actor: Actor,
    *,
    device_id: str | None = None,
    organisation_id: str | None = None,
    person_id: str | None = None,
    ticket_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ServiceRecordView]:
    """Service history, latest visit first. Customers see their organisations' and their own."""
    check_role(session, actor, "read service records", purpose_for(actor))
    check_paging(offset, limit)
    query = select(ServiceRecord.id, ServiceRecord.owner_id)
    if is_customer(actor):
        query = query.where(_customer_records(session, actor))
    if device_id:
        query = query.where(ServiceRecord.device_id == device_id)
    if organisation_id:
        query = query.where(ServiceRecord.organisation_id == organisation_id)
    if person_id:
        query = query.where(ServiceRecord.person_id == person_id)
    if ticket_id is not None:
        query = query.where(ServiceRecord.ticket_id == ticket_id)
    query = query.order_by(ServiceRecord.visited_on.desc(), ServiceRecord.id.desc())
    return table.page(
        session, actor, ServiceRecord, query, ["work_done"], _record_views, offset, limit
    )


@_inventory
def get_service_record(session: Session, actor: Actor, record_id: str) -> ServiceRecordView:
    check_role(session, actor, "read service records", purpose_for(actor))
    return table.committed(session, actor, _read_record, record_id)


@_inventory
def update_service_record(
    session: Session, actor: Actor, record_id: str, changes: Mapping[str, Any]
) -> ServiceRecordView:
    """Change the visit date, work done, next due date, technician or ticket (None clears
    the optional ones). Its device and owner stay."""
    check_role(session, actor, "change service records", SUPPORT)
    only_changes(changes, RECORD_CHANGES, "a service record")
    if "visited_on" in changes and changes["visited_on"] is None:
        raise Invalid("A service record needs the date of the visit.")
    record_id, owner_id = _record_owner(session, actor, record_id)
    if "work_done" in changes:
        table.gate_row(session, actor, ServiceRecord, owner_id, ["work_done"], action="update")
    record = session.get(ServiceRecord, record_id)
    if record is None:
        raise NotFound("There is no such service record.")
    if "technician_id" in changes:
        _check_technician(session, changes["technician_id"])
        record.technician_id = changes["technician_id"]
    if "ticket_id" in changes:
        _check_ticket(session, changes["ticket_id"])
        record.ticket_id = changes["ticket_id"]
    if "work_done" in changes:
        record.work_done = _text(changes["work_done"], "work done", 10_000)
    record.visited_on = changes.get("visited_on", record.visited_on)
    record.next_due_on = changes.get("next_due_on", record.next_due_on)
    _check_dates(record.visited_on, record.next_due_on)
    return table.committed(session, actor, _read_record, record_id)


@_inventory
def delete_service_record(session: Session, actor: Actor, record_id: str) -> None:
    check_role(session, actor, "delete service records", SUPPORT)
    table.delete_row(
        session, actor, ServiceRecord, _record_owner(session, actor, record_id), ["work_done"]
    )
