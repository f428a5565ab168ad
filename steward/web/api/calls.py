"""JSON API under /api/v1: calls, call recordings and remote-access sessions."""

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import AwareDatetime, BaseModel, Field

from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.inputs import Body
from steward.desk import calls, remote
from steward.web.auth import CurrentActor, SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["calls"], dependencies=[Depends(csrf_guard)])
DeskActor = Annotated[Actor, Depends(require_roles("agent", "admin"))]
AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
ReviewerActor = Annotated[Actor, Depends(require_roles("call_reviewer", "privacy_officer"))]
OfficerActor = Annotated[Actor, Depends(require_roles("privacy_officer"))]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]
Id = Annotated[str, Field(min_length=1, max_length=36)]
TicketId = Annotated[int, Field(ge=1)]


class CallIn(Body):
    person_id: Id
    number: str = Field(min_length=1, max_length=50)
    direction: Literal["inbound", "outbound"]
    started_at: AwareDatetime | None = None
    duration_seconds: int = Field(ge=0, le=7 * 24 * 3600)
    recording_notice_played: bool
    ticket_id: TicketId | None = None
    notes: str | None = Field(None, max_length=calls.MAX_NOTES)


class CallChangeIn(Body):
    notes: str | None = Field(None, max_length=calls.MAX_NOTES)
    ticket_id: TicketId | None = None


class CallOut(BaseModel):
    id: str
    person_id: str
    person_name: str | None
    ticket_id: int | None
    agent_id: str | None
    number: str | None
    direction: str
    started_at: datetime
    duration_seconds: int
    recording_notice_played: bool
    notes: str | None
    has_recording: bool


class CallPage(BaseModel):
    items: list[CallOut]
    next_offset: int | None


class RecordingOut(BaseModel):
    id: str
    call_id: str
    content_type: str
    size: int
    created_at: datetime


class RecordingSummaryOut(BaseModel):
    id: str
    call_id: str
    call_started_at: datetime
    duration_seconds: int
    direction: str
    content_type: str
    size: int
    created_at: datetime


class RecordingPage(BaseModel):
    items: list[RecordingSummaryOut]
    next_offset: int | None


class RemoteIn(Body):
    person_id: Id
    customer_consented: bool
    identifier_kind: Literal["username", "ip", "hostname", "alias"]
    identifier: str = Field(min_length=1, max_length=253)
    ticket_id: TicketId | None = None
    started_at: AwareDatetime | None = None


class RemoteChangeIn(Body):
    identifier_kind: Literal["username", "ip", "hostname", "alias"] | None = None
    identifier: str | None = Field(None, min_length=1, max_length=253)
    ticket_id: TicketId | None = None


class EndIn(Body):
    ended_at: AwareDatetime | None = None


class RemoteOut(BaseModel):
    id: str
    person_id: str
    person_name: str | None
    ticket_id: int | None
    technician_id: str
    consent_recorded_at: datetime
    identifier_kind: str
    identifier: str | None
    started_at: datetime
    ended_at: datetime | None


class RemotePage(BaseModel):
    items: list[RemoteOut]
    next_offset: int | None


def _call(view: calls.CallView) -> CallOut:
    return CallOut(**view.__dict__)


def _remote(view: remote.RemoteSessionView) -> RemoteOut:
    return RemoteOut(**view.__dict__)


async def refuse_recording(request: Request) -> None:
    """D5: say plainly why a recording is refused, rather than only naming an unknown field."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return
    try:
        body = await request.json()
    except ValueError:
        return
    if isinstance(body, dict) and any(
        str(key).lower().startswith("record") or "recording" in str(key).lower() for key in body
    ):
        raise Invalid(remote.NOT_RECORDED)


NeverRecorded = Annotated[None, Depends(refuse_recording)]


# Calls.


@router.post("/calls", status_code=201)
def log_call(body: CallIn, actor: DeskActor, session: SessionDep) -> CallOut:
    """Log a call; the number is stored in E.164 (a number without a country code is read
    as the business's country)."""
    return _call(calls.log_call(session, actor, **body.model_dump()))


@router.get("/calls")
def list_calls(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    ticket_id: int | None = None,
    started_from: Annotated[AwareDatetime | None, Query()] = None,
    started_to: Annotated[AwareDatetime | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> CallPage:
    """Calls, newest first; customers see their own, without the agents' notes."""
    filters = calls.CallFilter(person_id, ticket_id, started_from, started_to)
    found = calls.list_calls(session, actor, filters, offset, limit)
    return CallPage(items=[_call(v) for v in found.items], next_offset=found.next_offset)


@router.get("/calls/{call_id}")
def get_call(call_id: str, actor: CurrentActor, session: SessionDep) -> CallOut:
    return _call(calls.get_call(session, actor, call_id))


@router.patch("/calls/{call_id}")
def update_call(call_id: str, body: CallChangeIn, actor: DeskActor, session: SessionDep) -> CallOut:
    """Change the notes or the linked ticket; send only the fields to change (null clears)."""
    changes = body.model_dump(exclude_unset=True)
    return _call(calls.update_call(session, actor, call_id, changes))


@router.delete("/calls/{call_id}", status_code=204)
def delete_call(
    call_id: str, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Delete a call and its recording."""
    calls.delete_call(session, settings, actor, call_id)
    return Response(status_code=204)


@router.post("/calls/{call_id}/recording", status_code=201)
def store_recording(
    call_id: str,
    actor: DeskActor,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> RecordingOut:
    """Hand over a call's recording (multipart, field `file`, audio/*, at most 50 MB). It is
    refused unless the call records that the caller heard the recording notice. Once handed
    over, only call reviewers and the privacy officer can play it."""
    data = file.file.read(calls.MAX_RECORDING_BYTES + 1)
    info = calls.store_recording(
        session,
        settings,
        actor,
        call_id,
        filename=file.filename,
        content_type=file.content_type or "",
        data=data,
    )
    return RecordingOut(**info.__dict__)


@router.get("/calls/{call_id}/recording")
def read_recording(
    call_id: str, actor: ReviewerActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Listen to a recording (call reviewers and the privacy officer); each listen is audited."""
    filename, content_type, data = calls.read_recording(session, settings, actor, call_id)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)[:100] or "recording"
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
        },
    )


@router.delete("/calls/{call_id}/recording", status_code=204)
def delete_recording(
    call_id: str, actor: OfficerActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Delete a recording, e.g. when the caller asks; the call's details stay."""
    calls.delete_recording(session, settings, actor, call_id)
    return Response(status_code=204)


@router.get("/recordings")
def list_recordings(
    actor: ReviewerActor,
    session: SessionDep,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> RecordingPage:
    """Kept recordings, newest call first, of calls started in [since, until) (call reviewers
    and the privacy officer). Nothing about the caller is listed; the listing is audited."""
    found = calls.list_recordings(
        session, actor, since=since, until=until, offset=offset, limit=limit
    )
    items = [RecordingSummaryOut(**v.__dict__) for v in found.items]
    return RecordingPage(items=items, next_offset=found.next_offset)


# Remote-access sessions.


@router.post("/remote-sessions", status_code=201)
def start_remote_session(
    actor: DeskActor, _: NeverRecorded, body: RemoteIn, session: SessionDep
) -> RemoteOut:
    """Record a remote session you run: only with `customer_consented: true`. Sessions are
    never recorded, so there is no field for a recording."""
    return _remote(remote.start_remote_session(session, actor, **body.model_dump()))


@router.get("/remote-sessions")
def list_remote_sessions(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    ticket_id: int | None = None,
    active: bool | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> RemotePage:
    """Sessions, newest first; customers see their own, the open ones too, so they can watch."""
    filters = remote.RemoteSessionFilter(person_id, ticket_id, active)
    found = remote.list_remote_sessions(session, actor, filters, offset, limit)
    return RemotePage(items=[_remote(v) for v in found.items], next_offset=found.next_offset)


@router.get("/remote-sessions/{remote_session_id}")
def get_remote_session(
    remote_session_id: str, actor: CurrentActor, session: SessionDep
) -> RemoteOut:
    return _remote(remote.get_remote_session(session, actor, remote_session_id))


@router.patch("/remote-sessions/{remote_session_id}")
def update_remote_session(
    remote_session_id: str,
    actor: DeskActor,
    _: NeverRecorded,
    body: RemoteChangeIn,
    session: SessionDep,
) -> RemoteOut:
    """Correct the device's identifier (with its kind) or the linked ticket."""
    changes = body.model_dump(exclude_unset=True)
    return _remote(remote.update_remote_session(session, actor, remote_session_id, changes))


@router.post("/remote-sessions/{remote_session_id}/end")
def end_remote_session(
    remote_session_id: str,
    actor: DeskActor,
    session: SessionDep,
    body: EndIn | None = None,
) -> RemoteOut:
    """End the session now, or at `ended_at`."""
    ended_at = body.ended_at if body else None
    return _remote(remote.end_remote_session(session, actor, remote_session_id, ended_at))


@router.delete("/remote-sessions/{remote_session_id}", status_code=204)
def delete_remote_session(
    remote_session_id: str, actor: AdminActor, session: SessionDep
) -> Response:
    remote.delete_remote_session(session, actor, remote_session_id)
    return Response(status_code=204)
