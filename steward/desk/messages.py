"""Messages on tickets: public replies, internal notes and chat lines, with their attachments.

A message belongs to the ticket's requester (it is sealed under their key), whoever wrote it.
Bodies are masked for card numbers before they are stored (D4) and the sender is told how
many were removed. Attachments are checked (size, type), then stored encrypted under the
requester's key. Customers write only public replies on their own tickets and never see
internal notes; another customer's ticket is "not found", like a missing one.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.cards import mask_card_numbers
from steward.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.desk import notify, people
from steward.desk.common import (
    ADMINISTRATION,
    Page,
    check_paging,
    gate_person,
    is_customer,
    page_of,
    purpose_for,
)
from steward.desk.models import CHANNELS, VISIBILITIES, Attachment, Message, Ticket, TicketEvent
from steward.pii.mentions import Mention
from steward.vault import files
from steward.vault.service import message_id_index

FILES = "attachments"
MAX_BODY = 20_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/zip",
        "application/x-zip-compressed",
    }
)
TicketRow = Row[*tuple[Any, ...]]  # the clear columns of a ticket (CLEAR_COLUMNS)
REOPENED_BY_REPLY = ("waiting_on_customer", "resolved")
LARGEST_TICKET = 2**31 - 1  # tickets.id is a 32-bit integer
CLEAR_COLUMNS = (  # what a list shows of a ticket, besides its sealed subject
    Ticket.id,
    Ticket.requester_id,
    Ticket.about_id,
    Ticket.organisation_id,
    Ticket.assignee_id,
    Ticket.channel,
    Ticket.status,
    Ticket.priority,
    Ticket.created_at,
    Ticket.last_activity_at,
)


class AttachmentTooLarge(DomainError):
    status = 413
    title = "Attachment too large"


class AttachmentTypeRefused(DomainError):
    status = 415
    title = "Attachment type not accepted"


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class MessageView:
    id: str
    ticket_id: int
    author_id: str | None
    author_name: str | None  # None when the reader may not see the author's name
    visibility: str
    channel: str
    body: str | None
    created_at: datetime
    attachments: list[AttachmentInfo]
    card_numbers_masked: int
    # Why the reply was not emailed to whom it should go, in plain words (None: it was, or
    # no mail was due: an internal note).
    not_emailed: str | None = None


def masking_notice(count: int) -> str | None:
    """What to tell the sender when card numbers were removed from their message (D4)."""
    if not count:
        return None
    what = "a card number" if count == 1 else f"{count} card numbers"
    return (
        f"We removed {what} from your message and kept only the last four digits: we never "
        "store card numbers. To pay, use the payment page."
    )


def choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise Invalid(f"The {what} is one of: {', '.join(allowed)}.")
    return value


def locate(session: Session, actor: Actor, ticket_id: int, what: str) -> TicketRow:
    """The clear columns of a ticket the actor may see; nothing sealed is opened. The role is
    checked first; a customer asking for another's ticket gets NotFound, as for a missing one."""
    check_role(session, actor, what, purpose_for(actor))
    query = select(*CLEAR_COLUMNS).where(Ticket.id == ticket_id)
    if is_customer(actor):
        query = query.where(Ticket.requester_id == actor.person_id)
    row = None
    if 1 <= ticket_id <= LARGEST_TICKET and (actor.person_id or not is_customer(actor)):
        row = session.execute(query).first()
    if row is None:
        raise NotFound("There is no such ticket.")
    return row


def record_change(
    session: Session,
    actor: Actor,
    ticket_id: int,
    field: str,
    old: str | None,
    new: str | None,
) -> None:
    session.add(
        TicketEvent(
            ticket_id=ticket_id,
            actor_id=actor.account_id,
            field=field,
            old=old,
            new=new,
            at=clock.now(),
        )
    )


def clean_body(body: str, uploads: Sequence[Upload]) -> str:
    body = body.strip()
    if not body and not uploads:
        raise Invalid("Write a message or attach a file.")
    if len(body) > MAX_BODY:
        raise Invalid(f"Keep a message under {MAX_BODY:,} characters.")
    return body


def check_uploads(uploads: Sequence[Upload]) -> None:
    """Refuse the whole message when any file is too large, empty or of a refused type."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise Invalid(f"Attach at most {MAX_ATTACHMENTS} files to one message.")
    for number, upload in enumerate(uploads, start=1):
        if len(upload.data) > MAX_ATTACHMENT_BYTES:
            raise AttachmentTooLarge(
                f"Attachment {number} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
            )
        if not upload.data:
            raise Invalid(f"Attachment {number} is empty.")
        if base_type(upload.content_type) not in ALLOWED_TYPES:
            raise AttachmentTypeRefused(
                f"Attachment {number} is of a type we do not accept. Send images, PDF, plain "
                "text, CSV, office documents or zip files."
            )


def base_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def safe_filename(filename: str) -> str:
    """The file's own name without any folder, control characters or quotes."""
    name = re.split(r"[\\/]", filename)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip().lstrip(".")
    return name[:200] or "attachment"


@dataclass
class Written:
    """A message written in the current transaction, and the files stored for it."""

    message: Message
    stored: list[str]


def write(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    owner_id: str,
    *,
    body: str,
    visibility: str,
    channel: str,
    uploads: Sequence[Upload],
    email_message_id: str | None,
) -> Written:
    """Add the message and its attachments (the caller checked the input and commits). On
    failure the files already stored are removed."""
    masked, count = mask_card_numbers(body)
    gate_person(session, actor, Message, owner_id, ["body"], action="create")
    now = clock.now()
    message = Message(
        id=new_id(),
        ticket_id=ticket_id,
        owner_id=owner_id,
        author_id=actor.person_id,
        visibility=visibility,
        channel=channel,
        body=masked,
        email_message_id=message_id_index(session, email_message_id) if email_message_id else None,
        card_numbers_masked=count,
        created_at=now,
    )
    session.add(message)
    written = Written(message, [])
    if not uploads:
        session.flush()
        return written
    gate_person(session, actor, Attachment, owner_id, ["filename"], action="create")
    rows = [
        Attachment(
            id=new_id(),
            message_id=message.id,
            ticket_id=ticket_id,
            owner_id=owner_id,
            filename=safe_filename(upload.filename),
            content_type=base_type(upload.content_type),
            size=len(upload.data),
            created_at=now + timedelta(microseconds=position),  # keeps the order sent
        )
        for position, upload in enumerate(uploads)
    ]
    session.add_all(rows)
    session.flush()  # card numbers in a file name are refused here, before any file is written
    try:
        for row, upload in zip(rows, uploads, strict=True):
            files.store(session, settings.files_dir, FILES, row.id, owner_id, upload.data)
            written.stored.append(row.id)
    except BaseException:
        discard(settings, written)
        raise
    return written


def discard(settings: Settings, written: Written) -> None:
    for file_id in written.stored:
        files.remove(settings.files_dir, FILES, file_id)


def add_message(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    *,
    body: str,
    visibility: str = "public",
    channel: str = "web",
    attachments: Sequence[Upload] = (),
    email_message_id: str | None = None,
) -> MessageView:
    """Reply on a ticket, or add an internal note (staff only). Card numbers in the body are
    masked; `card_numbers_masked` says how many. A customer's reply reopens a ticket waiting
    on them or resolved; staff's first public reply opens a new one. Closed tickets take no
    more messages. Commits, then mails whoever should hear of it."""
    check_role(session, actor, "write on tickets", purpose_for(actor))
    choice(visibility, VISIBILITIES, "visibility")
    choice(channel, CHANNELS, "channel")
    if is_customer(actor) and visibility != "public":
        raise Forbidden("Only staff may write internal notes.")
    body = clean_body(body, attachments)
    check_uploads(attachments)
    ticket = locate(session, actor, ticket_id, "write on tickets")
    if ticket.status == "closed":
        raise Conflict(
            "This request is closed: open a new one."
            if is_customer(actor)
            else "This ticket is closed: reopen it first."
        )
    written = write(
        session,
        settings,
        actor,
        ticket.id,
        ticket.requester_id,
        body=body,
        visibility=visibility,
        channel=channel,
        uploads=attachments,
        email_message_id=email_message_id,
    )
    try:
        status = _status_after(actor, ticket.status, visibility)
        changes: dict[str, Any] = {"last_activity_at": clock.now(), "updated_at": clock.now()}
        if status != ticket.status:
            changes.update(status=status, resolved_at=None)
            record_change(session, actor, ticket.id, "status", ticket.status, status)
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**changes))
        mails = _mails_for(session, settings, actor, ticket, written.message, len(attachments))
        view = _views(session, actor, [written.message])[0]
        session.commit()
    except BaseException:
        discard(settings, written)
        raise
    missed = notify.send_all(session, settings, mails)
    return replace(view, not_emailed=missed[0].reason) if missed else view


def _status_after(actor: Actor, status: str, visibility: str) -> str:
    if is_customer(actor) and status in REOPENED_BY_REPLY:
        return "open"
    if not is_customer(actor) and visibility == "public" and status == "new":
        return "open"
    return status


def _mails_for(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket: TicketRow,
    message: Message,
    attachments: int,
) -> notify.Outcome:
    """Staff's public reply goes to the requester; the requester's reply to the assignee."""
    if message.visibility != "public":
        return []
    if ticket.requester_id != actor.person_id and not is_customer(actor):
        return notify.reply_to_requester(
            session, settings, actor, ticket.id, ticket.requester_id, message, attachments
        )
    if ticket.requester_id == actor.person_id and ticket.assignee_id:
        return notify.customer_replied(
            session, settings, actor, ticket.id, ticket.requester_id, ticket.assignee_id
        )
    return []


def list_messages(
    session: Session, actor: Actor, ticket_id: int, offset: int = 0, limit: int = 50
) -> Page[MessageView]:
    """A ticket's messages, oldest first; customers get only the public ones."""
    check_paging(offset, limit)
    ticket = locate(session, actor, ticket_id, "see tickets")
    query = select(Message.id).where(Message.ticket_id == ticket.id)
    if is_customer(actor):
        query = query.where(Message.visibility == "public")
    ids = list(
        session.scalars(
            query.order_by(Message.created_at, Message.id).offset(offset).limit(limit + 1)
        )
    )
    page = page_of(ids, offset, limit)
    views = messages_of(session, actor, ticket.requester_id, list(page.items))
    session.commit()
    return Page(items=views, next_offset=page.next_offset)


def messages_of(
    session: Session, actor: Actor, owner_id: str, message_ids: Sequence[str]
) -> list[MessageView]:
    """These messages of one requester's ticket, opened after the gate allows it."""
    if not message_ids:
        return []
    gate_person(session, actor, Message, owner_id, ["body"])
    found = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(message_ids)))}
    return _views(session, actor, [found[i] for i in message_ids if i in found])


def _views(session: Session, actor: Actor, messages: Sequence[Message]) -> list[MessageView]:
    """Views of messages whose bodies the gate already allowed, with attachments and names."""
    ids = [m.id for m in messages]
    attached: dict[str, list[AttachmentInfo]] = {i: [] for i in ids}
    owners = set(session.scalars(select(Attachment.owner_id).where(Attachment.message_id.in_(ids))))
    for owner in owners:
        gate_person(session, actor, Attachment, owner, ["filename"])
    if owners:
        query = select(Attachment).where(Attachment.message_id.in_(ids))
        for row in session.scalars(query.order_by(Attachment.created_at, Attachment.id)):
            attached[row.message_id].append(
                AttachmentInfo(row.id, row.filename, row.content_type, row.size)
            )
    named = people.names(session, actor, [m.author_id for m in messages if m.author_id])
    return [
        MessageView(
            id=m.id,
            ticket_id=m.ticket_id,
            author_id=m.author_id,
            author_name=named.get(m.author_id) if m.author_id else None,
            visibility=m.visibility,
            channel=m.channel,
            body=m.body,
            created_at=m.created_at,
            attachments=attached[m.id],
            card_numbers_masked=m.card_numbers_masked,
        )
        for m in messages
    ]


def read_attachment(
    session: Session, settings: Settings, actor: Actor, attachment_id: str
) -> tuple[str, str, bytes]:
    """(file name, content type, clear content) of an attachment the actor may see: staff of
    the desk any; a customer only those on public messages of their own tickets."""
    check_role(session, actor, "read attachments", purpose_for(actor))
    query = (
        select(Attachment.id, Attachment.owner_id, Message.visibility, Ticket.requester_id)
        .join(Message, Message.id == Attachment.message_id)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(Attachment.id == attachment_id)
    )
    if is_customer(actor):
        query = query.where(Ticket.requester_id == actor.person_id, Message.visibility == "public")
    found = session.execute(query).first() if len(attachment_id) <= 36 else None
    if found is None or (is_customer(actor) and actor.person_id is None):
        raise NotFound("There is no such attachment.")
    gate_person(session, actor, Attachment, found.owner_id, ["filename"])
    row = session.get(Attachment, found.id)
    if row is None:
        raise NotFound("There is no such attachment.")
    data = files.load(session, settings.files_dir, FILES, row.id, row.owner_id)
    filename, content_type = row.filename or "attachment", row.content_type
    session.commit()
    return filename, content_type, data


def delete_message(
    session: Session, settings: Settings, actor: Actor, ticket_id: int, message_id: str
) -> None:
    """Admin only: remove one message (a reply sent by mistake, say) with its attachments,
    their files and its mentions; the ticket's history records that it was removed, not what
    it said. Commits."""
    check_role(session, actor, "delete messages", ADMINISTRATION)
    ticket = locate(session, actor, ticket_id, "delete messages")
    found = session.scalar(
        select(Message.id).where(Message.id == message_id, Message.ticket_id == ticket.id)
    )
    if found is None:
        raise NotFound("There is no such message on this ticket.")
    gate_person(session, actor, Message, ticket.requester_id, ["body"], action="delete")
    attachment_ids = list(
        session.scalars(select(Attachment.id).where(Attachment.message_id == message_id))
    )
    session.execute(
        delete(Mention).where(
            ((Mention.source_table == "messages") & (Mention.row_id == message_id))
            | ((Mention.source_table == "attachments") & Mention.row_id.in_(attachment_ids))
        )
    )
    session.execute(delete(Attachment).where(Attachment.message_id == message_id))
    session.execute(delete(Message).where(Message.id == message_id))
    record_change(session, actor, ticket.id, "message", message_id, None)
    session.commit()
    for file_id in attachment_ids:
        files.remove(settings.files_dir, FILES, file_id)
