"""Tickets: open, list and search, see, change and delete support requests.

A ticket belongs to its requester: its subject and messages are sealed under their key and
read through the gate. Customers open tickets for themselves, or, as a contact of an
organisation, about one of its people (D2); staff open them on behalf of someone who called,
chatted or wrote. Customers see only the tickets they requested (another's answers "not
found", like a missing one) and never internal notes nor the change history; agents and
admins work the whole queue for the support purpose. Every change of a field is a
TicketEvent; a changed subject is recorded as changed, without its text. There is no CC (D3).

Search (`text`) matches the ticket number, the subject, the requester's name and the
organisation's name. Subjects and names are sealed, so search opens them only within the
rows the other filters (and the customer's scope) already chose, newest first, and stops as
soon as the page is full, or after SEARCH_SCAN (500) rows: a ticket older than the newest
500 candidates is found by narrowing the filters, or by its number, which is matched in SQL
whatever its age. Each requester whose subject or name is opened costs audit entries (X3),
which is what the cap bounds.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.cards import refuse_card_number
from steward.core.db import rows_by_id
from steward.core.errors import Forbidden, Invalid, NotFound
from steward.core.settings import Settings
from steward.desk import notify, people
from steward.desk.assignments import check_assignee
from steward.desk.common import (
    ADMINISTRATION,
    Page,
    check_paging,
    gate_person,
    is_contact_of,
    is_customer,
    organisations_of,
    page_of,
    purpose_for,
    readable_owners,
)
from steward.desk.messages import (
    CLEAR_COLUMNS,
    FILES,
    MessageView,
    TicketRow,
    Upload,
    check_uploads,
    choice,
    clean_body,
    discard,
    locate,
    messages_of,
    record_change,
    write,
)
from steward.desk.models import (
    CHANNELS,
    PRIORITIES,
    STATUSES,
    Attachment,
    Call,
    Message,
    Organisation,
    Quote,
    RemoteSession,
    ServiceRecord,
    Ticket,
    TicketEvent,
)
from steward.identity.models import Person
from steward.pii.mentions import Mention
from steward.vault import files
from steward.vault.service import message_id_index

STAFF_CHANNELS = ("phone", "chat", "email")  # staff open tickets for someone who got in touch
CUSTOMER_STATUSES = ("resolved", "closed")  # what customers may set on their own tickets
MAX_SUBJECT = 200
MAX_TEXT = 200
SEARCH_SCAN = 500  # most candidate rows one search opens (see the module's docstring)
SEARCH_BATCH = 100
COPY_FIELDS = ("cc", "bcc")  # D3: deliberately not taken
UNASSIGNED = "none"
MINE = "me"
# A status filter may also name a group: the open work (not yet resolved), or every status.
OPEN_WORK = ("new", "open", "waiting_on_customer")
STATUS_GROUPS = {"all_open": OPEN_WORK, "all": STATUSES}

__all__ = ["MessageView", "Upload"]


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None  # a status, or a group of them (STATUS_GROUPS)
    priority: str | None = None
    channel: str | None = None
    assignee_id: str | None = None  # "none": unassigned; "me": the actor's own account
    organisation_id: str | None = None
    requester_id: str | None = None
    text: str | None = None  # number, subject, requester name, organisation name


FILTER_FIELDS = tuple(f.name for f in fields(TicketFilter))


@dataclass(frozen=True)
class TicketSummary:
    id: int
    subject: str | None  # None when the reader may not see it (the requester restricted it)
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


@dataclass(frozen=True)
class EventView:
    id: str
    field: str
    old: str | None
    new: str | None
    actor_id: str | None  # an account id, or None for Steward itself or a person without one
    at: datetime


@dataclass(frozen=True)
class TicketView(TicketSummary):
    about_id: str | None
    about_name: str | None
    messages: list[MessageView]  # customers never get internal notes
    events: list[EventView]  # field-change history: staff only, empty for customers


class CopiesRefused(Invalid):
    title = "Copies are not taken"


def refuse_copies(field_names: Iterable[str]) -> None:
    """D3: a request naming people to copy is refused whole, so that nobody's address enters
    without their own consent. The form and the API have no such field."""
    if any(name.strip().lower() in COPY_FIELDS for name in field_names):
        raise CopiesRefused(
            "We take requests only from the person themselves, so there is no CC or BCC: "
            "nobody's address enters without their consent. Ask the others to write to us "
            "themselves, or, as a contact of their organisation, open a request about them."
        )


def checked_filter(actor: Actor, filters: TicketFilter) -> TicketFilter:
    """The filter with its values checked; "me" becomes the actor's account."""
    for value, allowed, what in (
        (filters.status, (*STATUSES, *STATUS_GROUPS), "status"),
        (filters.priority, PRIORITIES, "priority"),
        (filters.channel, CHANNELS, "channel"),
    ):
        if value is not None:
            choice(value, allowed, what)
    for value in (filters.assignee_id, filters.organisation_id, filters.requester_id):
        if value is not None and len(value) > 36:
            raise Invalid("An id has at most 36 characters.")
    text = (filters.text or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise Invalid(f"Search for at most {MAX_TEXT} characters.")
    assignee = filters.assignee_id
    if assignee == MINE:
        assignee = actor.account_id or UNASSIGNED
    return replace(filters, text=text, assignee_id=assignee)


def _query(actor: Actor, filters: TicketFilter) -> Select[*tuple[Any, ...]]:
    query = select(*CLEAR_COLUMNS)
    if is_customer(actor):
        query = query.where(Ticket.requester_id == actor.person_id)
    if filters.status in STATUS_GROUPS:
        if filters.status != "all":
            query = query.where(Ticket.status.in_(STATUS_GROUPS[filters.status]))
    elif filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    for column, value in (
        (Ticket.priority, filters.priority),
        (Ticket.channel, filters.channel),
        (Ticket.organisation_id, filters.organisation_id),
        (Ticket.requester_id, filters.requester_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.assignee_id == UNASSIGNED:
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Ticket.assignee_id == filters.assignee_id)
    return query.order_by(Ticket.id.desc())


class _Reader:
    """Opens subjects and names of listed tickets through the gate, once per requester."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self.checked: set[str] = set()
        self.allowed: set[str] = set()
        self.subjects: dict[int, str | None] = {}
        self.names: dict[str, str] = {}
        self.organisations: dict[str, str] = {}

    def load(self, rows: Sequence[TicketRow]) -> None:
        session, actor = self.session, self.actor
        new = list(
            dict.fromkeys(r.requester_id for r in rows if r.requester_id not in self.checked)
        )
        self.checked.update(new)
        self.allowed |= readable_owners(session, actor, Ticket, new, ["subject"])
        opened = [
            r.id for r in rows if r.requester_id in self.allowed and r.id not in self.subjects
        ]
        if opened:
            for ticket in rows_by_id(session, Ticket, opened):
                self.subjects[ticket.id] = ticket.subject
        self.names.update(people.names(session, actor, new))
        wanted = {r.organisation_id for r in rows if r.organisation_id} - set(self.organisations)
        if wanted:
            found = session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
            )
            self.organisations.update({o.id: o.name for o in found})

    def matches(self, row: TicketRow, needle: str) -> bool:
        texts = (
            self.subjects.get(row.id),
            self.names.get(row.requester_id),
            self.organisations.get(row.organisation_id) if row.organisation_id else None,
        )
        return any(needle in text.casefold() for text in texts if text)

    def summary(self, row: TicketRow) -> TicketSummary:
        return TicketSummary(
            id=row.id,
            subject=self.subjects.get(row.id),
            status=row.status,
            priority=row.priority,
            channel=row.channel,
            requester_id=row.requester_id,
            requester_name=self.names.get(row.requester_id),
            organisation_id=row.organisation_id,
            organisation_name=(
                self.organisations.get(row.organisation_id) if row.organisation_id else None
            ),
            assignee_id=row.assignee_id,
            created_at=row.created_at,
            last_activity_at=row.last_activity_at,
        )


def list_tickets(
    session: Session, actor: Actor, filters: TicketFilter, offset: int = 0, limit: int = 50
) -> Page[TicketSummary]:
    """Newest first. Customers get the tickets they requested; agents and admins the queue.
    Commits the audit entries of what it opened."""
    check_role(session, actor, "see tickets", purpose_for(actor))
    check_paging(offset, limit)
    filters = checked_filter(actor, filters)
    if is_customer(actor) and actor.person_id is None:
        return Page(items=[], next_offset=None)
    reader, query = _Reader(session, actor), _query(actor, filters)
    if filters.text is None:
        rows = session.execute(query.offset(offset).limit(limit + 1)).all()
        page = page_of(rows, offset, limit)
        reader.load(page.items)
    else:
        page = _search(session, reader, query, filters.text, offset, limit)
    items = [reader.summary(row) for row in page.items]
    session.commit()
    return Page(items=items, next_offset=page.next_offset)


def _search(
    session: Session,
    reader: _Reader,
    query: Select[*tuple[Any, ...]],
    text: str,
    offset: int,
    limit: int,
) -> Page[TicketRow]:
    needle, wanted = text.casefold(), offset + limit + 1
    number = re.fullmatch(r"#?([0-9]{1,10})", needle)
    exact = int(number.group(1)) if number else None
    # A ticket's number finds it however old it is; the scan looks at the newest only.
    matched = list(session.execute(query.where(Ticket.id == exact)).all()) if exact else []
    reader.load(matched)
    scanned, last = 0, None
    while scanned < SEARCH_SCAN and len(matched) < wanted:
        batch_query = query if last is None else query.where(Ticket.id < last)
        size = min(SEARCH_BATCH, SEARCH_SCAN - scanned)
        batch = session.execute(batch_query.limit(size)).all()
        if not batch:
            break
        scanned, last = scanned + len(batch), batch[-1].id
        reader.load(batch)
        matched.extend(row for row in batch if row.id != exact and reader.matches(row, needle))
    return page_of(matched[offset:wanted], offset, limit)


def _view(session: Session, actor: Actor, row: TicketRow) -> TicketView:
    reader = _Reader(session, actor)
    reader.load([row])
    about_name = None
    if row.about_id:
        about_name = people.names(session, actor, [row.about_id]).get(row.about_id)
    query = select(Message.id).where(Message.ticket_id == row.id)
    if is_customer(actor):
        query = query.where(Message.visibility == "public")
    ids = list(session.scalars(query.order_by(Message.created_at, Message.id)))
    events: list[EventView] = []
    if not is_customer(actor):
        found = session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == row.id)
            .order_by(TicketEvent.at, TicketEvent.id)
        )
        events = [EventView(e.id, e.field, e.old, e.new, e.actor_id, e.at) for e in found]
    summary = reader.summary(row)
    return TicketView(
        **summary.__dict__,
        about_id=row.about_id,
        about_name=about_name,
        messages=messages_of(session, actor, row.requester_id, ids),
        events=events,
    )


def get_ticket(session: Session, actor: Actor, ticket_id: int) -> TicketView:
    """One ticket with its messages (customers: public ones only) and, for staff, its history.
    Commits the audit entries of what it opened."""
    view = _view(session, actor, locate(session, actor, ticket_id, "see tickets"))
    session.commit()
    return view


def _clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise Invalid("Give the request a subject.")
    if len(subject) > MAX_SUBJECT:
        raise Invalid(f"Keep the subject under {MAX_SUBJECT} characters.")
    refuse_card_number(subject, "subject")
    return subject


def _requester(session: Session, actor: Actor, requester_id: str | None, channel: str) -> str:
    if is_customer(actor):
        if actor.person_id is None or requester_id not in (None, actor.person_id):
            raise Forbidden(
                "You can open requests only for yourself. To ask for one of your "
                "organisation's people, name them as the person the request is about."
            )
        return actor.person_id
    if channel not in STAFF_CHANNELS:
        raise Invalid(
            "Staff open tickets for someone who called, chatted or wrote: choose the "
            f"channel ({', '.join(STAFF_CHANNELS)})."
        )
    if not requester_id:
        raise Invalid("Name the requester: the person the ticket is for.")
    if len(requester_id) > 36 or session.get(Person, requester_id) is None:
        raise NotFound("There is no such person.")
    return requester_id


def _organisation(
    session: Session, requester_id: str, about_id: str | None, organisation_id: str | None
) -> str | None:
    """The organisation the ticket is for. A request about someone else needs the requester
    to be a contact of an organisation that person belongs to (D2)."""
    mine = organisations_of(session, requester_id)
    if about_id is not None:
        if about_id == requester_id:
            raise Invalid("A request about yourself needs no other person named.")
        theirs = organisations_of(session, about_id)
        candidates = [organisation_id] if organisation_id else theirs
        for candidate in candidates:
            if candidate in theirs and is_contact_of(session, requester_id, candidate):
                return candidate
        raise Forbidden(
            "Only a contact of an organisation may open a request for one of its people, "
            "and only for people of that organisation."
        )
    if organisation_id is not None:
        if organisation_id not in mine:
            raise Forbidden("The requester does not belong to that organisation.")
        return organisation_id
    return mine[0] if len(mine) == 1 else None


def open_ticket(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    subject: str,
    body: str,
    channel: str = "web",
    priority: str = "normal",
    requester_id: str | None = None,
    about_id: str | None = None,
    organisation_id: str | None = None,
    attachments: Sequence[Upload] = (),
    email_message_id: str | None = None,
) -> TicketView:
    """Open a ticket with its first message. Commits; a customer who opened it themselves
    (not by mail) is then mailed an acknowledgement.

    A card number in the subject is refused; in the body it is masked, and the first
    message's `card_numbers_masked` says so. `email_message_id` (the Message-ID of the mail
    that opened it) is kept as a blind index, to thread replies.
    """
    check_role(session, actor, "open tickets", purpose_for(actor))
    choice(channel, CHANNELS, "channel")
    choice(priority, PRIORITIES, "priority")
    subject = _clean_subject(subject)
    body = clean_body(body, attachments)
    check_uploads(attachments)
    requester_id = _requester(session, actor, requester_id, channel)
    organisation_id = _organisation(session, requester_id, about_id, organisation_id)
    gate_person(session, actor, Ticket, requester_id, ["subject"], action="create")
    now = clock.now()
    thread = message_id_index(session, email_message_id) if email_message_id else None
    ticket = Ticket(
        requester_id=requester_id,
        about_id=about_id,
        organisation_id=organisation_id,
        channel=channel,
        status="new",
        priority=priority,
        subject=subject,
        email_thread=thread,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    session.add(ticket)
    session.flush()
    if about_id is not None:
        session.add(
            Mention(
                person_id=about_id, source_table="tickets", row_id=str(ticket.id), created_at=now
            )
        )
    written = write(
        session,
        settings,
        actor,
        ticket.id,
        requester_id,
        body=body,
        visibility="public",
        channel=channel,
        uploads=attachments,
        email_message_id=email_message_id,
    )
    try:
        view = _view(session, actor, locate(session, actor, ticket.id, "open tickets"))
        mails: notify.Outcome = []
        if is_customer(actor) and channel != "email":  # no auto-reply to a mail: loops
            mails = notify.acknowledged(
                session, settings, actor, ticket.id, requester_id, subject, now
            )
        session.commit()
    except BaseException:
        discard(settings, written)
        raise
    notify.send_all(session, settings, mails)
    return view


def update_ticket(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    *,
    status: str | None = None,
    priority: str | None = None,
    assignee_id: str | None = None,
    subject: str | None = None,
    tell_status: bool = True,
) -> TicketView:
    """Change the given fields (None: leave as is; assignee "none": unassign), one event per
    field that changed. Customers may only resolve or close their own tickets. Commits, then
    mails the requester of a new status (unless `tell_status` is False: a reply just mailed
    to them goes with it) and a new assignee of the assignment."""
    check_role(session, actor, "change tickets", purpose_for(actor))
    if is_customer(actor) and (
        priority is not None
        or assignee_id is not None
        or subject is not None
        or status not in (None, *CUSTOMER_STATUSES)
    ):
        raise Forbidden("You can only mark your own request as resolved or closed.")
    if status is not None:
        choice(status, STATUSES, "status")
    if priority is not None:
        choice(priority, PRIORITIES, "priority")
    if subject is not None:
        subject = _clean_subject(subject)
    new_assignee = None if assignee_id in (None, UNASSIGNED, "") else assignee_id
    if new_assignee is not None:
        check_assignee(session, new_assignee)
    ticket = locate(session, actor, ticket_id, "change tickets")
    now = clock.now()
    changes: dict[str, Any] = {}
    if status is not None and status != ticket.status:
        changes.update(
            status=status,
            resolved_at=now if status == "resolved" else None,
            closed_at=now if status == "closed" else None,
        )
        record_change(session, actor, ticket.id, "status", ticket.status, status)
    if priority is not None and priority != ticket.priority:
        changes["priority"] = priority
        record_change(session, actor, ticket.id, "priority", ticket.priority, priority)
    if assignee_id is not None and new_assignee != ticket.assignee_id:
        changes["assignee_id"] = new_assignee
        record_change(session, actor, ticket.id, "assignee", ticket.assignee_id, new_assignee)
    subject_changed = subject is not None and _change_subject(session, actor, ticket, subject)
    if not changes and not subject_changed:
        return get_ticket(session, actor, ticket.id)
    changes.update(updated_at=now, last_activity_at=now)
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**changes))
    mails: notify.Outcome = []
    if "status" in changes and tell_status and ticket.requester_id != actor.person_id:
        mails += notify.status_changed(
            session, settings, actor, ticket.id, ticket.requester_id, status or ""
        )
    if changes.get("assignee_id"):
        mails += notify.assigned(
            session, settings, actor, ticket.id, ticket.requester_id, changes["assignee_id"]
        )
    view = _view(session, actor, locate(session, actor, ticket.id, "change tickets"))
    session.commit()
    notify.send_all(session, settings, mails)
    return view


def _change_subject(session: Session, actor: Actor, ticket: TicketRow, subject: str) -> bool:
    gate_person(session, actor, Ticket, ticket.requester_id, ["subject"], action="update")
    row = session.get(Ticket, ticket.id)
    if row is None or row.subject == subject:
        return False
    row.subject = subject
    record_change(session, actor, ticket.id, "subject", None, None)  # changed, never the text
    session.flush()
    return True


def delete_ticket(session: Session, settings: Settings, actor: Actor, ticket_id: int) -> None:
    """Admin only: delete the ticket with its messages, attachments (their files too), events
    and mentions. Calls, remote sessions, service records and quotes that named the ticket
    are kept, under their own retention, with the reference cleared. Commits."""
    check_role(session, actor, "delete tickets", ADMINISTRATION)
    ticket = locate(session, actor, ticket_id, "delete tickets")
    owner = ticket.requester_id
    gate_person(session, actor, Ticket, owner, ["subject"], action="delete")
    gate_person(session, actor, Message, owner, ["body"], action="delete")
    message_ids = list(session.scalars(select(Message.id).where(Message.ticket_id == ticket.id)))
    attachment_ids = list(
        session.scalars(select(Attachment.id).where(Attachment.ticket_id == ticket.id))
    )
    if attachment_ids:
        gate_person(session, actor, Attachment, owner, ["filename"], action="delete")
    session.execute(
        delete(Mention).where(
            or_(
                (Mention.source_table == "tickets") & (Mention.row_id == str(ticket.id)),
                (Mention.source_table == "messages") & Mention.row_id.in_(message_ids),
                (Mention.source_table == "attachments") & Mention.row_id.in_(attachment_ids),
            )
        )
    )
    for model in (Call, RemoteSession, ServiceRecord, Quote):
        session.execute(update(model).where(model.ticket_id == ticket.id).values(ticket_id=None))
    for owned in (Attachment, TicketEvent, Message):
        session.execute(delete(owned).where(owned.ticket_id == ticket.id))
    session.execute(delete(Ticket).where(Ticket.id == ticket.id))
    session.commit()
    for file_id in attachment_ids:
        files.remove(settings.files_dir, FILES, file_id)
