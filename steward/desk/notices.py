"""Service messages (C5): what a customer must hear because of their contract, such as a
change of their account's status, of the terms or of prices, sent by an admin to every
account holder or to an organisation's members, each as their preferences allow.

Marketing is not a service message: it needs the person's consent, so it is refused as one
and goes out through `send_marketing` only to people whose consent to
`marketing.communications` is current in the ledger and whose marketing switch is on; every
marketing mail carries a one-click unsubscribe link (RFC 8058, steward.consent.unsubscribe).
Each recipient's preferences and address are read through the gate acting as that recipient
(the same self-service purpose that mails them about their account), the reads are
committed, and only then is the mail sent over SMTP, in batches.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import allowed, check, check_role
from steward.consent import preferences, unsubscribe
from steward.core.actor import Actor
from steward.core.cards import refuse_card_number
from steward.core.errors import Invalid, NotFound
from steward.core.settings import Settings
from steward.desk.common import ADMINISTRATION, SERVICE
from steward.desk.models import Membership, Organisation
from steward.identity.common import categories, load_person, mail_quietly, state_of
from steward.identity.models import Account, Person

KINDS = ("account_status", "terms", "price_change")
MARKETING = "marketing"
HOLDER_STATUSES = ("active", "locked")  # an account someone holds and has verified
BATCH = 200
FOOTER = (
    "\n\n--\nThis is a service message about your account. You can turn service messages "
    "off in your notification preferences."
)
log = logging.getLogger("steward.desk.notices")


@dataclass(frozen=True)
class NoticeResult:
    sent: int
    skipped: int  # the person turned service messages off, or wants no contact at all
    unreachable: int  # no address, the policy does not allow it now, or the mail failed


def _recipients(session: Session, organisation_id: str | None, after: str) -> list[str]:
    """The next batch of recipients' person ids, in id order."""
    if organisation_id is None:
        query = select(Account.person_id).where(
            Account.role == "customer", Account.status.in_(HOLDER_STATUSES)
        )
        column = Account.person_id
    else:
        query = select(Membership.person_id).where(Membership.organisation_id == organisation_id)
        column = Membership.person_id
    query = query.where(column > after).distinct().order_by(column).limit(BATCH)
    return list(session.scalars(query))


def _as_recipient(session: Session, person_id: str) -> Actor:
    account = session.execute(
        select(Account.id, Account.role).where(Account.person_id == person_id).limit(1)
    ).first()
    if account is None:
        return Actor(role="customer", person_id=person_id)
    return Actor(role=account.role, account_id=account.id, person_id=person_id)


def _validate(kind: str, subject: str, body: str) -> None:
    if kind == MARKETING:
        raise Invalid(
            "Marketing is not a service message: it needs each person's consent and is sent "
            "separately. Service messages are about an account's status, the terms or prices."
        )
    if kind not in KINDS:
        raise Invalid(f"A service message's kind is one of: {', '.join(KINDS)}.")
    _check_text(subject, body)


def _check_text(subject: str, body: str) -> None:
    if not subject.strip() or not body.strip():
        raise Invalid("A service message needs a subject and a text.")
    if len(subject) > 200 or len(body) > 20000:
        raise Invalid("Keep the subject under 200 characters and the text under 20,000.")
    refuse_card_number(subject, "subject")
    refuse_card_number(body, "body")


# What `pick` answers instead of an address (neither can be one: no "@").
SKIPPED, UNREACHABLE = "skipped", "unreachable"


def _mail_each(
    session: Session,
    settings: Settings,
    organisation_id: str | None,
    subject: str,
    pick: Callable[[str], str],
    compose: Callable[[str], tuple[str, dict[str, str]]],
) -> NoticeResult:
    """Mail every account holder (of the organisation, when given), batch by batch: `pick`
    reads a person's address through the gate or says why not, the audited reads are kept
    before anything leaves, then `compose` makes each mail's text and headers."""
    sent = skipped = unreachable = 0
    after = ""
    while batch := _recipients(session, organisation_id, after):
        after = batch[-1]
        addresses: list[tuple[str, str]] = []
        for person_id in batch:
            address = pick(person_id)
            if address == SKIPPED:
                skipped += 1
            elif address == UNREACHABLE:
                unreachable += 1
            else:
                addresses.append((person_id, address))
        session.commit()
        for person_id, address in addresses:
            text, headers = compose(person_id)
            if mail_quietly(session, settings, address, subject, text, headers):
                sent += 1
            else:
                unreachable += 1
        session.expunge_all()  # keep memory flat over many batches
    return NoticeResult(sent=sent, skipped=skipped, unreachable=unreachable)


def send_service_message(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    kind: str,
    subject: str,
    body: str,
    organisation_id: str | None = None,
) -> NoticeResult:
    """Mail a service message to every account holder, or to the organisation's members,
    whose `service_messages` preference is on. Admin only."""
    check_role(session, actor, "send service messages", ADMINISTRATION)
    _validate(kind, subject, body)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFound("There is no such organisation.")
    wanted = [*categories(Person, ["email"]), preferences.CATEGORY]
    check(session, actor, SERVICE, None, wanted, action="send_service_message")
    session.commit()

    def pick(person_id: str) -> str:
        recipient = _as_recipient(session, person_id)
        state = state_of(session, person_id)
        if not allowed(session, recipient, SERVICE, state, wanted):
            return UNREACHABLE  # restricted, say: the policy stops mail to them for now
        preferences.gate_preferences(
            session, recipient, state, ("service_messages", "preferred_channel")
        )
        chosen = preferences.load(session, [person_id])[person_id]
        if not chosen.service_messages or chosen.preferred_channel == "none":
            return SKIPPED
        return load_person(session, recipient, person_id, ["email"]).email or UNREACHABLE

    def compose(_: str) -> tuple[str, dict[str, str]]:
        headers = {"Auto-Submitted": "auto-generated", "X-Steward-Notice": kind}
        return body + FOOTER, {**headers, "Message-ID": f"<n{secrets.token_hex(8)}@steward>"}

    done = _mail_each(session, settings, organisation_id, subject, pick, compose)
    log.info("service message %s by %s: %s", kind, actor.label, done)
    return done


MARKETING_FOOTER = (
    "\n\n--\nYou get this because you asked for news and offers. To stop them with one "
    "click: {link}"
)


def send_marketing(
    session: Session, settings: Settings, actor: Actor, *, subject: str, body: str
) -> NoticeResult:
    """Mail news and offers to every account holder who consents to marketing (the ledger,
    as the gate reads it) and has the marketing switch on, each mail with its own one-click
    unsubscribe link and headers. Admin only."""
    check_role(session, actor, "send marketing", ADMINISTRATION)
    _check_text(subject, body)
    wanted = [*categories(Person, ["email"]), preferences.CATEGORY]
    check(
        session, actor, preferences.MARKETING, None, [preferences.CATEGORY], action="send_marketing"
    )
    session.commit()

    def pick(person_id: str) -> str:
        state = state_of(session, person_id)
        if not allowed(session, actor, preferences.MARKETING, state, [preferences.CATEGORY]):
            return SKIPPED  # no current consent (or restricted, or opted out): no marketing
        recipient = _as_recipient(session, person_id)
        if not allowed(session, recipient, SERVICE, state, wanted):
            return UNREACHABLE
        preferences.gate_preferences(
            session, actor, state, ("marketing", "preferred_channel"), purpose=preferences.MARKETING
        )
        chosen = preferences.load(session, [person_id])[person_id]
        if not chosen.marketing or chosen.preferred_channel == "none":
            return SKIPPED
        return load_person(session, recipient, person_id, ["email"]).email or UNREACHABLE

    def compose(person_id: str) -> tuple[str, dict[str, str]]:
        link = unsubscribe.link(session, settings.public_url, person_id)
        headers = {
            **unsubscribe.headers(session, settings.public_url, person_id),
            "X-Steward-Notice": MARKETING,
            "Message-ID": f"<m{secrets.token_hex(8)}@steward>",
        }
        return body + MARKETING_FOOTER.format(link=link), headers

    done = _mail_each(session, settings, None, subject, pick, compose)
    log.info("marketing by %s: %s", actor.label, done)
    return done
