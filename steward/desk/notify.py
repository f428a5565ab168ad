"""Ticket notifications over SMTP: the requester hears of a public reply or a status change,
the assignee of a ticket assigned to them or of the requester's reply.

Mail is prepared inside the service's transaction and sent after it commits. Each recipient's
preference (`ticket_updates`; no row means the defaults, on) and address are read through
the gate acting as the recipient themselves, for the self-service purpose, as identity does
for its own mail; a recipient the policy does not let us mail now (a restriction) gets none.
The ticket's subject is read through the gate by whoever acted. Every mail carries a
Message-ID naming the ticket and the subject `[#id] subject`, so replies thread.
"""

import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from steward.access.gate import decide, policy_of
from steward.consent import preferences
from steward.core.actor import Actor
from steward.core.settings import Settings
from steward.desk.common import SERVICE, readable_owners
from steward.desk.models import Message, Ticket
from steward.identity.common import (
    categories,
    load_account,
    load_person,
    mail_quietly,
    state_of,
)
from steward.identity.models import Account, Person

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


def message_id(ticket_id: int) -> str:
    return f"<t{ticket_id}.{secrets.token_hex(8)}@steward>"


def _subject(session: Session, actor: Actor, ticket_id: int, requester_id: str) -> str:
    subject = None
    if readable_owners(session, actor, Ticket, [requester_id], ["subject"]):
        ticket = session.get(Ticket, ticket_id)
        subject = ticket.subject if ticket else None
    return f"[#{ticket_id}] {subject or 'Your request'}"


def _recipient(session: Session, person_id: str, account: Account | None) -> Actor | None:
    if account is None:
        return Actor(role="customer", person_id=person_id)
    if account.status == "disabled":
        return None
    return Actor(role=account.role, account_id=account.id, person_id=person_id)


def _address(session: Session, recipient: Actor) -> str | None:
    """The recipient's address, when they want ticket updates and the policy allows it."""
    person_id = recipient.person_id
    if person_id is None:
        return None
    wanted = [*categories(Person, ["email"]), preferences.CATEGORY]
    state = state_of(session, person_id)
    if decide(policy_of(session), recipient, SERVICE, state, wanted):
        return None
    preferences.gate_preferences(session, recipient, state, ("ticket_updates", "preferred_channel"))
    chosen = preferences.load(session, [person_id])[person_id]
    if not chosen.ticket_updates or chosen.preferred_channel == "none":
        return None
    email: str | None = load_person(session, recipient, person_id, ["email"]).email
    return email


def _to_requester(
    session: Session, actor: Actor, ticket_id: int, requester_id: str, text: str
) -> list[Mail]:
    account = load_account(session, Account.person_id == requester_id)
    recipient = _recipient(session, requester_id, account)
    address = _address(session, recipient) if recipient else None
    if not address:
        return []
    return [Mail(address, _subject(session, actor, ticket_id, requester_id), text, ticket_id)]


def _to_account(
    session: Session, actor: Actor, ticket_id: int, requester_id: str, account_id: str, text: str
) -> list[Mail]:
    account = load_account(session, Account.id == account_id)
    if account is None or account.id == actor.account_id:
        return []
    recipient = _recipient(session, account.person_id, account)
    address = _address(session, recipient) if recipient else None
    if not address:
        return []
    return [Mail(address, _subject(session, actor, ticket_id, requester_id), text, ticket_id)]


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
) -> list[Mail]:
    """Staff answered in public: the reply itself goes to the requester."""
    files = " (with attachments: see them online)" if attachments else ""
    text = (
        f"We replied to your request #{ticket_id}{files}:\n\n{message.body or ''}\n\n"
        f"Answer by replying to this email, or online: {portal_link(settings, ticket_id)}"
    )
    return _to_requester(session, actor, ticket_id, requester_id, text)


def status_changed(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    status: str,
) -> list[Mail]:
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
) -> list[Mail]:
    text = f"Ticket #{ticket_id} was assigned to you.\n\n{desk_link(settings, ticket_id)}"
    return _to_account(session, actor, ticket_id, requester_id, account_id, text)


def customer_replied(
    session: Session,
    settings: Settings,
    actor: Actor,
    ticket_id: int,
    requester_id: str,
    account_id: str,
) -> list[Mail]:
    text = f"The requester replied on ticket #{ticket_id}.\n\n{desk_link(settings, ticket_id)}"
    return _to_account(session, actor, ticket_id, requester_id, account_id, text)


def send_all(session: Session, settings: Settings, mails: list[Mail]) -> int:
    """Send after the commit; a failure is logged (ids only) and the rest still go."""
    sent = 0
    for mail in mails:
        headers = {
            "Message-ID": message_id(mail.ticket_id),
            "Auto-Submitted": "auto-generated",
            **mail.headers,
        }
        if mail_quietly(session, settings, mail.to, mail.subject, mail.body, headers):
            sent += 1
        else:
            log.warning("ticket %s: a notification could not be sent", mail.ticket_id)
    return sent
