"""Devices and assets, their telemetry, service records and maintenance schedules.

A device belongs to an organisation or to a person who is a customer alone; its sealed
columns, and those of its telemetry and schedules, are sealed under that owner's key
(`owner_id`). Agents and admins manage all of it for support; customers read what belongs to
their organisations or to themselves, for the service, and get 404 for anything else.

Deleting a device deletes its telemetry and schedules; service records (and warranty
claims) keep their history with the device left out (`device_id` set to null).

Top-level functions own their transaction: they commit at their end.
"""

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from steward.access.gate import check_role
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
    organisations_of,
    purpose_for,
)
from steward.desk.models import (
    DEVICE_TYPES,
    Device,
    MaintenanceSchedule,
    Membership,
    Organisation,
    ServiceRecord,
    Telemetry,
    WarrantyClaim,
)
from steward.policy.active import policy_of
from steward.policy.serviceable import keeps_devices


class NoInventory(NotFound):
    """The policy keeps no device inventory: nothing here, said plainly (not a refusal)."""

    title = "No device inventory"


NO_INVENTORY = "This business does not keep a device inventory under its privacy policy."
P = ParamSpec("P")
R = TypeVar("R")


def inventory_kept(session: Session) -> bool:
    """Whether the active policy keeps a device inventory its agents work with."""
    return keeps_devices(policy_of(session))


def _inventory(work: Callable[P, R]) -> Callable[P, R]:
    """Answer NoInventory before anything is looked up, where the policy keeps no devices."""

    @functools.wraps(work)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs["session"] if "session" in kwargs else args[0]
        if isinstance(session, Session) and not inventory_kept(session):
            raise NoInventory(NO_INVENTORY)
        return work(*args, **kwargs)

    return guarded


V = TypeVar("V")
DEVICE_SEALED = ("serial_number", "ip_address", "mac_address", "hostname", "configuration")
DEVICE_FIELDS = (
    "type",
    "make",
    "model",
    "operating_system",
    "assigned_to_id",
    "retired",
    *DEVICE_SEALED,
)
# A device's type as a person reads it.
TYPE_NAMES = {
    "printer": "Printer",
    "generator": "Generator",
    "workstation": "Workstation",
    "server": "Server",
    "network_device": "Network device",
}
RECORD_CHANGES = ("next_due_on", "technician_id", "ticket_id", "visited_on", "work_done")
SCHEDULE_CHANGES = ("interval_days", "next_due_on", "preferred_times")
MAX_READINGS = 1000
MAX_PAYLOAD_BYTES = 16_384
_MAC = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$|^[0-9a-f]{12}$")
_MAC_DOTTED = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class DeviceView:
    id: str
    type: str
    make: str | None
    model: str | None
    serial_number: str | None  # sealed columns are None when the gate does not allow them
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


@dataclass(frozen=True)
class Reading:
    """One telemetry reading to add: its kind, a JSON object, and when it was taken."""

    kind: str
    payload: Mapping[str, Any]
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class TelemetryView:
    id: str
    device_id: str
    kind: str
    recorded_at: datetime
    payload: dict[str, Any] | None  # None once the owner's key is destroyed


@dataclass(frozen=True)
class ServiceRecordView:
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


def overdue_since(records: Iterable[ServiceRecordView], today: date) -> date | None:
    """When the device's service fell due, if it has and no visit came since: the next due
    date of its latest visit, once passed."""
    latest = max(records, key=lambda r: (r.visited_on, r.created_at), default=None)
    if latest is None or latest.next_due_on is None or latest.next_due_on >= today:
        return None
    return latest.next_due_on


@dataclass(frozen=True)
class ScheduleView:
    id: str
    device_id: str
    interval_days: int
    next_due_on: date
    preferred_times: str | None
    created_at: datetime


# Validation -----------------------------------------------------------------------------


def _text(value: object, what: str, most: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"The {what} is text.")
    value = value.strip()
    if len(value) > most:
        raise Invalid(f"The {what} has at most {most} characters.")
    return value or None


def _ip(value: object) -> str | None:
    text = _text(value, "IP address", 45)
    if text is None:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise Invalid("This is not an IP address (such as 192.0.2.10 or 2001:db8::1).") from None


def _mac(value: object) -> str | None:
    text = _text(value, "MAC address", 17)
    if text is None:
        return None
    text = text.lower()
    if not (_MAC.match(text) or _MAC_DOTTED.match(text)):
        raise Invalid("This is not a MAC address (such as 00:1a:2b:3c:4d:5e).")
    digits = re.sub(r"[^0-9a-f]", "", text)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _hostname(value: object) -> str | None:
    text = _text(value, "hostname", 253)
    if text is None:
        return None
    text = text.lower().rstrip(".")
    if not text or not all(_HOST_LABEL.match(label) for label in text.split(".")):
        raise Invalid("This is not a hostname (letters, digits and hyphens, parts split by dots).")
    return text


def _type(value: object) -> str:
    if value not in DEVICE_TYPES:
        raise Invalid(f"A device's type is one of: {', '.join(DEVICE_TYPES)}.")
    return str(value)


_CLEAN: dict[str, Any] = {
    "type": _type,
    "make": lambda v: _text(v, "make", 100),
    "model": lambda v: _text(v, "model", 100),
    "operating_system": lambda v: _text(v, "operating system", 100),
    "serial_number": lambda v: _text(v, "serial number", 100),
    "ip_address": _ip,
    "mac_address": _mac,
    "hostname": _hostname,
    "configuration": lambda v: _text(v, "configuration notes", 10_000),
}


def _check_assignee(
    session: Session, assigned_to_id: str | None, organisation_id: str | None
) -> None:
    """The user a device is assigned to exists and, for an organisation's device, belongs
    to that organisation."""
    if assigned_to_id is None:
        return
    if not people_among(session, [assigned_to_id]):
        raise Invalid("There is no person with the id given as the assigned user.")
    if organisation_id is not None and not session.scalar(
        select(Membership.id).where(
            Membership.organisation_id == organisation_id, Membership.person_id == assigned_to_id
        )
    ):
        raise Invalid("An organisation's device is assigned only to a member of it.")


# Devices --------------------------------------------------------------------------------


def _customer_devices(session: Session, actor: Actor) -> ColumnElement[bool]:
    """A customer's devices: their organisations' and their own."""
    return or_(
        Device.organisation_id.in_(organisations_of(session, actor.person_id)),
        Device.person_id == actor.person_id,
    )


def _device_owner(session: Session, actor: Actor, device_id: str) -> tuple[str, str]:
    """(device id, owner id) of a device the actor may see, found without opening it."""
    query = select(Device.id, Device.owner_id).where(Device.id == device_id)
    if is_customer(actor):
        query = query.where(_customer_devices(session, actor))
    return table.found(session, query, "device")


def _device_view(device: Device, organisation_name: str | None, sealed: bool) -> DeviceView:
    def shown(column: str) -> str | None:
        return getattr(device, column) if sealed else None

    return DeviceView(
        id=device.id,
        type=device.type,
        make=device.make,
        model=device.model,
        serial_number=shown("serial_number"),
        ip_address=shown("ip_address"),
        mac_address=shown("mac_address"),
        hostname=shown("hostname"),
        operating_system=device.operating_system,
        configuration=shown("configuration"),
        organisation_id=device.organisation_id,
        organisation_name=organisation_name,
        person_id=device.person_id,
        assigned_to_id=device.assigned_to_id,
        created_at=device.created_at,
        retired_at=device.retired_at,
    )


def _organisation_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return {r.id: r.name for r in rows}


def _read_device(session: Session, actor: Actor, device_id: str) -> DeviceView:
    found = _device_owner(session, actor, device_id)
    device = table.opened(session, actor, Device, found, DEVICE_SEALED)
    names = _organisation_names(session, [device.organisation_id])
    return _device_view(device, names.get(device.organisation_id or ""), sealed=True)


@_inventory
def create_device(
    session: Session,
    actor: Actor,
    *,
    type: str,
    organisation_id: str | None = None,
    person_id: str | None = None,
    assigned_to_id: str | None = None,
    **fields: str | None,
) -> DeviceView:
    """A device owned by an organisation or by one person (exactly one of the two), with
    make, model, operating system and the sealed serial number, IP and MAC address,
    hostname and configuration notes (refused if they hold a card number, D4)."""
    check_role(session, actor, "add devices", SUPPORT)
    unknown = set(fields) - set(_CLEAN)
    if unknown:
        raise Invalid(f"A device has no field {', '.join(sorted(unknown))}.")
    if (organisation_id is None) == (person_id is None):
        raise Invalid("A device belongs to an organisation or to a person: give one of the two.")
    if organisation_id is not None and not exists(session, Organisation, organisation_id):
        raise Invalid("There is no organisation with this id.")
    if person_id is not None and not people_among(session, [person_id]):
        raise Invalid("There is no person with this id.")
    _check_assignee(session, assigned_to_id, organisation_id)
    values = {
        column: clean(fields.get(column)) for column, clean in _CLEAN.items() if column != "type"
    }
    owner_id = organisation_id or person_id
    if owner_id is None:
        raise Invalid("A device belongs to an organisation or to a person: give one of them.")
    sealed = [c for c in DEVICE_SEALED if values.get(c) is not None]
    table.gate_row(session, actor, Device, owner_id, sealed, action="create")
    device = Device(
        id=new_id(),
        owner_id=owner_id,
        organisation_id=organisation_id,
        person_id=person_id,
        assigned_to_id=assigned_to_id,
        type=_type(type),
        created_at=clock.now(),
        **values,
    )
    session.add(device)
    # D4: a card number in any field is refused at the flush, before anything is kept
    return table.committed(session, actor, _read_device, device.id)


@_inventory
def list_devices(
    session: Session,
    actor: Actor,
    *,
    organisation_id: str | None = None,
    person_id: str | None = None,
    assigned_to_id: str | None = None,
    type: str | None = None,
    text: str | None = None,
    include_retired: bool = True,
    offset: int = 0,
    limit: int = 50,
) -> Page[DeviceView]:
    """Devices, newest first, filtered by owner, assigned user, type, or `text` within make,
    model or operating system. Customers see their organisations' devices and their own."""
    check_role(session, actor, "list devices", purpose_for(actor))
    check_paging(offset, limit)
    query = select(Device.id, Device.owner_id)
    if is_customer(actor):
        query = query.where(_customer_devices(session, actor))
    if organisation_id:
        query = query.where(Device.organisation_id == organisation_id)
    if person_id:
        query = query.where(Device.person_id == person_id)
    if assigned_to_id:
        query = query.where(Device.assigned_to_id == assigned_to_id)
    if type:
        query = query.where(Device.type == _type(type))
    if text and text.strip():
        query = query.where(
            or_(
                *(
                    column.icontains(text.strip(), autoescape=True)
                    for column in (Device.make, Device.model, Device.operating_system)
                )
            )
        )
    if not include_retired:
        query = query.where(Device.retired_at.is_(None))
    query = query.order_by(Device.created_at.desc(), Device.id.desc())

    def views(rows: list[Device], readable: set[str]) -> list[DeviceView]:
        names = _organisation_names(session, [d.organisation_id for d in rows])
        return [_device_view(d, names.get(d.organisation_id or ""), d.id in readable) for d in rows]

    return table.page(session, actor, Device, query, DEVICE_SEALED, views, offset, limit)


@_inventory
def get_device(session: Session, actor: Actor, device_id: str) -> DeviceView:
    check_role(session, actor, "read devices", purpose_for(actor))
    return table.committed(session, actor, _read_device, device_id)


@_inventory
def update_device(
    session: Session, actor: Actor, device_id: str, changes: Mapping[str, object]
) -> DeviceView:
    """Change any field but the owner (a device moves to another owner by being added
    anew); `retired` true or false retires or returns it; None clears a field."""
    check_role(session, actor, "change devices", SUPPORT)
    unknown = set(changes) - set(DEVICE_FIELDS)
    if unknown:
        raise Invalid(
            f"These fields of a device can be changed: {', '.join(DEVICE_FIELDS)}; "
            "its owner cannot."
        )
    values = {c: _CLEAN[c](v) for c, v in changes.items() if c in _CLEAN}
    device_id, owner_id = _device_owner(session, actor, device_id)
    table.gate_row(
        session, actor, Device, owner_id, [c for c in DEVICE_SEALED if c in values], action="update"
    )
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("There is no such device.")
    if "assigned_to_id" in changes:
        assignee = changes["assigned_to_id"]
        if assignee is not None and not isinstance(assignee, str):
            raise Invalid("The assigned user is a person's id.")
        _check_assignee(session, assignee, device.organisation_id)
        device.assigned_to_id = assignee
    if "retired" in changes:
        if not isinstance(changes["retired"], bool):
            raise Invalid("Retired is true or false.")
        if not changes["retired"]:
            device.retired_at = None
        elif device.retired_at is None:
            device.retired_at = clock.now()
    for column, value in values.items():
        setattr(device, column, value)
    return table.committed(session, actor, _read_device, device_id)


@_inventory
def delete_device(session: Session, actor: Actor, device_id: str) -> None:
    """Delete the device with its telemetry and maintenance schedules. Service records and
    warranty claims stay, with the device left out of them."""
    check_role(session, actor, "delete devices", SUPPORT)
    device_id, owner_id = _device_owner(session, actor, device_id)
    held = table.held(session, Device, device_id, DEVICE_SEALED)
    table.gate_row(session, actor, Device, owner_id, held, action="delete")
    kinds = session.scalars(
        select(Telemetry.kind).where(Telemetry.device_id == device_id).distinct()
    ).all()
    table.gate_row(session, actor, Telemetry, owner_id, sorted(kinds), action="delete")
    if session.scalar(
        select(MaintenanceSchedule.id)
        .where(
            MaintenanceSchedule.device_id == device_id,
            MaintenanceSchedule.preferred_times.is_not(None),
        )
        .limit(1)
    ):
        table.gate_row(
            session, actor, MaintenanceSchedule, owner_id, ["preferred_times"], action="delete"
        )
    session.execute(delete(Telemetry).where(Telemetry.device_id == device_id))
    session.execute(delete(MaintenanceSchedule).where(MaintenanceSchedule.device_id == device_id))
    for model in (ServiceRecord, WarrantyClaim):
        session.execute(update(model).where(model.device_id == device_id).values(device_id=None))
    session.execute(delete(Device).where(Device.id == device_id))
    session.commit()
