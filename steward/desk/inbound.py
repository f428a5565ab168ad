"""Inbound mail becomes tickets and replies (D7): `ingest` takes one raw message.

- A machine's mail (auto-reply, bounce, list) and mail from our own addresses are ignored,
  so no ticket is opened for them and no notification answers them: no mail loops.
- The sender is the person with that address, or a new customer created as themselves (one
  writing from an organisation's domain joins it as an end user). They act as themselves:
  `Actor(role="customer", account_id=<their account or None>, person_id)`.
- A mail is a reply when it answers one of our notifications (`<t{id}.{hex}@steward>` in
  In-Reply-To or References), answers a mail stored on a ticket (its Message-ID, kept as a
  blind index), or names `[#id]` in its subject; and only when the sender is that ticket's
  requester. Anyone else, or a reply to a closed request, opens a new ticket, so nobody writes
  into someone else's ticket by guessing its number.
- The same Message-ID is stored once: a second delivery is ignored.
- Card numbers are masked by the message service (D4). Attachments the desk does not accept
  (too large, empty, of a refused type, beyond the tenth) are left out, each with a line in
  the message saying so; the rest of the mail is kept. When anything was masked or left out,
  the sender is told by a reply mail.
"""

import logging
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.cards import contains_card_number, mask_card_numbers
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.desk import messages, notify, tickets
from steward.desk.messages import Upload
from steward.desk.models import Membership, Message, Organisation, Ticket
from steward.desk.people import add_person, find_by_email
from steward.identity.common import mail_quietly
from steward.identity.models import Account
from steward.mail.inbound import OWN_MESSAGE, InboundMail, parse, strip_quoted
from steward.policy.active import policy_of
from steward.vault.service import message_id_index

log = logging.getLogger("steward.desk.inbound")
OUR_MESSAGE_ID = re.compile(r"^<t(\d{1,10})\.[0-9a-f]+@steward>$")
SUBJECT_TAG = re.compile(r"\[#(\d{1,10})\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs)\s*:\s*)+", re.IGNORECASE)
MAX_SUBJECT = 200
MAX_THREAD_IDS = 50  # the newest ids of a long References header are enough
CUT = "\n\n[The mail was longer than a message may be; the rest was not kept.]"


@dataclass(frozen=True)
class IngestResult:
    ticket_id: int | None
    outcome: str  # "new", "reply" or "ignored"
    reason: str | None = None  # why it was ignored
    card_numbers_masked: int = 0
    attachments_kept: int = 0
    attachments_dropped: int = 0


def ingest(session: Session, settings: Settings, raw: bytes) -> IngestResult:
    """File one raw message as a new ticket or a reply, or ignore it; commits. Raises
    MalformedMail for input that is not a usable mail, changing nothing."""
    mail = parse(raw)
    try:
        result = _ingest(session, settings, mail)
    except BaseException:
        session.rollback()
        raise
    log.info("inbound mail: %s, ticket %s", result.outcome, result.ticket_id or "-")
    return result


def _ingest(session: Session, settings: Settings, mail: InboundMail) -> IngestResult:
    if mail.automatic:
        return IngestResult(None, "ignored", f"{mail.automatic}; no ticket is opened for it")
    controller = policy_of(session).controller
    ours = {controller.email.casefold(), controller.privacy_contact.casefold()}
    if mail.sender.casefold() in ours or (mail.message_id or "").endswith(OWN_MESSAGE):
        return IngestResult(None, "ignored", "sent by Steward itself")
    person_id = find_by_email(session, mail.sender)
    if mail.message_id:
        already = _already_stored(session, mail.message_id, person_id)
        if already is not None:
            return IngestResult(already or None, "ignored", "this message was already received")
    if person_id is None:
        person_id, account_id = _new_sender(session, mail), None
    else:
        account_id = session.scalar(
            select(Account.id).where(Account.person_id == person_id).limit(1)
        )
    actor = Actor(role="customer", account_id=account_id, person_id=person_id)
    kept, notes = _uploads(mail)
    ticket_id = _thread(session, mail, person_id)
    if ticket_id is not None:
        body = _with_notes(strip_quoted(mail.body), notes)
        reply = messages.add_message(
            session,
            settings,
            actor,
            ticket_id,
            body=body,
            channel="email",
            attachments=kept,
            email_message_id=mail.message_id,
        )
        masked, outcome = reply.card_numbers_masked, "reply"
    else:
        opened = tickets.open_ticket(
            session,
            settings,
            actor,
            subject=_subject(mail.subject),
            body=_with_notes(mail.body, notes),
            channel="email",
            attachments=kept,
            email_message_id=mail.message_id,
        )
        ticket_id, outcome = opened.id, "new"
        masked = sum(m.card_numbers_masked for m in opened.messages)
    result = IngestResult(ticket_id, outcome, None, masked, len(kept), len(notes))
    _tell_sender(session, settings, mail, result)
    return result


def _new_sender(session: Session, mail: InboundMail) -> str:
    """A person for a first mail, created as themselves; one writing from an organisation's
    domain joins it as an end user, so their requests are filed under it."""
    person_id = new_id()
    domain = mail.sender.rpartition("@")[2].lower()
    organisation_id = session.scalar(
        select(Organisation.id)
        .where(Organisation.domain == domain, Organisation.contract_ended_at.is_(None))
        .limit(1)
    )
    add_person(
        session,
        Actor(role="customer", person_id=person_id),
        kind="end_user" if organisation_id else "customer",
        name=_no_card_number(mail.sender_name),
        email=mail.sender,
        person_id=person_id,
    )
    if organisation_id:
        session.add(
            Membership(
                organisation_id=organisation_id,
                person_id=person_id,
                kind="end_user",
                created_at=clock.now(),
            )
        )
        session.flush()
    return person_id


def _already_stored(session: Session, message_id: str, person_id: str | None) -> int | None:
    """The ticket holding a message with this Message-ID: its number when the sender is its
    requester, 0 when it is someone else's (whose number is not told), None when new."""
    index = message_id_index(session, message_id)
    found = session.execute(
        select(Ticket.id, Ticket.requester_id)
        .join(Message, Message.ticket_id == Ticket.id)
        .where(Message.email_message_id == index)
        .limit(1)
    ).first()
    if found is None:
        return None
    return int(found.id) if found.requester_id == person_id else 0


def _thread(session: Session, mail: InboundMail, person_id: str) -> int | None:
    """The open ticket of this requester that the mail answers, if any."""
    candidates: list[int] = []
    thread_ids = mail.thread_ids[:MAX_THREAD_IDS]
    for message_id in thread_ids:
        ours = OUR_MESSAGE_ID.match(message_id)
        if ours:
            candidates.append(int(ours.group(1)))
    indexes = [message_id_index(session, m) for m in thread_ids]
    if indexes:
        candidates += session.scalars(
            select(Message.ticket_id).where(Message.email_message_id.in_(indexes))
        )
    candidates += [int(n) for n in SUBJECT_TAG.findall(mail.subject)]
    for ticket_id in dict.fromkeys(c for c in candidates if c <= messages.LARGEST_TICKET):
        found = session.execute(
            select(Ticket.requester_id, Ticket.status).where(Ticket.id == ticket_id)
        ).first()
        if found is not None and found.requester_id == person_id and found.status != "closed":
            return ticket_id
    return None


def _subject(subject: str) -> str:
    """A new ticket's subject: without reply prefixes or another ticket's number. A card
    number is masked here, as in the text: the sender cannot be asked to write it again."""
    cleaned = REPLY_PREFIX.sub("", SUBJECT_TAG.sub("", subject)).strip()
    return mask_card_numbers(" ".join(cleaned.split()))[0][:MAX_SUBJECT] or "(no subject)"


def _uploads(mail: InboundMail) -> tuple[list[Upload], list[str]]:
    """The attachments the desk accepts, and a note for each one left out."""
    kept: list[Upload] = []
    notes: list[str] = []
    for attachment in mail.attachments:
        content_type = messages.base_type(attachment.content_type)
        if content_type == "application/octet-stream":  # a sender that did not say: guess
            content_type = mimetypes.guess_type(attachment.filename)[0] or content_type
        name = mask_card_numbers(messages.safe_filename(attachment.filename))[0]
        size_limit = messages.MAX_ATTACHMENT_BYTES // (1024 * 1024)
        if not attachment.data:
            notes.append(f"{name}: the file was empty")
        elif len(attachment.data) > messages.MAX_ATTACHMENT_BYTES:
            notes.append(f"{name}: larger than {size_limit} MB")
        elif content_type not in messages.ALLOWED_TYPES:
            notes.append(f"{name}: a type of file we do not accept")
        elif len(kept) >= messages.MAX_ATTACHMENTS:
            notes.append(f"{name}: more than {messages.MAX_ATTACHMENTS} files in one mail")
        else:
            kept.append(Upload(name, content_type, attachment.data))
    return kept, notes


def _with_notes(body: str, notes: Sequence[str]) -> str:
    """The text with a line for the attachments left out; a text longer than a message may
    be is cut, saying so, rather than losing the whole mail."""
    text = body.strip() or "(The mail had no text.)"
    ending = "\n\n[Attachments not kept: " + "; ".join(notes) + "]" if notes else ""
    room = messages.MAX_BODY - len(ending)
    if len(text) > room:
        text = text[: room - len(CUT)] + CUT
    return text + ending


def _no_card_number(name: str | None) -> str | None:
    return None if name is None or contains_card_number(name) else name


def _tell_sender(
    session: Session, settings: Settings, mail: InboundMail, result: IngestResult
) -> None:
    """A reply to the address the mail came from when part of it was not kept as sent."""
    told = []
    notice = messages.masking_notice(result.card_numbers_masked)
    if notice:
        told.append(notice)
    if result.attachments_dropped:
        told.append(
            "Some attachments were not kept: we accept images, PDF, plain text, CSV, office "
            f"documents and zip files of up to {messages.MAX_ATTACHMENT_BYTES // 2**20} MB, "
            f"at most {messages.MAX_ATTACHMENTS} to a mail."
        )
    if not told or result.ticket_id is None:
        return
    headers = {
        "Message-ID": notify.message_id(result.ticket_id),
        "Auto-Submitted": "auto-replied",
    }
    if mail.message_id:
        headers["In-Reply-To"] = mail.message_id
        headers["References"] = mail.message_id
    text = f"Your mail is filed under request #{result.ticket_id}.\n\n" + "\n\n".join(told)
    subject = f"[#{result.ticket_id}] Your mail was received"
    mail_quietly(session, settings, mail.sender, subject, text, headers)
