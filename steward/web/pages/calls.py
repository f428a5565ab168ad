"""HTML pages of the desk: phone calls (D6) and remote-access sessions (D5).

Agents log calls, with the recording only when the caller heard the recording notice, and
record remote sessions only once the customer has consented; sessions are never recorded.
Call reviewers and privacy officers open a call by its reference to listen to its recording,
which the player fetches from the API (each listen audited there).
"""

from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.access.roles import DESK_ROLES, RECORDING_ROLES
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.core.settings import Settings
from steward.desk import calls, held_recordings, people, remote
from steward.desk.messages import Upload
from steward.desk.models import DIRECTIONS, IDENTIFIER_KINDS
from steward.policy.active import policy_of
from steward.policy.local import Local
from steward.policy.serviceable import records_calls
from steward.web.auth import SettingsDep
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import (
    PAGE_SIZE,
    Agent,
    CallViewer,
    DeskRoute,
    FormText,
    Offset,
    QueryText,
    limited,
    notices,
    optional_int,
    optional_moment,
    people_choice,
    person_from,
    refused,
    see_other,
    show,
    staff_names,
    with_query,
)
from steward.web.pages.kit import failed, local_of, render

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)

IDENTIFIER_NAMES = {
    "username": "Username",
    "ip": "IP address",
    "hostname": "Hostname",
    "alias": "Alias",
}


def _ticket_param(value: str) -> int | None:
    try:
        return optional_int(value, "ticket number", low=1)
    except Invalid:
        return None


def duration_seconds(value: str) -> int:
    """A duration typed as minutes ("12") or minutes and seconds ("12:30")."""
    text = value.strip()
    minutes, _, seconds = text.partition(":")
    if not minutes.isdigit() or (seconds and not (seconds.isdigit() and int(seconds) < 60)):
        raise Invalid("Give the duration in minutes, like 12, or minutes and seconds, like 12:30.")
    total = int(minutes) * 60 + int(seconds or 0)
    if total > 24 * 3600:
        raise Invalid("A call lasts at most 24 hours.")
    return total


# Calls


@router.get("/calls", response_class=HTMLResponse)
def call_list(
    request: Request,
    actor: CallViewer,
    session: SessionDep,
    ticket: QueryText = "",
    person: QueryText = "",
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    """Agents: the calls, newest first, by ticket or person. Reviewers: the kept recordings,
    newest call first, each linking to its player, or open a call by its reference."""

    def build() -> dict[str, Any]:
        context: dict[str, Any] = {
            "filters": {"ticket": ticket, "person": person},
            "notices": notices(notice),
            "reviewer": actor.role in RECORDING_ROLES,
            "items": [],
        }
        if actor.role in RECORDING_ROLES:
            found = calls.list_recordings(session, actor, offset=offset, limit=PAGE_SIZE)
            context.update(
                recordings=found.items,
                next_url=with_query("/desk/calls", offset=found.next_offset)
                if found.next_offset
                else None,
                previous_url=with_query("/desk/calls", offset=max(offset - PAGE_SIZE, 0) or None)
                if offset
                else None,
            )
        if actor.role not in DESK_ROLES:
            return context
        filters = calls.CallFilter(person_id=person[:36] or None, ticket_id=_ticket_param(ticket))
        page = calls.list_calls(session, actor, filters, offset=offset, limit=PAGE_SIZE)
        shown = {"ticket": ticket, "person": person}
        context.update(
            items=page.items,
            agents=staff_names(session, actor, (c.agent_id for c in page.items)),
            next_url=with_query("/desk/calls", **shown, offset=page.next_offset)
            if page.next_offset
            else None,
            previous_url=with_query(
                "/desk/calls", **shown, offset=max(offset - PAGE_SIZE, 0) or None
            )
            if offset
            else None,
        )
        return context

    return show(request, session, "desk/calls.html", build)


def _call_form(
    session: Session,
    actor: Actor,
    values: dict[str, str],
    error: str | None = None,
    held: held_recordings.HeldRecording | None = None,
) -> dict[str, Any]:
    """The call form. The caller's number is filled in from the person first offered, when
    their number is known and none is typed yet."""
    ticket_id = _ticket_param(values.get("ticket", ""))
    choices = people_choice(session, actor, ticket_id=ticket_id, person_id=values.get("person", ""))
    known = people.phones(session, actor, [c[0] for c in choices])
    if choices and not values.get("number"):
        values = {**values, "number": known.get(values.get("person") or choices[0][0], "")}
    return {
        "values": values,
        "error": error,
        "choices": choices,
        "phones": known,
        "directions": DIRECTIONS,
        "held": held,
        "number_like": example_number(policy_of(session).controller.country),
    }


@cache
def example_number(country: str) -> str:
    """A number as the business's country writes it, with its code, for the form's hint."""
    import phonenumbers

    found = phonenumbers.example_number(country)
    if found is None:
        return "+1 201-555-0123"
    return phonenumbers.format_number(found, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@router.get("/calls/new", response_class=HTMLResponse)
def new_call_form(
    request: Request,
    actor: Agent,
    session: SessionDep,
    ticket: QueryText = "",
    person: QueryText = "",
) -> Response:
    values = {"ticket": ticket, "person": person[:36], "direction": "inbound"}
    return show(request, session, "desk/call_new.html", lambda: _call_form(session, actor, values))


def _started_again(typed: str, local: Local) -> str:
    """The start as the form shows it again: as read in the viewer's zone, or as typed when
    it could not be read."""
    try:
        return local.field_value(optional_moment(typed, "start", local))
    except Invalid:
        return typed[:30]


async def _attached(recording: UploadFile | None) -> Upload | None:
    if recording is None or not recording.filename:
        return None
    data = await recording.read(calls.MAX_RECORDING_BYTES + 1)
    return Upload(recording.filename, recording.content_type or "", data)


def _keep_for_the_form(
    session: Session,
    settings: Settings,
    actor: Actor,
    upload: Upload | None,
    held: str,
    notice_played: bool,
) -> held_recordings.HeldRecording | None:
    """After a refused call form: the attached recording held for the form shown again (the
    one already held stays as it is), or None when it may not be kept."""
    if upload is None:
        return None
    try:
        if held:  # held already: it stays while it may be kept
            calls.keepable_recording(notice_played, upload.content_type, upload.data)
            return held_recordings.HeldRecording(held, upload.filename)
        return held_recordings.hold(session, settings, actor, upload, notice_played=notice_played)
    except DomainError as why:  # e.g. no notice played (D6): nothing is kept
        failed(session, why)
        return None


@router.post("/calls/new", response_class=HTMLResponse)
async def log_call(
    request: Request,
    actor: Agent,
    session: SessionDep,
    settings: SettingsDep,
    person: FormText = "",
    email: FormText = "",
    number: FormText = "",
    direction: FormText = "inbound",
    started_at: FormText = "",
    duration: FormText = "",
    notice_played: FormText = "",
    notes: FormText = "",
    ticket: FormText = "",
    held: FormText = "",
    recording: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Log the call, then keep its recording. A recording is refused whole, before anything
    is stored, when the caller did not hear the recording notice (D6). When the form is
    refused, a recording that may be kept is held for it (`held` carries its token back).
    A call logged on a ticket goes back to the ticket."""
    local = local_of(request)
    values = {
        "person": person[:36],
        "email": limited(email, 254),
        "number": limited(number, 50),
        "direction": direction[:10],
        "started_at": _started_again(started_at, local),
        "duration": duration[:10],
        "notice_played": notice_played[:3],
        "notes": limited(notes, calls.MAX_NOTES * 2),
        "ticket": ticket[:12],
    }
    upload = await _attached(recording)
    if upload is not None and held:  # a new file replaces the one held
        held_recordings.drop(settings, held)
    held = "" if upload is not None else held[:64]
    try:
        if upload is None and held:
            upload = held_recordings.take(session, settings, actor, held)
        if upload is not None:  # refused whole, before anything is kept
            calls.keepable_recording(bool(notice_played), upload.content_type, upload.data)
        logged = calls.log_call(
            session,
            actor,
            person_id=person_from(session, actor, person, email),
            number=number,
            direction=direction,
            duration_seconds=duration_seconds(duration),
            recording_notice_played=bool(notice_played),
            started_at=optional_moment(started_at, "start of the call", local),
            ticket_id=optional_int(ticket, "ticket number", low=1),
            notes=notes,
        )
    except DomainError as error:
        failed(session, error)
        kept = _keep_for_the_form(session, settings, actor, upload, held, bool(notice_played))
        if kept is None and held:
            held_recordings.drop(settings, held)
        try:
            context = _call_form(session, actor, values, error.message, kept)
        except DomainError as other:
            return refused(request, session, other)
        return render(request, "desk/call_new.html", context, status_code=error.status)
    notice, problem = "call_logged", None
    if upload is not None:
        try:
            calls.store_recording(
                session,
                settings,
                actor,
                logged.id,
                filename=upload.filename,
                content_type=upload.content_type,
                data=upload.data,
            )
            notice = "recording_kept"
        except DomainError as error:  # the call stays logged; say why its recording was not kept
            failed(session, error)
            problem = error.message[:300]
        if held:
            held_recordings.drop(settings, held)
    if logged.ticket_id is not None:
        return see_other(
            f"/desk/tickets/{logged.ticket_id}", notice=notice, call=logged.id, problem=problem
        )
    return see_other(f"/desk/calls/{logged.id}", notice=notice, problem=problem)


@router.get("/calls/open")
def open_call(actor: CallViewer, call: QueryText = "") -> Response:
    """The reviewers' "open a call by its reference" form lands here."""
    reference = call.strip()[:36]
    return see_other(f"/desk/calls/{quote(reference)}" if reference else "/desk/calls")


def _call_page(
    session: Session, actor: Actor, call_id: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """Agents get the call; reviewers, who may not read its details, only its recording."""
    context: dict[str, Any] = {
        "call_id": call_id,
        "call": None,
        "reviewer": actor.role in RECORDING_ROLES,
        "records_calls": records_calls(policy_of(session)),
    }
    if actor.role in DESK_ROLES:
        call = calls.get_call(session, actor, call_id)
        context.update(call=call, agents=staff_names(session, actor, [call.agent_id]))
    return {**context, **extra}


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(
    request: Request,
    call_id: str,
    actor: CallViewer,
    session: SessionDep,
    notice: str = "",
    problem: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    extra = {"notices": notices(notice), "problem": problem}
    return show(
        request, session, "desk/call.html", lambda: _call_page(session, actor, call_id[:36], extra)
    )


@router.post("/calls/{call_id}", response_class=HTMLResponse)
def update_call(
    request: Request,
    call_id: str,
    actor: Agent,
    session: SessionDep,
    notes: FormText = "",
    ticket: FormText = "",
) -> Response:
    try:
        changes = {
            "notes": notes or None,
            "ticket_id": optional_int(ticket, "ticket number", low=1),
        }
        calls.update_call(session, actor, call_id[:36], changes)
    except DomainError as error:
        failed(session, error)
        extra = {
            "notices": [],
            "edit_error": error.message,
            "kept": {"notes": limited(notes, calls.MAX_NOTES * 2), "ticket": ticket[:12]},
        }
        try:
            context = _call_page(session, actor, call_id[:36], extra)
        except DomainError as other:
            return refused(request, session, other)
        return render(request, "desk/call.html", context, status_code=error.status)
    return see_other(f"/desk/calls/{call_id[:36]}", notice="call_updated")


@router.post("/calls/{call_id}/recording", response_class=HTMLResponse)
async def add_recording(
    request: Request,
    call_id: str,
    actor: Agent,
    session: SessionDep,
    settings: SettingsDep,
    recording: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Hand over a logged call's recording; refused when the notice was not played (D6)."""
    try:
        if recording is None or not recording.filename:
            raise Invalid("Choose the recording's audio file.")
        calls.store_recording(
            session,
            settings,
            actor,
            call_id[:36],
            filename=recording.filename,
            content_type=recording.content_type or "",
            data=await recording.read(calls.MAX_RECORDING_BYTES + 1),
        )
    except DomainError as error:
        failed(session, error)
        extra = {"notices": [], "recording_error": error.message}
        try:
            context = _call_page(session, actor, call_id[:36], extra)
        except DomainError as other:
            return refused(request, session, other)
        return render(request, "desk/call.html", context, status_code=error.status)
    return see_other(f"/desk/calls/{call_id[:36]}", notice="recording_kept")


# Remote sessions


@router.get("/remote-sessions", response_class=HTMLResponse)
def session_list(
    request: Request,
    actor: Agent,
    session: SessionDep,
    state: QueryText = "",
    ticket: QueryText = "",
    person: QueryText = "",
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    """Remote sessions, newest first: open ones can be ended here."""

    def build() -> dict[str, Any]:
        active = {"open": True, "ended": False}.get(state)
        filters = remote.RemoteSessionFilter(
            person_id=person[:36] or None, ticket_id=_ticket_param(ticket), active=active
        )
        page = remote.list_remote_sessions(session, actor, filters, offset=offset, limit=PAGE_SIZE)
        shown = {"state": state, "ticket": ticket, "person": person}
        return {
            "items": page.items,
            "filters": shown,
            "technicians": staff_names(session, actor, (s.technician_id for s in page.items)),
            "kinds": IDENTIFIER_NAMES,
            "notices": notices(notice),
            "next_url": with_query("/desk/remote-sessions", **shown, offset=page.next_offset)
            if page.next_offset
            else None,
            "previous_url": with_query(
                "/desk/remote-sessions", **shown, offset=max(offset - PAGE_SIZE, 0) or None
            )
            if offset
            else None,
        }

    return show(request, session, "desk/remote_sessions.html", build)


def _session_form(
    session: Session, actor: Actor, values: dict[str, str], error: str | None = None
) -> dict[str, Any]:
    return {
        "values": values,
        "error": error,
        "choices": people_choice(
            session,
            actor,
            ticket_id=_ticket_param(values.get("ticket", "")),
            person_id=values.get("person", ""),
        ),
        "kinds": {k: IDENTIFIER_NAMES.get(k, k) for k in IDENTIFIER_KINDS},
    }


@router.get("/remote-sessions/new", response_class=HTMLResponse)
def new_session_form(
    request: Request,
    actor: Agent,
    session: SessionDep,
    ticket: QueryText = "",
    person: QueryText = "",
) -> Response:
    values = {"ticket": ticket, "person": person[:36], "identifier_kind": "hostname"}
    return show(
        request, session, "desk/remote_new.html", lambda: _session_form(session, actor, values)
    )


@router.post("/remote-sessions/new", response_class=HTMLResponse)
def start_session(
    request: Request,
    actor: Agent,
    session: SessionDep,
    person: FormText = "",
    email: FormText = "",
    consent: FormText = "",
    identifier_kind: FormText = "",
    identifier: FormText = "",
    ticket: FormText = "",
) -> Response:
    """Record a session once the customer has agreed to it (D5): there is nothing to record
    it with, and the customer may watch."""
    values = {
        "person": person[:36],
        "email": limited(email, 254),
        "consent": consent[:3],
        "identifier_kind": identifier_kind[:10],
        "identifier": limited(identifier, 253),
        "ticket": ticket[:12],
    }
    try:
        if not consent:
            raise Invalid(
                "A remote session needs the customer's consent first: ask them, and tick the "
                "box once they have agreed."
            )
        started = remote.start_remote_session(
            session,
            actor,
            person_id=person_from(session, actor, person, email),
            customer_consented=True,
            identifier_kind=identifier_kind,
            identifier=identifier[:253],
            ticket_id=optional_int(ticket, "ticket number", low=1),
        )
    except DomainError as error:
        failed(session, error)
        try:
            context = _session_form(session, actor, values, error.message)
        except DomainError as other:
            return refused(request, session, other)
        return render(request, "desk/remote_new.html", context, status_code=error.status)
    return see_other(
        "/desk/remote-sessions", state="open", notice="session_started", anchor=f"r-{started.id}"
    )


@router.post("/remote-sessions/{remote_session_id}/end", response_class=HTMLResponse)
def end_session(
    request: Request, remote_session_id: str, actor: Agent, session: SessionDep
) -> Response:
    try:
        remote.end_remote_session(session, actor, remote_session_id[:36])
    except DomainError as error:
        return refused(request, session, error)
    return see_other("/desk/remote-sessions", notice="session_ended")
