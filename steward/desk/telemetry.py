"""Telemetry of devices: readings sent by or about a device, sealed under its owner's key
and read back by page, newest first. Top-level functions own their transaction."""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.desk import table
from steward.desk.common import (
    SUPPORT,
    Page,
    check_paging,
    load_rows,
    page_of,
    purpose_for,
)
from steward.desk.devices import (
    MAX_PAYLOAD_BYTES,
    MAX_READINGS,
    Reading,
    TelemetryView,
    _device_owner,
    _inventory,
)
from steward.desk.models import (
    TELEMETRY_KINDS,
    Telemetry,
)


def _payload(reading: Reading) -> str:
    if not isinstance(reading.payload, Mapping):
        raise Invalid("A reading's payload is a JSON object.")
    try:
        text = json.dumps(reading.payload, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError):
        raise Invalid("A reading's payload is a JSON object.") from None
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise Invalid(f"A reading's payload has at most {MAX_PAYLOAD_BYTES} bytes of JSON.")
    return text


def _telemetry_view(row: Telemetry) -> TelemetryView:
    value = getattr(row, row.kind)
    payload = json.loads(value) if isinstance(value, str) and value.startswith("{") else None
    return TelemetryView(
        id=row.id,
        device_id=row.device_id,
        kind=row.kind,
        recorded_at=row.recorded_at,
        payload=payload,
    )


@_inventory
def add_telemetry(
    session: Session, actor: Actor, device_id: str, readings: Sequence[Reading]
) -> list[TelemetryView]:
    """Add one reading or a batch (at most 1,000) in one transaction: all or none. Each kind
    goes to its own sealed column: runtime (generator runtime logs), print_job (print-job
    metadata), diagnostic (diagnostic logs)."""
    check_role(session, actor, "add telemetry", SUPPORT)
    if not 1 <= len(readings) <= MAX_READINGS:
        raise Invalid(f"Send between 1 and {MAX_READINGS} readings at a time.")
    now = clock.now()
    for reading in readings:
        if reading.kind not in TELEMETRY_KINDS:
            raise Invalid(f"A reading's kind is one of: {', '.join(TELEMETRY_KINDS)}.")
        if reading.recorded_at is not None and reading.recorded_at.tzinfo is None:
            raise Invalid("Give each reading's time with its time zone (Z for UTC).")
    payloads = [_payload(r) for r in readings]
    device_id, owner_id = _device_owner(session, actor, device_id)
    kinds = sorted({r.kind for r in readings})
    table.gate_row(session, actor, Telemetry, owner_id, kinds, action="create")
    rows = [
        Telemetry(
            id=new_id(),
            device_id=device_id,
            owner_id=owner_id,
            kind=reading.kind,
            recorded_at=reading.recorded_at or now,
            **{reading.kind: payload},
        )
        for reading, payload in zip(readings, payloads, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    views = [_telemetry_view(row) for row in rows]
    session.commit()
    return views


@_inventory
def list_telemetry(
    session: Session,
    actor: Actor,
    device_id: str,
    *,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Page[TelemetryView]:
    """A device's readings, newest first, optionally of one kind and from `since` (included)
    until `until` (excluded)."""
    check_role(session, actor, "read telemetry", purpose_for(actor))
    check_paging(offset, limit, most=1000)
    if kind is not None and kind not in TELEMETRY_KINDS:
        raise Invalid(f"A reading's kind is one of: {', '.join(TELEMETRY_KINDS)}.")
    for moment in (since, until):
        if moment is not None and moment.tzinfo is None:
            raise Invalid("Give times with their time zone (Z for UTC).")
    device_id, owner_id = _device_owner(session, actor, device_id)
    query = select(Telemetry.id, Telemetry.kind).where(Telemetry.device_id == device_id)
    if kind:
        query = query.where(Telemetry.kind == kind)
    if since:
        query = query.where(Telemetry.recorded_at >= since)
    if until:
        query = query.where(Telemetry.recorded_at < until)
    found = session.execute(
        query.order_by(Telemetry.recorded_at.desc(), Telemetry.id.desc())
        .offset(offset)
        .limit(limit + 1)
    ).all()
    page = page_of(found, offset, limit)
    table.gate_row(session, actor, Telemetry, owner_id, sorted({r.kind for r in page.items}))
    ids = [r.id for r in page.items]
    rows = load_rows(session, Telemetry, ids, ids)
    views = [_telemetry_view(row) for row in rows]
    session.commit()
    return Page(items=views, next_offset=page.next_offset)
