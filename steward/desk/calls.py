"""Phone calls and their recordings (D6).

Agents and admins log calls: who called (a person), the number in E.164, the direction, when
and how long, whether the caller heard that calls are recorded, notes, and optionally the
ticket the call was about. Customers see their own calls' details, never a recording.

A recording is kept only when the call records that the notice was played. The agent hands
it over but cannot read it back: it is written under the storage purpose, and only the few
roles the policy gives the quality purpose may listen, for the quality purpose, each listen audited. Its
category, user.communications.call_recording, carries its own retention (three months in the
Houston policy), counted from `CallRecording.created_at`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.access.gate import STORAGE, check, check_role
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, DomainError, Invalid, NotFound
from steward.core.settings import Settings
from steward.desk import table
from steward.desk.common import (
    ADMINISTRATION,
    QUALITY,
    SUPPORT,
    Page,
    check_paging,
    gate_person,
    is_customer,
    normalise_phone,
    organisations_of,
    page_of,
    purpose_for,
)
from steward.desk.models import DIRECTIONS, Call, CallRecording, Ticket
from steward.desk.people import names
from steward.identity.common import categories, state_of
from steward.identity.models import Person
from steward.policy.active import policy_of
from steward.policy.serviceable import RECORDING, records_calls
from steward.vault import files

RECORDINGS = "recordings"  # the files.py kind of call recordings
RECORDING_CATEGORY = RECORDING
NOT_RECORDED = "This business does not record calls under its privacy policy."
MAX_RECORDING_BYTES = 50 * 1024 * 1024
MAX_NOTES = 4000
STAFF_COLUMNS = ("number", "notes")
CUSTOMER_COLUMNS = ("number",)  # agents' notes are their working notes, like internal notes
NOT_WITHOUT_NOTICE = (
    "Recording without the notice is not allowed: this call does not record that the caller "
    "was told calls are recorded, so no recording of it can be kept."
)


class TooLarge(DomainError):
    status = 413
    title = "Too large"


@dataclass(frozen=True)
class CallFilter:
    person_id: str | None = None
    ticket_id: int | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None


@dataclass(frozen=True)
class CallView:
    id: str
    person_id: str
    person_name: str | None  # staff only
    ticket_id: int | None
    agent_id: str | None
    number: str | None  # None when the actor may not read it
    direction: str
    started_at: datetime
    duration_seconds: int
    recording_notice_played: bool
    notes: str | None  # staff only
    has_recording: bool


@dataclass(frozen=True)
class RecordingSummary:
    """A recording as the reviewers' list shows it: nothing about the caller (no number, no
    notes, no name), so listing needs no sealed read."""

    id: str
    call_id: str
    call_started_at: datetime
    duration_seconds: int
    direction: str
    content_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True)
class RecordingInfo:
    id: str
    call_id: str
    content_type: str
    size: int
    created_at: datetime


# Checks shared with remote.py and billing.py: the things a record may point at.


def aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise Invalid(f"Give {what} with its timezone, like 2026-11-02T09:30:00Z.")
    return moment


def require_person(session: Session, person_id: str) -> None:
    if session.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise Invalid("There is no such person.")


def require_ticket_of(session: Session, ticket_id: int, person_id: str) -> None:
    """The ticket exists and is the person's: theirs, about them, or their organisation's."""
    ticket = session.execute(
        select(Ticket.requester_id, Ticket.about_id, Ticket.organisation_id).where(
            Ticket.id == ticket_id
        )
    ).one_or_none()
    if ticket is None:
        raise Invalid(f"There is no ticket {ticket_id}.")
    if person_id not in (ticket.requester_id, ticket.about_id) and (
        ticket.organisation_id not in organisations_of(session, person_id)
    ):
        raise Invalid(f"Ticket {ticket_id} is not this person's.")


def _recorded_call_ids(session: Session, call_ids: list[str]) -> set[str]:
    if not call_ids:
        return set()
    query = select(CallRecording.call_id).where(CallRecording.call_id.in_(call_ids))
    return set(session.scalars(query))


def _views(session: Session, actor: Actor, calls: list[Call], readable: set[str]) -> list[CallView]:
    customer = is_customer(actor)
    who = {} if customer else names(session, actor, [c.person_id for c in calls])
    recorded = _recorded_call_ids(session, [c.id for c in calls])
    return [
        CallView(
            id=c.id,
            person_id=c.person_id,
            person_name=who.get(c.person_id),
            ticket_id=c.ticket_id,
            agent_id=c.agent_id,
            number=c.number if c.id in readable else None,
            direction=c.direction,
            started_at=c.started_at,
            duration_seconds=c.duration_seconds,
            recording_notice_played=c.recording_notice_played,
            notes=c.notes if c.id in readable and not customer else None,
            has_recording=c.id in recorded,
        )
        for c in calls
    ]


def _columns(actor: Actor) -> tuple[str, ...]:
    return CUSTOMER_COLUMNS if is_customer(actor) else STAFF_COLUMNS


def _owner(session: Session, actor: Actor, call_id: str) -> str:
    """The caller of a call the actor may see; customers see only their own (404 else)."""
    person_id = session.scalar(select(Call.person_id).where(Call.id == call_id))
    if person_id is None or (is_customer(actor) and person_id != actor.person_id):
        raise NotFound("There is no such call.")
    return person_id


def _load(session: Session, actor: Actor, call_id: str, *, action: str = "read") -> Call:
    """Check with the gate, then load the call."""
    person_id = _owner(session, actor, call_id)
    gate_person(session, actor, Call, person_id, _columns(actor), action=action)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("There is no such call.")
    return call


def _notes(notes: str | None) -> str | None:
    if notes is not None and len(notes) > MAX_NOTES:
        raise Invalid(f"Call notes may be at most {MAX_NOTES:,} characters.")
    return (notes or "").strip() or None


def log_call(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    number: str,
    direction: str,
    duration_seconds: int,
    recording_notice_played: bool,
    started_at: datetime | None = None,
    ticket_id: int | None = None,
    notes: str | None = None,
) -> CallView:
    """Log a call taken or made by the acting agent."""
    check_role(session, actor, "log calls", SUPPORT)
    if direction not in DIRECTIONS:
        raise Invalid(f"A call's direction is one of: {', '.join(DIRECTIONS)}.")
    if duration_seconds < 0:
        raise Invalid("A call's duration cannot be negative.")
    started_at = aware(started_at, "the start") if started_at else clock.now()
    require_person(session, person_id)
    if ticket_id is not None:
        require_ticket_of(session, ticket_id, person_id)
    normalised = normalise_phone(session, number)
    if normalised is None:
        raise Invalid("Give the number of the call.")
    gate_person(session, actor, Call, person_id, STAFF_COLUMNS, action="create")
    call = Call(
        person_id=person_id,
        ticket_id=ticket_id,
        agent_id=actor.account_id,
        number=normalised,
        direction=direction,
        started_at=started_at,
        duration_seconds=duration_seconds,
        recording_notice_played=recording_notice_played,
        notes=_notes(notes),
    )
    session.add(call)
    session.flush()
    view = _views(session, actor, [call], {call.id})[0]
    session.commit()
    return view


def list_calls(
    session: Session, actor: Actor, filters: CallFilter, offset: int = 0, limit: int = 50
) -> Page[CallView]:
    """Calls, newest first; a customer's own only."""
    check_role(session, actor, "see calls", purpose_for(actor))
    query = select(Call.id, Call.person_id.label("owner_id"))
    if is_customer(actor):
        query = query.where(Call.person_id == actor.person_id)
    if filters.person_id:
        query = query.where(Call.person_id == filters.person_id)
    if filters.ticket_id is not None:
        query = query.where(Call.ticket_id == filters.ticket_id)
    if filters.started_from:
        query = query.where(Call.started_at >= aware(filters.started_from, "the range's start"))
    if filters.started_to:
        query = query.where(Call.started_at < aware(filters.started_to, "the range's end"))
    query = query.order_by(Call.started_at.desc(), Call.id.desc())

    def views(rows: list[Call], readable: set[str]) -> list[CallView]:
        return _views(session, actor, rows, readable)

    return table.page(session, actor, Call, query, _columns(actor), views, offset, limit)


def get_call(session: Session, actor: Actor, call_id: str) -> CallView:
    check_role(session, actor, "see calls", purpose_for(actor))
    call = _load(session, actor, call_id)
    view = _views(session, actor, [call], {call.id})[0]
    session.commit()
    return view


UPDATABLE = ("notes", "ticket_id")


def update_call(session: Session, actor: Actor, call_id: str, changes: dict[str, Any]) -> CallView:
    """Change a call's notes or its ticket (None clears either)."""
    check_role(session, actor, "change calls", SUPPORT)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise Invalid(f"Only these fields of a call can be changed: {', '.join(UPDATABLE)}.")
    call = _load(session, actor, call_id, action="update")
    if changes.get("ticket_id") is not None:
        require_ticket_of(session, changes["ticket_id"], call.person_id)
    if "ticket_id" in changes:
        call.ticket_id = changes["ticket_id"]
    if "notes" in changes:
        call.notes = _notes(changes["notes"])
    session.flush()
    view = _views(session, actor, [call], {call.id})[0]
    session.commit()
    return view


def delete_call(session: Session, settings: Settings, actor: Actor, call_id: str) -> None:
    """Delete a call and its recording, the file included."""
    check_role(session, actor, "delete calls", ADMINISTRATION)
    person_id = _owner(session, actor, call_id)
    gate_person(session, actor, Call, person_id, STAFF_COLUMNS, action="delete")
    recording_id = session.scalar(select(CallRecording.id).where(CallRecording.call_id == call_id))
    if recording_id is not None:
        _gate_recording(session, actor, person_id, STORAGE, "delete")
        session.execute(delete(CallRecording).where(CallRecording.id == recording_id))
    session.execute(delete(Call).where(Call.id == call_id))
    session.commit()
    if recording_id is not None:
        files.remove(settings.files_dir, RECORDINGS, recording_id)


def _gate_recording(
    session: Session, actor: Actor, person_id: str, purpose: str, action: str
) -> None:
    check(
        session,
        actor,
        purpose,
        state_of(session, person_id),
        categories(CallRecording, ["filename"]),
        action=action,
        columns=["filename"],
    )


def keepable_recording(notice_played: bool, content_type: str, data: bytes) -> str:
    """The recording's content type when it may be kept: the caller heard the recording
    notice (D6), it is audio, not empty and not too large; else the reason, as an error."""
    if not notice_played:
        raise Invalid(NOT_WITHOUT_NOTICE)
    content_type = content_type.split(";")[0].strip().lower()
    if not content_type.startswith("audio/") or len(content_type) > 100:
        raise Invalid("A call recording must be audio (a content type starting with audio/).")
    if not data:
        raise Invalid("The recording is empty.")
    if len(data) > MAX_RECORDING_BYTES:
        raise TooLarge(f"A recording may be at most {MAX_RECORDING_BYTES // 1024 // 1024} MB.")
    return content_type


def store_recording(
    session: Session,
    settings: Settings,
    actor: Actor,
    call_id: str,
    *,
    filename: str | None,
    content_type: str,
    data: bytes,
) -> RecordingInfo:
    """Keep the audio of a call whose caller heard the recording notice, encrypted under the
    caller's key. The agent hands it over for storage only: they cannot play it back."""
    check_role(session, actor, "hand over call recordings", SUPPORT)
    if not records_calls(policy_of(session)):
        raise Invalid(NOT_RECORDED)
    person_id = _owner(session, actor, call_id)
    notice = session.scalar(select(Call.recording_notice_played).where(Call.id == call_id))
    content_type = keepable_recording(bool(notice), content_type, data)
    if session.scalar(select(CallRecording.id).where(CallRecording.call_id == call_id)):
        raise Conflict("This call already has a recording; delete it first to replace it.")
    _gate_recording(session, actor, person_id, STORAGE, "write")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "recording"
    recording = CallRecording(
        call_id=call_id,
        owner_id=person_id,
        content_type=content_type,
        size=len(data),
        filename=name,
        created_at=clock.now(),
    )
    session.add(recording)
    session.flush()
    files.store(session, settings.files_dir, RECORDINGS, recording.id, person_id, data)
    try:
        session.commit()
    except Exception:
        files.remove(settings.files_dir, RECORDINGS, recording.id)
        raise
    return RecordingInfo(
        id=recording.id,
        call_id=call_id,
        content_type=content_type,
        size=recording.size,
        created_at=recording.created_at,
    )


def _recording_owner(session: Session, call_id: str) -> tuple[str, str]:
    row = session.execute(
        select(CallRecording.id, CallRecording.owner_id).where(CallRecording.call_id == call_id)
    ).one_or_none()
    if row is None:
        raise NotFound("This call has no recording.")
    return row.id, row.owner_id


def read_recording(
    session: Session, settings: Settings, actor: Actor, call_id: str
) -> tuple[str, str, bytes]:
    """Listen to a recording: (filename, content type, audio). Only the roles that review
    calls, for the quality purpose; every listen is in the audit trail."""
    check_role(session, actor, "listen to call recordings", QUALITY)
    recording_id, person_id = _recording_owner(session, call_id)
    _gate_recording(session, actor, person_id, QUALITY, "listen")
    recording = session.get(CallRecording, recording_id)
    if recording is None:
        raise NotFound("This call has no recording.")
    data = files.load(session, settings.files_dir, RECORDINGS, recording_id, person_id)
    session.commit()
    return recording.filename or "recording", recording.content_type, data


def list_recordings(
    session: Session,
    actor: Actor,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[RecordingSummary]:
    """The kept recordings, newest call first, optionally of calls started in [since, until),
    so reviewers can find one to listen to. The listing itself is audited once."""
    check_role(session, actor, "list call recordings", QUALITY)
    check_paging(offset, limit)
    query = select(
        CallRecording.id,
        CallRecording.call_id,
        Call.started_at,
        Call.duration_seconds,
        Call.direction,
        CallRecording.content_type,
        CallRecording.size,
        CallRecording.created_at,
    ).join(Call, Call.id == CallRecording.call_id)
    if since:
        query = query.where(Call.started_at >= aware(since, "the range's start"))
    if until:
        query = query.where(Call.started_at < aware(until, "the range's end"))
    query = query.order_by(Call.started_at.desc(), CallRecording.id.desc())
    found = page_of(session.execute(query.offset(offset).limit(limit + 1)).all(), offset, limit)
    items = [
        RecordingSummary(
            id=r.id,
            call_id=r.call_id,
            call_started_at=r.started_at,
            duration_seconds=r.duration_seconds,
            direction=r.direction,
            content_type=r.content_type,
            size=r.size,
            created_at=r.created_at,
        )
        for r in found.items
    ]
    record(session, actor, "list", purpose=QUALITY)
    session.commit()
    return Page(items=items, next_offset=found.next_offset)


def delete_recording(session: Session, settings: Settings, actor: Actor, call_id: str) -> None:
    """Delete a recording, e.g. at the caller's request; the call's details stay."""
    check_role(session, actor, "delete call recordings", "privacy")
    recording_id, person_id = _recording_owner(session, call_id)
    _gate_recording(session, actor, person_id, QUALITY, "delete")
    session.execute(delete(CallRecording).where(CallRecording.id == recording_id))
    session.commit()
    files.remove(settings.files_dir, RECORDINGS, recording_id)
