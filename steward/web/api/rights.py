"""JSON API under /api/v1: asking for a rights request and verifying it (public; a signed-in
person may ask through their portal or account settings), one's own requests, and the privacy
officer's queue, the requests they log (phone, post, in person) and their decisions (verify:
accept a document, mail a new code, record how identity was checked; extend, refuse, answer)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, UploadFile
from pydantic import BaseModel

from steward.core.actor import VISITOR, Actor
from steward.identity.errors import NotPermitted, NotSignedIn
from steward.mail import MailFailed
from steward.policy.active import policy_of
from steward.rights import deadlines, intake, logged, queries, verify
from steward.rights.common import by_reference
from steward.web.api.paging import Limit, Offset, cut
from steward.web.auth import CurrentActor, SettingsDep, csrf_guard, require_roles, session_of
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["rights"], dependencies=[Depends(csrf_guard)])
OfficerActor = Annotated[Actor, Depends(require_roles("privacy_officer"))]


def maybe_actor(request: Request, session: SessionDep) -> Actor:
    """The signed-in actor when there is one (MFA passed where required), else a visitor."""
    try:
        return session_of(request, session).require_mfa_passed()
    except (NotSignedIn, NotPermitted):
        return VISITOR


MaybeActor = Annotated[Actor, Depends(maybe_actor)]


class OpenedOut(BaseModel):
    id: str | None
    reference: str
    status: str
    due_at: datetime
    verification: list[str]


class StatusOut(BaseModel):
    reference: str
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    verified: bool
    extended: bool
    completed_at: datetime | None
    outcome: str | None
    verification: list[str]


class ItemOut(BaseModel):
    id: str
    reference: str
    kind: str
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    verified_at: datetime | None
    completed_at: datetime | None
    outcome: str | None
    due_soon: bool
    overdue: bool
    waited_seconds: int


class ItemsOut(BaseModel):
    items: list[ItemOut]
    next_offset: int | None


class TimelineOut(BaseModel):
    step: str
    note: str | None
    actor_id: str | None
    at: datetime


class DocumentOut(BaseModel):
    id: str
    filename: str | None
    content_type: str
    size: int
    created_at: datetime


class DetailOut(ItemOut):
    person_id: str | None
    email: str | None
    name: str | None
    details: str | None
    corrections: dict[str, str]
    purposes: list[str]
    on_behalf: bool
    agent: str | None
    verification: str | None
    answer: str | None
    extension_reason: str | None
    refusal_reason: str | None
    lapses_at: datetime | None
    scheduled_for: datetime | None
    timeline: list[TimelineOut]
    documents: list[DocumentOut]


def _item(found: queries.QueueItem) -> dict[str, Any]:
    return {
        "id": found.id,
        "reference": found.reference,
        "kind": found.kind,
        "channel": found.channel,
        "status": found.status,
        "received_at": found.received_at,
        "due_at": found.due_at,
        "verified_at": found.verified_at,
        "completed_at": found.completed_at,
        "outcome": found.outcome,
        "due_soon": found.due_soon,
        "overdue": found.overdue,
        "waited_seconds": int(found.waited.total_seconds()),
    }


def _status(session: SessionDep, reference: str) -> StatusOut:
    found = queries.public_status(session, reference)
    request = by_reference(session, reference)
    return StatusOut(**found.__dict__, verification=verify.methods(policy_of(session), request))


@router.post("/rights", status_code=202)
def open_request(
    body: intake.RequestIn, actor: MaybeActor, session: SessionDep, settings: SettingsDep
) -> OpenedOut:
    """Ask for a right (or ask a privacy question: kind `inquiry`), signed in or not. The
    answer is the same whether or not we hold data about the address; a code is mailed to it."""
    new = intake.NewRequest(**body.model_dump())
    opened = intake.open_request(session, settings, actor, new)
    return OpenedOut(
        id=opened.id if actor.person_id else None,
        reference=opened.reference,
        status=opened.status,
        due_at=opened.due_at,
        verification=opened.verification,
    )


@router.get("/rights/{reference}")
def request_status(reference: str, session: SessionDep) -> StatusOut:
    """Where a request stands, by its reference: no personal data."""
    return _status(session, reference)


@router.post("/rights/{reference}/verify")
def verify_code(
    reference: str, body: verify.CodeIn, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Confirm the request with the code mailed to the address it was made for."""
    verify.check_code(session, settings, reference, body.code)
    return _status(session, reference)


@router.post("/rights/{reference}/code", status_code=202)
def resend_code(reference: str, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """Mail a new code (at most one a minute, five in all)."""
    verify.send_code(session, settings, reference)
    return _status(session, reference)


@router.post("/rights/{reference}/data-points")
def verify_data_points(
    reference: str, body: verify.PointsIn, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Confirm the request by details we hold about you, where the policy allows it."""
    points = {k: v for k, v in body.model_dump().items() if v}
    verify.check_data_points(session, settings, reference, points)
    return _status(session, reference)


@router.post("/rights/{reference}/document", status_code=202)
async def upload_document(
    reference: str, file: UploadFile, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Send a document proving who you are (or an agent's authority), as a multipart field
    `file` (PDF, PNG or JPEG, up to 10 MB); the privacy officer reviews it."""
    data = await file.read(verify.MOST_DOCUMENT_BYTES + 1)
    verify.upload_document(
        session,
        settings,
        reference,
        file.filename or "document",
        file.content_type or "application/octet-stream",
        data,
    )
    return _status(session, reference)


@router.get("/me/rights")
def my_requests(
    actor: CurrentActor, session: SessionDep, offset: Offset = 0, limit: Limit = 50
) -> ItemsOut:
    """Your own requests (once verified as yours), newest first, as `{items, next_offset}`."""
    found = queries.mine(session, actor, offset=offset, limit=limit + 1)
    page, following = cut(found, offset, limit)
    return ItemsOut(items=[ItemOut(**_item(i)) for i in page], next_offset=following)


@router.get("/dpo/requests")
def officer_queue(
    actor: OfficerActor,
    session: SessionDep,
    include_closed: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ItemsOut:
    """Every open request (with `include_closed`, every request), soonest due first, with
    due soon and overdue marked and the time spent waiting for verification; as
    `{items, next_offset}`, null on the last page."""
    found = queries.queue(
        session, actor, include_closed=include_closed, offset=offset, limit=limit + 1
    )
    page, following = cut(found, offset, limit)
    return ItemsOut(items=[ItemOut(**_item(i)) for i in page], next_offset=following)


@router.post("/dpo/requests", status_code=201)
def officer_log(
    body: logged.LoggedIn, actor: OfficerActor, session: SessionDep, settings: SettingsDep
) -> DetailOut:
    """Log a request made by phone, by post or in person, on the person's behalf: the date
    it was received starts its clock; documents seen or details matched verify it at once."""
    opened = logged.log_request(session, settings, actor, body)
    return _detail(session, actor, opened.id)


def _detail(session: SessionDep, actor: Actor, request_id: str) -> DetailOut:
    found = queries.detail(session, actor, request_id)
    fields = {k: v for k, v in found.__dict__.items() if k not in ("item", "timeline", "documents")}
    return DetailOut(
        **_item(found.item),
        **fields,
        timeline=[TimelineOut(**t.__dict__) for t in found.timeline],
        documents=[DocumentOut(**d.__dict__) for d in found.documents],
    )


@router.get("/dpo/requests/{request_id}")
def officer_request(request_id: str, actor: OfficerActor, session: SessionDep) -> DetailOut:
    """One request: who asked and how to reach them (read through the gate, audited), the
    verification, the timeline and the documents sent."""
    return _detail(session, actor, request_id)


@router.get("/dpo/requests/{request_id}/documents/{file_id}")
def officer_document(
    request_id: str, file_id: str, actor: OfficerActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """The document sent to verify a request, for review."""
    filename, content_type, data = verify.document(session, settings, actor, request_id, file_id)
    safe = "".join(c for c in filename if c.isalnum() or c in "._-")[:100] or "document"
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.post("/dpo/requests/{request_id}/verify")
def officer_verify(
    request_id: str, actor: OfficerActor, session: SessionDep, settings: SettingsDep
) -> DetailOut:
    """Accept the document sent (proof of identity or of an agent's authority): the request
    is verified and the document removed."""
    verify.accept_document(session, settings, actor, request_id)
    return _detail(session, actor, request_id)


@router.post("/dpo/requests/{request_id}/code")
def officer_resend_code(
    request_id: str, actor: OfficerActor, session: SessionDep, settings: SettingsDep
) -> DetailOut:
    """Mail the person a new code; the earlier one stops working. `503` when the mail server
    did not take it (the new code stands: send again)."""
    if not verify.resend_code(session, settings, actor, request_id):
        raise MailFailed("The code could not be mailed; please try again later.")
    return _detail(session, actor, request_id)


@router.post("/dpo/requests/{request_id}/identity-check")
def officer_identity_check(
    request_id: str,
    body: verify.CheckIn,
    actor: OfficerActor,
    session: SessionDep,
    settings: SettingsDep,
) -> DetailOut:
    """Record how the officer checked who asked (`call_back`, `id_seen` or `account`, with a
    note): the request is verified by that method where the policy accepts it."""
    verify.record_check(session, settings, actor, request_id, body)
    return _detail(session, actor, request_id)


@router.post("/dpo/requests/{request_id}/extend")
def officer_extend(
    request_id: str,
    body: deadlines.ExtendIn,
    actor: OfficerActor,
    session: SessionDep,
    settings: SettingsDep,
) -> DetailOut:
    """Extend the deadline, once, before it passes, within the policy's extension; the
    person is mailed the reason."""
    deadlines.extend(session, settings, actor, request_id, body.days, body.reason)
    return _detail(session, actor, request_id)


@router.post("/dpo/requests/{request_id}/refuse")
def officer_refuse(
    request_id: str,
    body: deadlines.ReasonIn,
    actor: OfficerActor,
    session: SessionDep,
    settings: SettingsDep,
) -> DetailOut:
    """Refuse the request; the reason is kept and mailed to the person."""
    deadlines.refuse(session, settings, actor, request_id, body.reason)
    return _detail(session, actor, request_id)


@router.post("/dpo/requests/{request_id}/answer")
def officer_answer(
    request_id: str,
    body: deadlines.AnswerIn,
    actor: OfficerActor,
    session: SessionDep,
    settings: SettingsDep,
) -> DetailOut:
    """Answer a privacy inquiry; the answer is mailed and kept with it."""
    deadlines.answer_inquiry(session, settings, actor, request_id, body.text)
    return _detail(session, actor, request_id)
