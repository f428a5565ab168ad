"""Telling the people an incident affected (X6; GDPR Art. 34, Cal. Civ. Code § 1798.82).

One notice per person of the frozen list, in plain words under the headings California's law
requires (`HEADINGS`), the same words for everyone: built from the incident's record and the
policy, never from a person's data. `send` queues them: a row in `incident_notices` per
person, in the caller's transaction, which is the outbox itself; people whose key was
destroyed (erased) are skipped and counted. The recipients the policy says received the
categories involved are told through the rights outbox (`recipients.notify_incident`), and so
are the client controllers the officer chose, for whom the business is the processor
(`recipients.notify_clients`, GDPR Art. 33(2)): Steward cannot tell which of them an incident
involved, since the policy describes their data in free text.

`deliver_due` (the worker's `incident.notices` job, queued by whoever sends and again by
itself for the next notice due, and `steward incident notify`) mails what is due: each notice is taken for a while (`LEASE`) in a transaction of its own, mailed, then
marked mailed in another, so a crash never loses one and two senders never both take it; a
crash between the mail and the mark sends it again with the same Message-ID, which mail
clients show once. The address is read through the gate for the purpose `incidents`.

Queuing the notices marks the clocks' duty `people:<law>` done for the laws of the people told
(`register.mark_done`). A person sees their notices in their privacy center (`of_person`,
`open_own` marks one seen). When more of the people affected are under a law than its breach
terms' `sample_over` (California: 500 residents), the same notice is the sample its authority
is sent (the Attorney General; `ag_sample`, `record_ag_sample`, which marks `sample:<law>`
done), counted as the clocks count them (`clocks.people_under`).
"""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Conflict, NotFound
from steward.core.settings import Settings
from steward.identity.common import load_person, mail
from steward.identity.models import Person
from steward.incidents import affected, clocks, register, timeline
from steward.incidents.models import Incident, IncidentNotice
from steward.incidents.report import keys_of
from steward.mail.smtp import MailFailed
from steward.policy.active import policy_of, resolve
from steward.policy.breach import LAW_NAMES, terms
from steward.policy.local import Local
from steward.policy.schema import Policy
from steward.rights import recipients
from steward.vault.models import DataKey
from steward.vault.service import Vault

log = logging.getLogger("steward.incidents")

HEADINGS = (
    "What Happened",
    "What Information Was Involved",
    "What We Are Doing",
    "What You Can Do",
    "For More Information",
)
CALIFORNIA = "ccpa"  # the policy's jurisdiction key for California residents
JOB = "incident.notices"
BATCH = 200
LEASE = timedelta(minutes=10)  # longer than one mail takes; a sender killed mid-way frees it
FIRST_RETRY = timedelta(minutes=5)  # then 10, 20, 40 minutes... at most a day
MAX_ATTEMPTS = 8
NO_ADDRESS = "no email address"
NOT_SENT = "the mail server did not accept it"


@dataclass(frozen=True)
class Letter:
    subject: str
    sections: list[tuple[str, str]]  # (heading, text), the headings in HEADINGS' order

    def text(self) -> str:
        return "\n\n".join(f"{heading}\n\n{text}" for heading, text in self.sections)

    def digest(self) -> str:
        return hashlib.sha256(f"{self.subject}\n{self.text()}".encode()).hexdigest()


def _includes(policy: Policy, keys: Iterable[str]) -> set[str]:
    """The categories and every finer key they hold, resolved through the policy."""
    found: set[str] = set()
    for key in keys:
        held = resolve(policy, key) or key
        found.add(held)
        category = policy.categories.get(held)
        if category is not None:
            found.update(category.includes)
    return found


def _advice(policy: Policy, keys: list[str], center: str) -> str:
    held = _includes(policy, keys)

    def touches(*prefixes: str) -> bool:
        return any(k == p or k.startswith(p + ".") for k in held for p in prefixes)

    lines = []
    if touches("user.authorization", "user.account"):
        lines.append(
            "Change your password with us, and anywhere else you use the same one, and turn "
            "on two-step sign-in."
        )
    if touches("user.financial", "user.payment"):
        lines.append(
            "Check your bank and card statements, and tell your bank at once of anything "
            "you do not recognise."
        )
    lines.append(
        "Be wary of emails, calls or messages that mention this incident or ask for your "
        "details or a payment: we will never ask you for your password."
    )
    lines.append(f"You can see the data we hold about you, and use your rights, at {center}.")
    return "\n".join(f"- {line}" for line in lines)


def letter(policy: Policy, incident: Incident, public_url: str) -> Letter:
    """The notice: what the incident's record says, in plain words, under HEADINGS."""
    controller = policy.controller
    business = controller.trading_name or controller.legal_name
    local = Local.of(controller)
    keys = keys_of(incident.categories)
    names = []
    for key in keys:
        category = policy.categories.get(resolve(policy, key) or key)
        names.append(category.name if category else key)
    when = ""
    if incident.occurred_from and incident.occurred_until:
        when = (
            f" It happened between {local.day(incident.occurred_from)} and "
            f"{local.day(incident.occurred_until)}."
        )
    elif incident.occurred_from:
        when = f" It began on {local.day(incident.occurred_from)}."
    happened = (
        f"{incident.summary.strip() or incident.title}{when} We found out on "
        f"{local.day(incident.aware_at)}."
    )
    involved = (
        "The information involved was: " + ", ".join(names) + "."
        if names
        else "We are still finding out which information was involved, and will tell you."
    )
    measures = " ".join(
        part.strip() for part in (incident.measures_taken, incident.measures_proposed) if part
    )
    doing = measures or "We contained the incident and are reviewing how it happened."
    center = f"{public_url.rstrip('/')}/privacy/center"
    contact = [f"Write to us at {controller.privacy_contact}"]
    if controller.phone:
        contact.append(f"call us on {controller.phone}")
    more = (
        f"{' or '.join(contact)}, and give the reference {incident.reference}."
        + (
            f" Our data protection officer is {controller.dpo.name} ({controller.dpo.email})."
            if controller.dpo
            else ""
        )
        + f" This notice is also in your privacy center: {center}."
    )
    texts = (happened, involved, doing, _advice(policy, keys, center), more)
    return Letter(f"Notice of Data Breach from {business}", list(zip(HEADINGS, texts, strict=True)))


def _erased(session: Session, person_ids: list[str]) -> set[str]:
    """Those whose key is destroyed, or who are gone: nobody to tell any more."""
    gone: set[str] = set()
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        shredded = select(DataKey.person_id).where(
            DataKey.person_id.in_(chunk), DataKey.shredded_at.is_not(None)
        )
        gone.update(session.scalars(shredded))
        present = set(session.scalars(select(Person.id).where(Person.id.in_(chunk))))
        gone.update(set(chunk) - present)
    return gone


@dataclass(frozen=True)
class Tally:
    """Where the notices of an incident stand: counts only."""

    people: int  # in the frozen list
    sent: int  # mailed
    pending: int  # queued, not mailed yet
    unmailed: int  # no address, or given up: in their privacy center only
    skipped: int  # erased: nobody to tell
    to_send: int  # not queued yet
    california: int  # California residents in the list
    seen: int  # opened in the privacy center


def _list(session: Session, vault: Vault, incident: Incident) -> list[affected.Affected]:
    if incident.affected_frozen_at is None:
        return []
    return list(affected.read(session, vault, incident.id))


def tally(session: Session, vault: Vault, actor: Actor, incident: Incident) -> Tally:
    register.require_officer(session, actor)
    people = _list(session, vault, incident)
    rows = session.execute(
        select(
            IncidentNotice.person_id,
            IncidentNotice.mailed_at,
            IncidentNotice.attempts,
            IncidentNotice.seen_at,
        ).where(IncidentNotice.incident_id == incident.id)
    ).all()
    queued = {row[0] for row in rows}
    rest = [a.person_id for a in people if a.person_id not in queued]
    skipped = len(_erased(session, rest))
    sent = sum(1 for row in rows if row[1] is not None)
    unmailed = sum(1 for row in rows if row[1] is None and row[2] >= MAX_ATTEMPTS)
    return Tally(
        people=len(people),
        sent=sent,
        pending=len(rows) - sent - unmailed,
        unmailed=unmailed,
        skipped=skipped,
        to_send=len(rest) - skipped,
        california=clocks.people_under(incident, CALIFORNIA),
        seen=sum(1 for row in rows if row[3] is not None),
    )


@dataclass(frozen=True)
class Sent:
    queued: int
    skipped: int
    recipients: list[str]  # the policy's processor keys told through the outbox
    unreachable: list[str]  # recipients with no way to reach them
    clients: list[str] = field(default_factory=list)  # client controllers told (their names)
    clients_unreachable: list[str] = field(default_factory=list)  # no email in their contact


def send(
    session: Session,
    vault: Vault,
    actor: Actor,
    incident: Incident,
    clients: Iterable[int | str] = (),
) -> Sent:
    """Queue a notice to every person of the frozen list not told yet (the erased skipped),
    one to each recipient of the categories involved, and one to each client controller in
    `clients` (the policy's `processing_for_clients`, by position or name); the worker mails
    them. Sending again queues only those not queued before. The people and the recipients
    wait for a frozen list and the decision to tell the people; client controllers chosen are
    told whatever that decision (Art. 33(2)). Part of the caller's transaction."""
    register.require_officer(session, actor)
    chosen = recipients.chosen_clients(policy_of(session), clients)
    register.refuse_closed(incident)
    waiting = why_people_wait(incident)
    if waiting and not chosen:
        raise Conflict(waiting)
    queued, erased, informed, unreachable = 0, set[str](), list[str](), list[str]()
    if not waiting:
        queued, erased = _queue_people(session, vault, actor, incident)
        informed, unreachable = recipients.notify_incident(
            session,
            incident.reference,
            keys_of(incident.categories),
            leave_out=incident.processor,
        )
    told_clients, clients_unreachable = recipients.notify_clients(
        session, incident.reference, chosen, keys_of(incident.categories)
    )
    timeline.note(
        session,
        actor,
        incident.id,
        "notices.sent",
        people=queued,
        skipped=len(erased),
        recipients=informed,
        unreachable=unreachable,
        clients=len(told_clients),
        clients_unreachable=len(clients_unreachable),
    )
    return Sent(queued, len(erased), informed, unreachable, told_clients, clients_unreachable)


def why_people_wait(incident: Incident) -> str | None:
    """Why the people (and the processors) cannot be told yet, or None."""
    if incident.affected_frozen_at is None:
        return "Freeze the list of the people affected first: the notices go to it."
    if incident.notify_people is False:
        return "The decision on this incident is not to tell the people: change it first."
    if incident.notify_people is None:
        return (
            "Decide first whether to tell the people, and why (on the incident's record): the "
            "clocks run from that decision."
        )
    return None


def _queue_people(
    session: Session, vault: Vault, actor: Actor, incident: Incident
) -> tuple[int, set[str]]:
    """Queue a notice to each person of the frozen list not queued before, the erased left
    out; mark the people's duties done. Returns how many were queued, and the erased."""
    queued_before = set(
        session.scalars(
            select(IncidentNotice.person_id).where(IncidentNotice.incident_id == incident.id)
        )
    )
    listed = _list(session, vault, incident)
    rest = [a.person_id for a in listed if a.person_id not in queued_before]
    erased = _erased(session, rest)
    now = clock.now()
    told = queued_before | (set(rest) - erased)
    _people_told(session, actor, incident, {a.jurisdiction for a in listed if a.person_id in told})
    for person_id in rest:
        if person_id not in erased:
            session.add(
                IncidentNotice(
                    incident_id=incident.id,
                    person_id=person_id,
                    created_at=now,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
    return len(rest) - len(erased), erased


def told(session: Session, actor: Actor, incident: Incident) -> list[recipients.Told]:
    """The processors, third parties and client controllers told of the incident."""
    register.require_officer(session, actor)
    return recipients.of_incident(session, incident.reference)


def _people_told(session: Session, actor: Actor, incident: Incident, laws: set[str | None]) -> None:
    """Mark `people:<law>` done, now, for each law of the people told that has the duty; a
    person whose law is not known may be under any of the incident's laws."""
    if None in laws:
        laws = set(policy_of(session).jurisdictions)
    for law in sorted(law for law in laws if law):
        register.step_done(session, actor, incident, f"people:{law}")


@dataclass
class Delivered:
    mailed: int = 0
    failed: int = 0  # will be retried
    unmailed: int = 0  # no address, or given up


def backoff(attempts: int) -> timedelta:
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, timedelta(days=1))


def _take(session: Session, notice_id: str) -> bool:
    """Take a due notice for LEASE, in a transaction of its own; False when another has it."""
    now = clock.now()
    statement = (
        update(IncidentNotice)
        .where(
            IncidentNotice.id == notice_id,
            IncidentNotice.mailed_at.is_(None),
            IncidentNotice.attempts < MAX_ATTEMPTS,
            IncidentNotice.next_attempt_at <= now,
        )
        .values(attempts=IncidentNotice.attempts + 1, next_attempt_at=now + LEASE)
    )
    options = {"synchronize_session": False}
    result = cast("CursorResult[Any]", session.execute(statement, execution_options=options))
    session.commit()
    return result.rowcount == 1


def _address(session: Session, person_id: str) -> str | None:
    email = load_person(session, SYSTEM, person_id, ["email"], purpose=INCIDENTS).email
    return email or None


def deliver_due(session: Session, settings: Settings) -> Delivered:
    """Mail every notice that is due, each in transactions of its own (see the module)."""
    done = Delivered()
    letters: dict[str, Letter] = {}
    policy = policy_of(session)
    while True:
        due = session.scalars(
            select(IncidentNotice.id)
            .where(
                IncidentNotice.mailed_at.is_(None),
                IncidentNotice.attempts < MAX_ATTEMPTS,
                IncidentNotice.next_attempt_at <= clock.now(),
            )
            .order_by(IncidentNotice.next_attempt_at, IncidentNotice.id)
            .limit(BATCH)
        ).all()
        session.rollback()  # end the read: each notice is taken in a transaction of its own
        taken = [notice_id for notice_id in due if _take(session, notice_id)]
        if not taken:
            return done
        for notice_id in taken:
            _deliver_one(session, settings, policy, letters, notice_id, done)


def next_due(session: Session) -> datetime | None:
    """When the next notice not mailed yet is due (to retry, or taken by a sender that died)."""
    return session.scalar(
        select(func.min(IncidentNotice.next_attempt_at)).where(
            IncidentNotice.mailed_at.is_(None), IncidentNotice.attempts < MAX_ATTEMPTS
        )
    )


def _deliver_one(
    session: Session,
    settings: Settings,
    policy: Policy,
    letters: dict[str, Letter],
    notice_id: str,
    done: Delivered,
) -> None:
    notice = session.get_one(IncidentNotice, notice_id)
    if notice.incident_id not in letters:
        incident = session.get_one(Incident, notice.incident_id)
        letters[notice.incident_id] = letter(policy, incident, settings.public_url)
    words = letters[notice.incident_id]
    try:
        address = _address(session, notice.person_id)
    except NotFound:
        address = None
    session.commit()  # the read of the address stays audited whatever the mail does
    if address is None:
        notice.attempts, notice.last_error = MAX_ATTEMPTS, NO_ADDRESS
        session.commit()
        done.unmailed += 1
        return
    headers = {
        "Message-ID": f"<incident-notice.{notice.id}@steward>",
        "Auto-Submitted": "auto-generated",
    }
    try:
        mail(session, settings, address, words.subject, words.text(), headers)
    except MailFailed:
        notice.last_error = NOT_SENT
        notice.next_attempt_at = clock.now() + backoff(notice.attempts)
        if notice.attempts >= MAX_ATTEMPTS:
            done.unmailed += 1
        else:
            done.failed += 1
        session.commit()
        log.info("incident notice %s not mailed (attempt %d)", notice_id, notice.attempts)
        return
    notice.mailed_at, notice.last_error = clock.now(), None
    session.commit()
    done.mailed += 1


@dataclass(frozen=True)
class NoticeView:
    id: str
    reference: str
    title: str
    created_at: datetime
    seen_at: datetime | None


def of_person(session: Session, person_id: str | None) -> list[NoticeView]:
    """The person's notices, newest first (their own: the caller passes the actor's id)."""
    if person_id is None:
        return []
    rows = session.execute(
        select(IncidentNotice, Incident.reference, Incident.title)
        .join(Incident, Incident.id == IncidentNotice.incident_id)
        .where(IncidentNotice.person_id == person_id)
        .order_by(IncidentNotice.created_at.desc())
    ).all()
    return [
        NoticeView(notice.id, reference, title, notice.created_at, notice.seen_at)
        for notice, reference, title in rows
    ]


def open_own(
    session: Session, settings: Settings, actor: Actor, notice_id: str
) -> tuple[NoticeView, Letter]:
    """One of the actor's own notices, marked seen the first time; anyone else's is "not
    found". Part of the caller's transaction."""
    notice = session.get(IncidentNotice, notice_id[:36])
    if notice is None or actor.person_id is None or notice.person_id != actor.person_id:
        raise NotFound("There is no such notice.")
    incident = session.get_one(Incident, notice.incident_id)
    if notice.seen_at is None:
        notice.seen_at = clock.now()
    view = NoticeView(
        notice.id, incident.reference, incident.title, notice.created_at, notice.seen_at
    )
    return view, letter(policy_of(session), incident, settings.public_url)


@dataclass(frozen=True)
class Sample:
    """The sample notice for the authority of a law that asks for one (California's Attorney
    General), when more of the people affected are under that law than its terms say."""

    law: str | None  # the law whose authority gets a sample; None when the policy has none
    authority: str
    over: int  # a sample is due above this many people under the law
    due: bool
    residents: int  # the people affected under the law, as the clocks count them
    letter: Letter
    submitted_at: datetime | None


def sample_law(policy: Policy) -> str | None:
    """The first declared law whose breach terms ask for a sample notice."""
    deadlines = terms(policy).deadlines
    return next(
        (law for law, d in deadlines.items() if d.sample_over is not None and d.sample_days),
        None,
    )


def ag_sample(
    session: Session, vault: Vault, settings: Settings, actor: Actor, incident: Incident
) -> Sample:
    register.require_officer(session, actor)
    policy = policy_of(session)
    law = sample_law(policy)
    over = (terms(policy).deadlines[law].sample_over or 0) if law else 0
    residents = clocks.people_under(incident, law) if law else 0
    submitted = [
        e.at for e in timeline.events(session, incident.id) if e.kind == "notices.ag_sample"
    ]
    return Sample(
        law=law,
        authority=clocks.authority_name(policy, law) if law else "",
        over=over,
        due=law is not None and residents > over,
        residents=residents,
        letter=letter(policy, incident, settings.public_url),
        submitted_at=submitted[-1] if submitted else None,
    )


def record_ag_sample(
    session: Session, vault: Vault, settings: Settings, actor: Actor, incident: Incident
) -> Sample:
    """Note that the sample notice was submitted to the law's authority, with its fingerprint,
    and mark the clocks' duty `sample:<law>` done. Part of the caller's transaction."""
    sample = ag_sample(session, vault, settings, actor, incident)
    register.refuse_closed(incident)
    if sample.law is None:
        raise Conflict("The policy's breach terms ask for no sample notice to an authority.")
    if not sample.due:
        raise Conflict(
            f"No sample is due: {sample.residents} of the people affected are under "
            f"{LAW_NAMES.get(sample.law, sample.law)}, and {sample.authority} is sent one only "
            f"above {sample.over}."
        )
    event = timeline.note(
        session,
        actor,
        incident.id,
        "notices.ag_sample",
        law=sample.law,
        residents=sample.residents,
        contents=sample.letter.digest(),
    )
    register.step_done(session, actor, incident, f"sample:{sample.law}")
    return Sample(
        sample.law,
        sample.authority,
        sample.over,
        sample.due,
        sample.residents,
        sample.letter,
        event.at,
    )
