"""Ticket notifications over SMTP: the requester hears that their new request was received
(its reference, subject and link), of a public reply (from the agent who wrote it, by name)
or a status change; the assignee of a ticket assigned to them or of the requester's reply.
An internal note is never mailed.

Mail is prepared inside the service's transaction and sent after it commits. Each recipient's
preference (`ticket_updates`; no row means the defaults, on) and address are read through
the gate for the purpose the mail serves (the service, or the finer service purpose the
policy uses for its messages: steward.policy.serviceable.mail_purposes), acting as the
recipient themselves or else as the staff member whose work sends the mail. A recipient the
policy does not let us mail now (a restriction) gets none, and the reason, in plain words,
is handed back (`Skipped`) so no page says a mail went out that did not. The ticket's
subject is read through the gate by whoever acted. Every mail carries a Message-ID naming
the ticket and the subject `[#id] subject`, so replies thread.
"""

import logging
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from steward.access.gate import PersonState, allowed
from steward.consent import preferences
from steward.core.actor import Actor
from steward.core.settings import Settings
from steward.desk.common import readable_owners
from steward.desk.models import Message, Ticket
from steward.desk.organisations import zone_of
from steward.desk.people import names
from steward.identity.common import (
    categories,
    load_account,
    load_person,
    mail_quietly,
    state_of,
)
from steward.identity.models import Account, Person
from steward.policy.active import policy_of
from steward.policy.local import Local
from steward.policy.serviceable import mail_purposes

log = logging.getLogger("steward.desk.notify")
STATUS_WORDS = {
    "new": "received",
    "open": "being worked on",
    "waiting_on_customer": "waiting for your answer",
    "resolved": "resolved",
    "closed": "closed",
}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    ticket_id: int
    headers: dict[str, str] = field(default_factory=dict)
    sender_name: str | None = None  # the staff member who wrote it; else the business


def message_id(ticket_id: int) -> str:
    return f"<t{ticket_id}.{secrets.token_hex(8)}@steward>"


def _subject(session: Session, actor: Actor, ticket_id: int, requester_id: str) -> str:
    subject = None
    if readable_owners(session, actor, Ticket, [requester_id], ["subject"]):
        ticket = session.get(Ticket, ticket_id)
        subject = ticket.subject if ticket else None
    return f"[#{ticket_id}] {subject or 'Your request'}"


@dataclass(frozen=True)
class Skipped:
    """A mail that was not prepared, and why, in words an agent reads ("... because ...")."""

    ticket_id: int
    reason: str


NOT_ALLOWED = (
    "the privacy policy does not allow reading their notification preferences to decide "
    "whether to email them"
)
NOT_NOW = "the privacy policy does not allow emailing them at the moment"
NOT_WANTED = "they turned off email about their requests in their notification preferences"
NO_ADDRESS = "we have no email address for them"
DISABLED = "their account is disabled"
NOT_SENT = "the mail server did not accept the mail"
Outcome = list[Mail | Skipped]
# Short codes for the reasons, so a page can be told one in its address.
REASONS = {
    "policy": NOT_ALLOWED,
    "not_now": NOT_NOW,
    "not_wanted": NOT_WANTED,
    "no_address": NO_ADDRESS,
    "disabled": DISABLED,
    "not_sent": NOT_SENT,
}


def reason_code(reason: str | None) -> str | None:
    return next((code for code, text in REASONS.items() if text == reason), None)


def _recipient(session: Session, person_id: str, account: Account | None) -> Actor | None:
    if account is None:
        return Actor(role="customer", person_id=person_id)
    if account.status == "disabled":
        return None
    return Actor(role=account.role, account_id=account.id, person_id=person_id)


def _reader(
    session: Session, recipient: Actor, sender: Actor, state: PersonState
) -> tuple[Actor, str] | str:
    """Who reads the address and the preference, for which purpose: the recipient acting on
    their own data, or the sender for their work; or the plain reason neither may."""
    policy = policy_of(session)
    purposes = mail_purposes(policy)
    wanted = [*categories(Person, ["email"]), preferences.CATEGORY]
    for purpose in purposes:
        for reader in (recipient, sender):
            if allowed(session, reader, purpose, state, wanted):
                return reader, purpose
    return NOT_NOW if purposes else NOT_ALLOWED


def _address(session: Session, recipient: Actor, sender: Actor) -> str | Skipped:
    """The recipient's address, when they want ticket updates and the policy allows it; else
    why not (ticket 0: the caller names the ticket)."""
    person_id = recipient.person_id
    if person_id is None:
        return Skipped(0, NO_ADDRESS)
    state = state_of(session, person_id)
    found = _reader(session, recipient, sender, state)
    if isinstance(found, str):
        return Skipped(0, found)
    reader, purpose = found
    preferences.gate_preferences(
        session, reader, state, ("ticket_updates", "preferred_channel"), purpose=purpose
    )
    chosen = preferences.load(session, [person_id])[person_id]
    if not chosen.ticket_updates or chosen.preferred_channel == "none":
        return Skipped(0, NOT_WANTED)
    email = load_person(session, reader, person_id, ["email"], purpose=purpose).email
    return email if email else Skipped(0, NO_ADDRESS)


def _one(
    session: Session,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    recipient: Actor | None,
    text: str,
) -> Outcome:
    if recipient is None:
        return [Skipped(ticket_id, DISABLED)]
    address = _address(session, recipient, actor)
    if isinstance(address, Skipped):
        return [Skipped(ticket_id, address.reason)]
    return [Mail(address, _subject(session, actor, ticket_id, requester_id), text, ticket_id)]


def _to_requester(
    session: Session, actor: Actor, ticket_id: int, requester_id: str, text: str
) -> Outcome:
    account = load_account(session, Account.person_id == requester_id)
    recipient = _recipient(session, requester_id, account)
    return _one(session, actor, ticket_id, requester_id, recipient, text)


def _to_account(
    session: Session, actor: Actor, ticket_id: int, requester_id: str, account_id: str, text: str
) -> Outcome:
    account = load_account(session, Account.id == account_id)
    if account is None or account.id == actor.account_id:
        return []
    recipient = _recipient(session, account.person_id, account)
    return _one(session, actor, ticket_id, requester_id, recipient, text)


def _writer(session: Session, actor: Actor) -> str | None:
    """The staff member's own display name, to sign their reply with (None if unreadable)."""
    if actor.person_id is None:
        return None
    return names(session, actor, [actor.person_id]).get(actor.person_id)


def portal_link(settings: Settings, ticket_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}/portal/tickets/{ticket_id}"


def desk_link(settings: Settings, ticket_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}/desk/tickets/{ticket_id}"


def reply_to_requester(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    message: Message,
    attachments: int = 0,
) -> Outcome:
    """Staff answered in public: the reply itself goes to the requester."""
    files = " (with attachments: see them online)" if attachments else ""
    text = (
        f"We replied to your request #{ticket_id}{files}:\n\n{message.body or ''}\n\n"
        f"Answer by replying to this email, or online: {portal_link(settings, ticket_id)}"
    )
    mails = _to_requester(session, actor, ticket_id, requester_id, text)
    writer = _writer(session, actor)
    return [replace(m, sender_name=writer) if isinstance(m, Mail) else m for m in mails]


def acknowledged(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    subject: str,
    opened_at: datetime,
) -> Outcome:
    """The requester opened a request themselves: it was received, under this reference."""
    local = Local.of(policy_of(session).controller, zone_of(session, requester_id))
    text = (
        f'We received your request "{subject}" on {local.moment(opened_at)} '
        f"({local.zone_name(opened_at)}). Its reference is #{ticket_id}: keep it in the "
        "subject when you write to us about it.\n\n"
        "We will answer by email and in the portal, where you can follow it and add to it:\n"
        f"{portal_link(settings, ticket_id)}"
    )
    return _to_requester(session, actor, ticket_id, requester_id, text)


def status_changed(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    status: str,
) -> Outcome:
    text = (
        f"Your request #{ticket_id} is now {STATUS_WORDS.get(status, status)}.\n\n"
        f"See it online: {portal_link(settings, ticket_id)}"
    )
    return _to_requester(session, actor, ticket_id, requester_id, text)


def assigned(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    account_id: str,
) -> Outcome:
    text = f"Ticket #{ticket_id} was assigned to you.\n\n{desk_link(settings, ticket_id)}"
    return _to_account(session, actor, ticket_id, requester_id, account_id, text)


def customer_replied(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    account_id: str,
) -> Outcome:
    text = f"The requester replied on ticket #{ticket_id}.\n\n{desk_link(settings, ticket_id)}"
    return _to_account(session, actor, ticket_id, requester_id, account_id, text)


def send_all(session: Session, settings: Settings, mails: Outcome) -> list[Skipped]:
    """Send after the commit; a failure is logged (ids only) and the rest still go. Returns
    what did not go out, each with its reason."""
    missed = [m for m in mails if isinstance(m, Skipped)]
    for mail in mails:
        if isinstance(mail, Skipped):
            continue
        headers = {
            "Message-ID": message_id(mail.ticket_id),
            "Auto-Submitted": "auto-generated",
            **mail.headers,
        }
        sent = mail_quietly(
            session, settings, mail.to, mail.subject, mail.body, headers, mail.sender_name
        )
        if not sent:
            log.warning("ticket %s: a notification could not be sent", mail.ticket_id)
            missed.append(Skipped(mail.ticket_id, NOT_SENT))
    return missed
