"""JSON API under /api/v1: tickets, messages, attachments, saved views and canned replies.

Opening a ticket and replying take JSON, or a multipart form when files are attached (the
files in `attachments`). Neither has a CC field: a request carrying `cc` or `bcc` is refused
(D3). Every route is a thin call of a desk service, which checks the role before anything.
"""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.inputs import Body
from steward.desk import messages, tickets, views
from steward.desk.common import Page
from steward.web.api.paging import cut
from steward.web.auth import CSRF_FIELD, SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["tickets"], dependencies=[Depends(csrf_guard)])
DeskActor = Annotated[Actor, Depends(require_roles("agent", "admin"))]
AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
TicketActor = Annotated[Actor, Depends(require_roles("customer", "agent", "admin"))]
StaffActor = Annotated[
    Actor, Depends(require_roles("agent", "billing", "call_reviewer", "privacy_officer", "admin"))
]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]
Id = Annotated[str | None, Field(max_length=36)]
ATTACHMENTS_FIELD = "attachments"
MOST_REQUEST_BYTES = messages.MAX_ATTACHMENTS * messages.MAX_ATTACHMENT_BYTES + 2**20


class TicketIn(Body):
    subject: str = Field(max_length=1000)
    body: str = Field("", max_length=messages.MAX_BODY * 2)
    channel: str = Field("web", max_length=20)
    priority: str = Field("normal", max_length=20)
    requester_id: Id = None  # staff: the person who called, chatted or wrote
    about_id: Id = None  # D2: an end user of an organisation the requester is a contact of
    organisation_id: Id = None


class TicketChange(Body):
    status: str | None = Field(None, max_length=30)
    priority: str | None = Field(None, max_length=20)
    assignee_id: Id = None  # null unassigns
    subject: str | None = Field(None, max_length=1000)


class MessageIn(Body):
    body: str = Field("", max_length=messages.MAX_BODY * 2)
    visibility: str = Field("public", max_length=20)
    channel: str = Field("web", max_length=20)


class AttachmentOut(BaseModel):
    id: str
    filename: str | None
    content_type: str
    size: int
    url: str


class MessageOut(BaseModel):
    id: str
    ticket_id: int
    author_id: str | None
    author_name: str | None
    visibility: str
    channel: str
    body: str | None
    created_at: datetime
    attachments: list[AttachmentOut]
    card_numbers_masked: int


class MessageCreated(MessageOut):
    notice: str | None  # what we did to the message, e.g. a card number removed (D4)


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_offset: int | None


class EventOut(BaseModel):
    id: str
    field: str
    old: str | None
    new: str | None
    actor_id: str | None
    at: datetime


class TicketSummaryOut(BaseModel):
    id: int
    subject: str | None
    status: str
    priority: str
    channel: str
    requester_id: str
    requester_name: str | None
    organisation_id: str | None
    organisation_name: str | None
    assignee_id: str | None
    created_at: datetime
    last_activity_at: datetime


class TicketOut(TicketSummaryOut):
    about_id: str | None
    about_name: str | None
    messages: list[MessageOut]
    events: list[EventOut]
    notice: str | None = None


class TicketPage(BaseModel):
    items: list[TicketSummaryOut]
    next_offset: int | None


class SavedViewIn(Body):
    name: str = Field(max_length=200)
    filters: dict[str, str | None] = Field(default_factory=dict, max_length=20)


class SavedViewOut(BaseModel):
    id: str
    name: str
    filters: dict[str, str]
    created_at: datetime


class SavedViewPage(BaseModel):
    items: list[SavedViewOut]
    next_offset: None = None  # at most 100 views a person: one page


class CannedIn(Body):
    title: str = Field(max_length=200)
    body: str = Field(max_length=8000)


class CannedChange(Body):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=8000)


class CannedOut(BaseModel):
    id: str
    title: str
    body: str
    created_at: datetime


class CannedPage(BaseModel):
    items: list[CannedOut]
    next_offset: int | None


def _message(view: messages.MessageView) -> dict[str, Any]:
    found = view.__dict__ | {
        "attachments": [
            AttachmentOut(**a.__dict__, url=f"/api/v1/attachments/{a.id}") for a in view.attachments
        ]
    }
    return found


def _ticket(view: tickets.TicketView, opened: bool = False) -> TicketOut:
    """`notice` tells who opened the ticket what was done to their text (D4)."""
    masked = view.messages[0].card_numbers_masked if opened and view.messages else 0
    return TicketOut(
        **view.__dict__
        | {
            "messages": [MessageOut(**_message(m)) for m in view.messages],
            "events": [EventOut(**e.__dict__) for e in view.events],
            "notice": messages.masking_notice(masked),
        }
    )


def _fields_of(errors: ValidationError) -> RequestValidationError:
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors.errors()])


async def _upload(key: str, file: UploadFile) -> list[messages.Upload]:
    if key != ATTACHMENTS_FIELD:
        raise Invalid(f"Send files in the field '{ATTACHMENTS_FIELD}'.")
    if not file.filename and not file.size:
        return []  # a form's file input left empty
    # One byte over the limit is enough for the service to refuse it; the rest stays unread.
    data = await file.read(messages.MAX_ATTACHMENT_BYTES + 1)
    content_type = file.content_type or "application/octet-stream"
    return [
        messages.Upload(
            filename=file.filename or "attachment", content_type=content_type, data=data
        )
    ]


async def _payload(request: Request) -> tuple[dict[str, Any], list[messages.Upload]]:
    """The fields and files of a JSON body or a (multipart) form, with no CC (D3)."""
    length = request.headers.get("content-length", "0")
    if length.isdigit() and int(length) > MOST_REQUEST_BYTES:
        raise messages.AttachmentTooLarge("The request is too large.")
    content_type = request.headers.get("content-type", "")
    data: dict[str, Any] = {}
    uploads: list[messages.Upload] = []
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        try:
            tickets.refuse_copies(form.keys())
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    uploads += await _upload(key, value)
                elif key != CSRF_FIELD:
                    data[key] = value
        finally:
            await form.close()  # the spooled files, now read
        return data, uploads
    try:
        found = await request.json()
    except ValueError:
        raise Invalid("Send a JSON object, or a multipart form with files.") from None
    if not isinstance(found, dict):
        raise Invalid("Send a JSON object, or a multipart form with files.")
    tickets.refuse_copies(found.keys())
    return found, uploads


async def ticket_payload(request: Request) -> tuple[TicketIn, list[messages.Upload]]:
    data, uploads = await _payload(request)
    try:
        return TicketIn.model_validate(data), uploads
    except ValidationError as errors:
        raise _fields_of(errors) from None


async def message_payload(request: Request) -> tuple[MessageIn, list[messages.Upload]]:
    data, uploads = await _payload(request)
    try:
        return MessageIn.model_validate(data), uploads
    except ValidationError as errors:
        raise _fields_of(errors) from None


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    form = {
        **schema,
        "properties": {
            **schema["properties"],
            ATTACHMENTS_FIELD: {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": form},
            },
        }
    }


TicketPayload = Annotated[tuple[TicketIn, list[messages.Upload]], Depends(ticket_payload)]
MessagePayload = Annotated[tuple[MessageIn, list[messages.Upload]], Depends(message_payload)]


@router.get("/tickets")
def list_tickets(
    actor: TicketActor,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
    priority: Annotated[str | None, Query(max_length=20)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    assignee_id: Annotated[str | None, Query(max_length=36)] = None,
    organisation_id: Annotated[str | None, Query(max_length=36)] = None,
    requester_id: Annotated[str | None, Query(max_length=36)] = None,
    text: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> TicketPage:
    """Newest first: your own requests, or for agents and admins the queue. `assignee_id`
    takes "none" (unassigned) or "me"; `text` searches the number, subject, requester's name
    and organisation's name among the newest 500 tickets the other filters choose (a
    number, however old)."""
    filters = tickets.TicketFilter(
        status=status,
        priority=priority,
        channel=channel,
        assignee_id=assignee_id,
        organisation_id=organisation_id,
        requester_id=requester_id,
        text=text,
    )
    page: Page[tickets.TicketSummary] = tickets.list_tickets(session, actor, filters, offset, limit)
    return TicketPage(
        items=[TicketSummaryOut(**t.__dict__) for t in page.items], next_offset=page.next_offset
    )


@router.post("/tickets", status_code=201, openapi_extra=_body_schema(TicketIn))
def open_ticket(
    actor: TicketActor, payload: TicketPayload, session: SessionDep, settings: SettingsDep
) -> TicketOut:
    """Open a request (JSON, or a multipart form with files in `attachments`). There is no
    CC: a request carrying `cc` or `bcc` is refused. Card numbers in the text are masked and
    `notice` says so; in the subject they are refused."""
    body, uploads = payload
    view = tickets.open_ticket(
        session,
        settings,
        actor,
        subject=body.subject,
        body=body.body,
        channel=body.channel,
        priority=body.priority,
        requester_id=body.requester_id,
        about_id=body.about_id,
        organisation_id=body.organisation_id,
        attachments=uploads,
    )
    return _ticket(view, opened=True)


@router.get("/tickets/{ticket_id}")
def get_ticket(ticket_id: int, actor: TicketActor, session: SessionDep) -> TicketOut:
    """A ticket with its messages; customers see their own, without internal notes or history."""
    return _ticket(tickets.get_ticket(session, actor, ticket_id))


@router.patch("/tickets/{ticket_id}")
def update_ticket(
    ticket_id: int,
    change: TicketChange,
    actor: TicketActor,
    session: SessionDep,
    settings: SettingsDep,
) -> TicketOut:
    """Change status, priority, assignee (null unassigns) or subject; customers may only
    resolve or close their own requests."""
    sent = change.model_dump(exclude_unset=True)
    assignee = sent.get("assignee_id", None)
    view = tickets.update_ticket(
        session,
        settings,
        actor,
        ticket_id,
        status=change.status,
        priority=change.priority,
        assignee_id=(assignee or tickets.UNASSIGNED) if "assignee_id" in sent else None,
        subject=change.subject,
    )
    return _ticket(view)


@router.delete("/tickets/{ticket_id}", status_code=204)
def delete_ticket(
    ticket_id: int, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Admins: delete a ticket with its messages, attachments, events and mentions."""
    tickets.delete_ticket(session, settings, actor, ticket_id)
    return Response(status_code=204)


@router.get("/tickets/{ticket_id}/messages")
def list_messages(
    ticket_id: int, actor: TicketActor, session: SessionDep, offset: Offset = 0, limit: Limit = 50
) -> MessagePage:
    """Oldest first; customers get the public ones."""
    page = messages.list_messages(session, actor, ticket_id, offset, limit)
    return MessagePage(
        items=[MessageOut(**_message(m)) for m in page.items], next_offset=page.next_offset
    )


@router.post(
    "/tickets/{ticket_id}/messages", status_code=201, openapi_extra=_body_schema(MessageIn)
)
def add_message(
    ticket_id: int,
    actor: TicketActor,
    payload: MessagePayload,
    session: SessionDep,
    settings: SettingsDep,
) -> MessageCreated:
    """Reply (visibility public) or, staff only, add an internal note; JSON, or a multipart
    form with files in `attachments`. Card numbers are masked and `notice` says so."""
    body, uploads = payload
    view = messages.add_message(
        session,
        settings,
        actor,
        ticket_id,
        body=body.body,
        visibility=body.visibility,
        channel=body.channel,
        attachments=uploads,
    )
    return MessageCreated(
        **_message(view), notice=messages.masking_notice(view.card_numbers_masked)
    )


@router.delete("/tickets/{ticket_id}/messages/{message_id}", status_code=204)
def delete_message(
    ticket_id: int, message_id: str, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Admins: remove one message with its attachments; the history says it was removed."""
    messages.delete_message(session, settings, actor, ticket_id, message_id)
    return Response(status_code=204)


@router.get("/attachments/{attachment_id}", response_class=Response)
def download_attachment(
    attachment_id: str, actor: TicketActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """The file, decrypted, to whoever may see its message."""
    filename, content_type, data = messages.read_attachment(session, settings, actor, attachment_id)
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _view(info: views.SavedViewInfo) -> SavedViewOut:
    return SavedViewOut(**info.__dict__)


@router.get("/saved-views")
def list_saved_views(actor: DeskActor, session: SessionDep) -> SavedViewPage:
    """Your own saved queue filters, by name: at most 100, so one page (`next_offset` null)."""
    return SavedViewPage(items=[_view(v) for v in views.list_views(session, actor)])


@router.post("/saved-views", status_code=201)
def create_saved_view(body: SavedViewIn, actor: DeskActor, session: SessionDep) -> SavedViewOut:
    """Save the queue's filters under a name (no search words: they may name a person)."""
    return _view(views.create_view(session, actor, body.name, body.filters))


@router.delete("/saved-views/{view_id}", status_code=204)
def delete_saved_view(view_id: str, actor: DeskActor, session: SessionDep) -> Response:
    views.delete_view(session, actor, view_id)
    return Response(status_code=204)


def _canned(info: views.CannedReplyInfo) -> CannedOut:
    return CannedOut(**info.__dict__)


@router.get("/canned-replies")
def list_canned_replies(
    actor: StaffActor, session: SessionDep, offset: Offset = 0, limit: Limit = 50
) -> CannedPage:
    """Canned replies by title, as `{items, next_offset}` (null on the last page)."""
    found = views.list_canned(session, actor, offset=offset, limit=limit + 1)
    replies, following = cut(found, offset, limit)
    return CannedPage(items=[_canned(c) for c in replies], next_offset=following)


@router.post("/canned-replies", status_code=201)
def create_canned_reply(body: CannedIn, actor: DeskActor, session: SessionDep) -> CannedOut:
    return _canned(views.create_canned(session, actor, body.title, body.body))


@router.patch("/canned-replies/{reply_id}")
def update_canned_reply(
    reply_id: str, body: CannedChange, actor: DeskActor, session: SessionDep
) -> CannedOut:
    return _canned(views.update_canned(session, actor, reply_id, title=body.title, body=body.body))


@router.delete("/canned-replies/{reply_id}", status_code=204)
def delete_canned_reply(reply_id: str, actor: DeskActor, session: SessionDep) -> Response:
    views.delete_canned(session, actor, reply_id)
    return Response(status_code=204)
