"""What the desk takes in about devices, their service records and maintenance schedules:
the API's request bodies and the desk's forms alike, so both accept and refuse the same
input. The rules on how fields go together (one owner, the assignee a member) stay in the
services."""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from steward.core.inputs import Body

DeviceType = Literal["printer", "generator", "workstation", "server", "network_device"]
Id = Annotated[str, Field(max_length=36)]
Short = Annotated[str, Field(max_length=100)]
IpText = Annotated[str, Field(max_length=45)]
MacText = Annotated[str, Field(max_length=17)]
HostText = Annotated[str, Field(max_length=253)]
LongText = Annotated[str, Field(max_length=10_000)]
TimesText = Annotated[str, Field(max_length=500)]


class DeviceFields(Body):
    make: Short | None = None
    model: Short | None = None
    serial_number: Short | None = None
    ip_address: IpText | None = None
    mac_address: MacText | None = None
    hostname: HostText | None = None
    operating_system: Short | None = None
    configuration: LongText | None = None
    assigned_to_id: Id | None = None


class DeviceIn(DeviceFields):
    """Owned by an organisation or by one person: give exactly one of the two."""

    type: DeviceType
    organisation_id: Id | None = None
    person_id: Id | None = None


class DeviceChange(DeviceFields):
    type: DeviceType | None = None
    retired: bool | None = None


class ServiceRecordIn(Body):
    """On a device (it then belongs to the device's owner), or for an organisation or a
    person. The technician defaults to you."""

    visited_on: date
    work_done: LongText | None = None
    next_due_on: date | None = None
    device_id: Id | None = None
    ticket_id: int | None = None
    technician_id: Id | None = None
    organisation_id: Id | None = None
    person_id: Id | None = None


class ServiceRecordChange(Body):
    visited_on: date | None = None
    work_done: LongText | None = None
    next_due_on: date | None = None
    ticket_id: int | None = None
    technician_id: Id | None = None


class ScheduleIn(Body):
    device_id: Id
    interval_days: int = Field(ge=1, le=3650)
    next_due_on: date | None = None
    preferred_times: TimesText | None = None


class ScheduleChange(Body):
    interval_days: int | None = Field(None, ge=1, le=3650)
    next_due_on: date | None = None
    preferred_times: TimesText | None = None
