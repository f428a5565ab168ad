"""Telling recipients (S1, S2; GDPR Art. 19): the outbox of notices to the policy's processors
when a person's data they received is corrected, erased or restricted, its delivery with
retries, the record of each disclosure, and the list a person may see of who was told.

`notify` only queues: one OutboxMessage per processor whose categories overlap the request's,
in the caller's transaction. `deliver_due` (run by `steward rights run`) sends what is due: a
webhook (POST of signed JSON to the processor's `notify_url`, HTTPS only) or a mail to its
`contact`; a failure is retried with exponential back-off, a delivery records a Disclosure.
A processor paused (`pause`, containing a breach at it, X6) is skipped until `resume`: its
notices wait in the outbox.
A notice names the person by id only; `last_error` never holds personal data.

`notify_incident` queues the same kind of notice about a breach (X6): to each processor and
third party that received categories an incident involved, naming the incident by its
reference and no person. `notify_clients` tells the client controllers the officer chose
(`processing_for_clients`, for whom we are the processor; GDPR Art. 33(2)) through the same
outbox: one message per client and incident, keyed `client:<name>`, mailed to the address in
the client's `contact` with the incident's summary, categories, measures and our contact, read
from the incident's record when it is sent.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, PersonState, check
from steward.core import clock
from steward.core.actor import SYSTEM
from steward.core.errors import Conflict, DomainError, Invalid
from steward.core.settings import Settings
from steward.identity.common import mail
from steward.incidents.models import Incident
from steward.policy.active import policy_of, resolve
from steward.policy.schema import ClientProcessing, Policy, Processor
from steward.rights import outbound, signing
from steward.rights.common import event
from steward.rights.models import Disclosure, OutboxMessage, PausedRecipient, RightsRequest
from steward.vault.keyring import Keyring
from steward.vault.service import Vault

log = logging.getLogger("steward.rights")

FIRST_RETRY = timedelta(minutes=5)  # then 10, 20, 40 minutes... doubling
LONGEST_WAIT = timedelta(hours=24)
MAX_ATTEMPTS = 10  # about four days of trying; then the officer is told on the timeline
BATCH = 200
TIMEOUT_SECONDS = 10
REASON = "processor_notice"
CLIENT = "client:"  # the outbox's recipient key of a client controller: CLIENT + its name
ACTIONS = {
    "rectification": "corrected",
    "erasure": "erased",
    "restriction": "restricted",
    "restriction_lifted": "lifted the restriction of",
    "opt_out": "no longer sells or shares",
}
# What a recipient is asked to do: the same with its copies (GDPR Art. 19), or, after an
# opt-out, to stop selling or sharing what it received (CCPA regulations, 11 CCR 7026(f)).
REQUESTS = {
    "opt_out": "Please stop selling or sharing the data you received from us about this person, "
    "and tell anyone you passed it on to to do the same.",
}
ART_19 = (
    "Please do the same with the copies you hold (GDPR Article 19) and tell us if you "
    "passed them on to anyone else."
)


class DeliveryFailed(Exception):
    """A notice not delivered; the message names no person (it goes to `last_error`)."""


@dataclass
class Delivered:
    """What one `deliver_due` run did."""

    delivered: int = 0
    failed: int = 0  # will be retried
    given_up: int = 0  # failed MAX_ATTEMPTS times
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecipientView:
    """A notice a person may see: who was told what, about which categories, when."""

    recipient: str  # the processor's name
    categories: list[str]
    reason: str
    action: str | None
    at: datetime  # when delivered; when queued while still on its way
    delivered: bool


def _overlaps(policy: Policy, ours: set[str], processor: Processor) -> list[str]:
    """The processor's categories the notice concerns: a category of ours equal to, inside or
    containing one it receives (both compared as the policy categories holding them)."""
    theirs = {resolve(policy, c) or c for c in processor.categories}
    return sorted(
        t
        for t in theirs
        if any(o == t or o.startswith(t + ".") or t.startswith(o + ".") for o in ours)
    )


def notify(
    session: Session,
    request: RightsRequest,
    person_id: str | None,
    action: str,
    categories: Iterable[str],
    *,
    third_parties_only: bool = False,
) -> int:
    """Queue a notice to each processor that received any of `categories` (only those of kind
    `third_party` when asked); returns how many. A processor with neither a notify_url nor a
    contact is noted on the timeline instead. Part of the caller's transaction: no commit."""
    policy = policy_of(session)
    ours = {resolve(policy, c) or c for c in categories}
    now = clock.now()
    queued = 0
    for key, processor in policy.processors.items():
        if third_parties_only and processor.kind != "third_party":
            continue
        concerned = _overlaps(policy, ours, processor)
        if not concerned:
            continue
        if not processor.notify_url and not processor.contact:
            event(session, request, "recipient_unreachable", note=key[:200])
            continue
        session.add(
            OutboxMessage(
                request_id=request.id,
                processor=key,
                person_id=person_id,
                action=action,
                categories=json.dumps(concerned),
                channel="webhook" if processor.notify_url else "email",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        queued += 1
    if queued:
        event(session, request, "recipients_queued", note=f"{queued} notice(s)")
    return queued


def notify_incident(
    session: Session, reference: str, categories: Iterable[str], *, leave_out: str | None = None
) -> tuple[list[str], list[str]]:
    """Queue a notice of incident `reference` to each recipient (processor or third party)
    that received any of `categories`, but `leave_out` (the processor the breach was at) and
    those already told of it; returns the keys queued and those with no way to reach them.
    Part of the caller's transaction: no commit."""
    policy = policy_of(session)
    ours = {resolve(policy, c) or c for c in categories}
    told = set(
        session.scalars(select(OutboxMessage.processor).where(OutboxMessage.incident == reference))
    )
    now, queued, unreachable = clock.now(), [], []
    for key, processor in policy.processors.items():
        concerned = _overlaps(policy, ours, processor)
        if key == leave_out or key in told or not concerned:
            continue
        if not processor.notify_url and not processor.contact:
            unreachable.append(key)
            continue
        session.add(
            OutboxMessage(
                incident=reference,
                processor=key,
                action="breach",
                categories=json.dumps(concerned),
                channel="webhook" if processor.notify_url else "email",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        queued.append(key)
    return queued, unreachable


def client_key(client: ClientProcessing) -> str:
    return (CLIENT + client.client)[:100]


def client_of(policy: Policy, key: str) -> ClientProcessing | None:
    return next((c for c in policy.processing_for_clients if client_key(c) == key), None)


def chosen_clients(policy: Policy, chosen: Iterable[int | str]) -> list[ClientProcessing]:
    """The policy's clients named by position (0 the first) or by name; Invalid for any other."""
    clients = policy.processing_for_clients
    found: list[ClientProcessing] = []
    for choice in chosen:
        if isinstance(choice, int):
            client = clients[choice] if 0 <= choice < len(clients) else None
        else:
            client = next((c for c in clients if c.client == choice.strip()), None)
        if client is None:
            raise Invalid(f"The policy processes data for no client {choice!r}.")
        if client not in found:
            found.append(client)
    return found


def notify_clients(
    session: Session, reference: str, clients: list[ClientProcessing], categories: Iterable[str]
) -> tuple[list[str], list[str]]:
    """Queue a notice of incident `reference` to each client controller in `clients` not told
    of it yet (GDPR Art. 33(2)); returns the names queued and those whose contact holds no
    email address. Part of the caller's transaction: no commit."""
    told = set(
        session.scalars(select(OutboxMessage.processor).where(OutboxMessage.incident == reference))
    )
    now, queued, unreachable = clock.now(), [], []
    for client in clients:
        if client_key(client) in told:
            continue
        if client.email() is None:
            unreachable.append(client.client)
            continue
        session.add(
            OutboxMessage(
                incident=reference,
                processor=client_key(client),
                action="breach",
                categories=json.dumps(sorted(set(categories))),
                channel="email",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        queued.append(client.client)
    return queued, unreachable


@dataclass(frozen=True)
class Told:
    """A recipient told of an incident through the outbox: whom, and where the notice stands."""

    name: str
    client: bool  # a client controller we process data for, else a processor or third party
    delivered_at: datetime | None
    given_up: bool


def of_incident(session: Session, reference: str) -> list[Told]:
    """The recipients queued a notice of incident `reference`, by the policy's names."""
    policy = policy_of(session)
    told = []
    for message in session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.incident == reference)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ):
        key = message.processor
        processor, client = policy.processors.get(key), client_of(policy, key)
        name = processor.name if processor else client.client if client else key
        told.append(
            Told(
                name=name,
                client=key.startswith(CLIENT),
                delivered_at=message.delivered_at,
                given_up=message.delivered_at is None and message.attempts >= MAX_ATTEMPTS,
            )
        )
    return told


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 5 minutes, doubling, at most a day."""
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, LONGEST_WAIT)


def deliver_due(session: Session, settings: Settings) -> Delivered:
    """Send every notice that is due, each in its own transaction, so that one delivered is
    never sent again because a later one failed."""
    done = Delivered()
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at <= clock.now(),
            OutboxMessage.processor.not_in(select(PausedRecipient.processor)),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(BATCH)
    ).all()
    for message_id in ids:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.delivered_at is not None:
            continue
        request = session.get(RightsRequest, message.request_id) if message.request_id else None
        if request is None and message.incident is None:
            continue
        try:
            _deliver(session, settings, request, message)
        except DeliveryFailed as error:
            session.rollback()
            message = session.get(OutboxMessage, message_id)
            if message is None:
                continue
            _failed(session, request, message, str(error), done)
        else:
            done.delivered += 1
        session.commit()
    return done


def pause(session: Session, processor: str, by: str | None, incident_id: str | None = None) -> int:
    """Stop delivering to `processor` until `resume`; returns how many notices now wait.
    Nothing is dropped: they stay queued. The caller commits."""
    if processor not in policy_of(session).processors:
        raise Invalid("The policy names no such processor.")
    if session.get(PausedRecipient, processor) is not None:
        raise Conflict("The outbox to this processor is already paused.")
    session.add(
        PausedRecipient(
            processor=processor, paused_at=clock.now(), paused_by=by, incident_id=incident_id
        )
    )
    return _waiting(session, processor)


def resume(session: Session, processor: str) -> int:
    """Deliver to `processor` again, from the next run on; returns how many notices wait.
    The caller commits."""
    row = session.get(PausedRecipient, processor)
    if row is None:
        raise Conflict("The outbox to this processor is not paused.")
    session.delete(row)
    session.flush()
    return _waiting(session, processor)


def paused(session: Session) -> dict[str, PausedRecipient]:
    """The processors the outbox does not deliver to, by policy key."""
    return {row.processor: row for row in session.scalars(select(PausedRecipient))}


def _waiting(session: Session, processor: str) -> int:
    waiting = select(func.count()).where(
        OutboxMessage.processor == processor, OutboxMessage.delivered_at.is_(None)
    )
    return session.scalar(waiting) or 0


def _failed(
    session: Session,
    request: RightsRequest | None,
    message: OutboxMessage,
    error: str,
    done: Delivered,
) -> None:
    message.attempts += 1
    message.last_error = error[:200]
    message.next_attempt_at = clock.now() + backoff(message.attempts)
    done.errors.append(error)
    if message.attempts >= MAX_ATTEMPTS:
        done.given_up += 1
        if request is not None:
            event(session, request, "recipient_failed", note=message.processor[:200])
        log.warning("notice %s to %s given up: %s", message.id, message.processor, error)
    else:
        done.failed += 1
        log.info("notice %s to %s failed, will retry: %s", message.id, message.processor, error)


def _deliver(
    session: Session, settings: Settings, request: RightsRequest | None, message: OutboxMessage
) -> None:
    policy = policy_of(session)
    if message.processor.startswith(CLIENT):
        _deliver_client(session, settings, policy, message)
        return
    processor = policy.processors.get(message.processor)
    if processor is None:
        raise DeliveryFailed("the processor is no longer in the policy")
    categories: list[str] = json.loads(message.categories)
    if message.person_id:  # naming the person to a recipient is a disclosure: gate and audit
        check(
            session,
            SYSTEM,
            RIGHTS,
            PersonState(message.person_id),
            categories,
            action="disclose",
        )
    payload: dict[str, Any] = {
        "id": message.id,
        "reference": request.reference if request else message.incident,
        "action": message.action,
        "person_id": message.person_id,
        "categories": categories,
        "sent_at": clock.now().isoformat(),
    }
    if message.channel == "webhook" and processor.notify_url:
        _post(settings, _keyring(session), processor.notify_url, payload)
    elif processor.contact:
        _mail(session, settings, policy, processor.contact, payload)
    else:
        raise DeliveryFailed("the processor has no notify_url or contact any more")
    now = clock.now()
    message.attempts += 1
    message.delivered_at = now
    message.last_error = None
    if message.person_id:
        session.add(
            Disclosure(
                person_id=message.person_id,
                recipient=message.processor,
                categories=message.categories,
                reason=REASON,
                request_id=message.request_id,
                at=now,
            )
        )
    if request is not None:
        event(session, request, "recipient_notified", note=message.processor[:200], at=now)


def _deliver_client(
    session: Session, settings: Settings, policy: Policy, message: OutboxMessage
) -> None:
    """Mail a client controller of a breach that may involve the data we process for it."""
    client = client_of(policy, message.processor)
    if client is None:
        raise DeliveryFailed("the client is no longer in the policy")
    to = client.email()
    if to is None:
        raise DeliveryFailed("the client's contact holds no email address any more")
    incident = session.scalar(select(Incident).where(Incident.reference == message.incident))
    if incident is None:
        raise DeliveryFailed("the incident is no longer recorded")
    controller = policy.controller
    name = controller.trading_name or controller.legal_name
    names = []
    for key in json.loads(message.categories):
        category = policy.categories.get(resolve(policy, key) or key)
        names.append(category.name if category else key)
    measures = " ".join(
        part.strip() for part in (incident.measures_taken, incident.measures_proposed) if part
    )
    contact = controller.dpo.email if controller.dpo else controller.privacy_contact
    body = (
        f"To {client.client}:\n\n"
        f"We process personal data for you as your processor ({name}). We had a personal data "
        f"breach (our reference {incident.reference}): this breach may involve data we hold for "
        "you, and we tell you without undue delay, as GDPR Article 33(2) requires.\n\n"
        f"What happened: {incident.summary.strip() or incident.title}\n\n"
        f"Categories of personal data involved: {', '.join(names) or 'still being established'}."
        f"\n\nWhat we are doing: {measures or 'We are containing the breach and reviewing it.'}"
        f"\n\nPlease tell us at once what you need from us for your own assessment and any "
        f"notice you give. Our contact: {contact}, reference {incident.reference}.\n\n"
        f"Notice id: {message.id}"
    )
    subject = f"Personal data breach at your processor {name}: {incident.reference}"
    try:
        mail(session, settings, to, subject, body)
    except DomainError:
        raise DeliveryFailed("the mail server did not accept the notice") from None
    message.attempts += 1
    message.delivered_at = clock.now()
    message.last_error = None


def _keyring(session: Session) -> Keyring:
    vault = session.info.get("vault")
    if not isinstance(vault, Vault):
        raise RuntimeError("signing notices needs a session opened through the vault")
    return vault.keyring


def _post(settings: Settings, keyring: Keyring, url: str, payload: dict[str, Any]) -> None:
    if not url.startswith("https://"):
        raise DeliveryFailed("the notify_url is not HTTPS")
    body = json.dumps(payload, sort_keys=True).encode()
    outgoing = urllib.request.Request(  # noqa: S310  (https only, checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            signing.HEADER: signing.sign(keyring, body),
            "User-Agent": "Steward notices",
        },
    )
    try:
        with outbound.opener(settings).open(outgoing, timeout=TIMEOUT_SECONDS) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"the recipient answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"could not reach the recipient: {type(reason).__name__}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"the recipient answered HTTP {status}")


def _mail(
    session: Session, settings: Settings, policy: Policy, to: str, payload: dict[str, Any]
) -> None:
    action = str(payload["action"])
    verb = ACTIONS.get(action, action)
    categories = ", ".join(map(str, payload["categories"]))
    name = policy.controller.trading_name or policy.controller.legal_name
    if action == "breach":
        _mail_breach(session, settings, name, to, categories, payload)
        return
    body = (
        f"{name} {verb} personal data of the person we identify to you as "
        f"{payload['person_id']}, at their request (reference {payload['reference']}).\n\n"
        f"Categories concerned that we shared with you: {categories}.\n\n"
        f"{REQUESTS.get(action, ART_19)}\n\n"
        f"Notice id: {payload['id']}"
    )
    try:
        subject = "Opt-out of sale and sharing" if action == "opt_out" else f"Data {verb}"
        mail(session, settings, to, f"{subject}: {payload['reference']}", body)
    except DomainError:
        raise DeliveryFailed("the mail server did not accept the notice") from None


def _mail_breach(
    session: Session,
    settings: Settings,
    name: str,
    to: str,
    categories: str,
    payload: dict[str, Any],
) -> None:
    body = (
        f"{name} had a personal data breach (our reference {payload['reference']}) that "
        f"involved categories of personal data we shared with you: {categories}.\n\n"
        "Please check the data you received from us and your own systems, tell us at once of "
        "anything you find, and take the measures your contract with us requires.\n\n"
        f"Notice id: {payload['id']}"
    )
    try:
        mail(session, settings, to, f"Personal data breach: {payload['reference']}", body)
    except DomainError:
        raise DeliveryFailed("the mail server did not accept the notice") from None


def of_person(session: Session, person_id: str) -> list[RecipientView]:
    """Who was told about the person's data (and who is still to be told), and any other
    recorded disclosure: processor names, categories and dates, newest first. No contact
    details of anyone."""
    policy = policy_of(session)

    def name(key: str) -> str:
        processor = policy.processors.get(key)
        return processor.name if processor else key

    views = [
        RecipientView(
            recipient=name(m.processor),
            categories=json.loads(m.categories),
            reason=REASON,
            action=m.action,
            at=m.delivered_at or m.created_at,
            delivered=m.delivered_at is not None,
        )
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.person_id == person_id))
    ]
    views += [
        RecipientView(
            recipient=name(d.recipient),
            categories=json.loads(d.categories),
            reason=d.reason,
            action=None,
            at=d.at,
            delivered=True,
        )
        for d in session.scalars(
            select(Disclosure).where(Disclosure.person_id == person_id, Disclosure.reason != REASON)
        )
    ]
    return sorted(views, key=lambda v: v.at, reverse=True)
