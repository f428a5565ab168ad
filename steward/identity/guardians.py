"""Guardians of children (C3): the parent or guardian named when a child registers verifies
their address and consents by a mailed link, separately to any disclosure to third parties;
only then is the child's account usable. Later the guardian asks for an access link by mail
to see the child's data (and to ask, through the rights engine, for an export or erasure).

The consent is recorded in the ledger under the child (method `guardian`, purposes
`guardian.account` and `guardian.third_parties`) with the hash of the exact text shown.
Without consent to third parties the child is opted out of sale and sharing, so the access
gate refuses every purpose served through a third party.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import PersonState
from steward.consent import ledger
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.identity import tokens
from steward.identity.common import (
    actor_of,
    email_index,
    gate,
    link,
    load_account,
    load_person,
    mail,
)
from steward.identity.models import Account, Guardian, Person
from steward.policy.active import policy_of, resolve
from steward.policy.schema import Policy

ACCOUNT = "guardian.account"
THIRD_PARTIES = "guardian.third_parties"
CONSENT_NAMES = {ACCOUNT: "Your child's account", THIRD_PARTIES: "Sharing with third parties"}
GUARDIAN_COLUMNS = ["name", "email"]


@dataclass(frozen=True)
class Recipient:
    name: str
    service: str
    third_party: bool


@dataclass(frozen=True)
class ConsentNotice:
    """What a guardian is asked to consent to: the exact text, and its hash for the ledger."""

    child_name: str
    guardian_name: str
    collected: list[str]  # "Account data: your name, ..." per category
    recipients: list[Recipient]
    text: str

    @property
    def third_parties(self) -> list[Recipient]:
        return [r for r in self.recipients if r.third_party]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass(frozen=True)
class ChildView:
    """What a guardian sees of the child's data."""

    person_id: str
    name: str | None
    email: str | None
    birth_date: date | None
    status: str
    consented_at: datetime | None
    third_parties: bool
    consents: list[tuple[str, str, datetime]]  # (what, choice, when) per ledger event


def _guardian_actor(child: Account) -> Actor:
    """A guardian acts as the child's legal representative: on the child's own data."""
    return actor_of(child)


def invite(
    session: Session,
    settings: Settings,
    child: Account,
    child_name: str,
    guardian_name: str,
    guardian_email: str,
) -> None:
    """Record the guardian named at sign-up and mail them the consent link. Part of the
    registration's transaction: it does not commit."""
    now = clock.now()
    guardian = Guardian(
        id=new_id(),
        child_person_id=child.person_id,
        name=guardian_name,
        email=guardian_email,
        email_index=email_index(session, guardian_email),
        third_parties=False,
        created_at=now,
    )
    owner = Actor(role="customer", person_id=child.person_id)
    state = PersonState(child.person_id)
    gate(session, owner, Guardian, child.person_id, GUARDIAN_COLUMNS, action="create", state=state)
    session.add(guardian)
    token = tokens.issue(session, child, "guardian_consent")
    session.flush()
    mail(
        session,
        settings,
        guardian_email,
        f"{child_name} asks for your consent to open an account",
        f"Dear {guardian_name},\n\n{child_name} has registered with us and named you as their "
        "parent or guardian. Because they are a child, the account stays closed until you "
        "consent. Follow this link to see what we would collect, who receives it, and to give "
        f"or refuse your consent:\n{link(settings, '/guardian/consent', token)}\n\nThe link "
        "works for 7 days. If you do not know this child, ignore this message: the account "
        "will never be opened.",
    )


def _child_of(session: Session, account_id: str) -> tuple[Account, Guardian]:
    child = load_account(session, Account.id == account_id)
    if child is None:
        raise Invalid("This link is not valid.")
    guardian = session.scalar(select(Guardian).where(Guardian.child_person_id == child.person_id))
    if guardian is None:
        raise Invalid("This link is not valid.")
    return child, guardian


def _recipients(policy: Policy, categories: list[str]) -> list[Recipient]:
    ours = set(categories)
    return [
        Recipient(p.name, p.service, p.kind == "third_party")
        for p in policy.processors.values()
        if any(resolve(policy, c) in ours for c in p.categories)
    ]


def _notice(session: Session, child: Account, guardian: Guardian) -> ConsentNotice:
    policy = policy_of(session)
    if policy.children is None:
        raise Invalid("The policy no longer has rules for children's accounts.")
    actor = _guardian_actor(child)
    gate(session, actor, Guardian, child.person_id, GUARDIAN_COLUMNS)
    child_name = load_person(session, actor, child.person_id, ["name"]).name or "your child"
    collected = [
        f"{policy.categories[c].name}: {policy.categories[c].description}"
        for c in policy.children.categories
    ]
    recipients = _recipients(policy, list(policy.children.categories))
    lines = [
        f"Consent for the account of {child_name}, under {policy.children.minimum_age}.",
        "What we collect about a child, and nothing else:",
        *collected,
        "Who receives it:",
        *(
            f"{r.name} ({'third party' if r.third_party else 'processor'}): {r.service}"
            for r in recipients
        ),
        f"Privacy policy version {policy.version}.",
    ]
    return ConsentNotice(
        child_name=child_name,
        guardian_name=guardian.name or "",
        collected=collected,
        recipients=recipients,
        text="\n".join(lines),
    )


def consent_notice(session: Session, token: str) -> ConsentNotice:
    """What the consent link asks, without using the link up."""
    row = tokens.peek(session, token, "guardian_consent")
    child, guardian = _child_of(session, row.account_id)
    return _notice(session, child, guardian)


def give_consent(
    session: Session,
    settings: Settings,
    token: str,
    *,
    account: bool,
    third_parties: bool,
    text_sha256: str,
    ip: str | None,
) -> str:
    """The guardian's answer through the link; returns the child's account status. Consent
    to the account is required; to third parties it is separate and optional. The notice the
    guardian read must be the one in force (its hash). Commits."""
    if not account:
        raise Invalid("To open the account, tick the box to consent to it.")
    row = tokens.peek(session, token, "guardian_consent")
    child, guardian = _child_of(session, row.account_id)
    notice = _notice(session, child, guardian)
    if text_sha256 != notice.sha256:
        raise Invalid("What we ask has changed since the page was opened: read it again.")
    third_parties = third_parties and bool(notice.third_parties)
    tokens.consume(session, token, "guardian_consent")
    now = clock.now()
    actor = _guardian_actor(child)
    gate(session, actor, Account, child.person_id, ["status"], action="update")
    ledger.record(
        session,
        owner=child.person_id,
        person_id=child.person_id,
        choices={ACCOUNT: True, THIRD_PARTIES: third_parties},
        method="guardian",
        policy_version=policy_of(session).version,
        text_sha256=notice.sha256,
        ip=ip,
        commit=False,
    )
    guardian.consented_at = now
    guardian.third_parties = third_parties
    if not third_parties:
        person = session.get(Person, child.person_id)
        if person is not None:
            person.sale_opt_out_at = person.sale_opt_out_at or now
    child.status = "active" if child.email_verified_at else "unverified"
    address = guardian.email
    session.commit()
    if address:
        mail(
            session,
            settings,
            address,
            f"You consented to {notice.child_name}'s account",
            f"Thank you. {notice.child_name}'s account can now be used"
            + ("" if child.status == "active" else " once they confirm their email address")
            + ". You can see, export or erase your child's data at any time: ask for a link at "
            f"{settings.public_url.rstrip('/')}/guardian",
        )
    return child.status


def ask_access(session: Session, settings: Settings, email: str) -> None:
    """Mail an access link for each child whose guardian (having consented) uses this address.
    Says nothing about whether there is any: the caller answers the same either way."""
    rows = session.scalars(
        select(Guardian).where(
            Guardian.email_index == email_index(session, email),
            Guardian.consented_at.is_not(None),
        )
    ).all()
    for guardian in rows:
        child = load_account(session, Account.person_id == guardian.child_person_id)
        if child is None:
            continue
        token = tokens.issue(session, child, "guardian_access")
        session.commit()
        mail(
            session,
            settings,
            email.strip(),
            "Your link to your child's data",
            "Follow this link to see the data we hold about your child and to ask for a copy "
            f"or for its erasure:\n{link(settings, '/guardian/child', token)}\n\nIt works for "
            "one hour. If you did not ask for it, ignore this message.",
        )


def _access(session: Session, token: str, use: bool) -> tuple[Account, Guardian]:
    row = (tokens.consume if use else tokens.peek)(session, token, "guardian_access")
    return _child_of(session, row.account_id)


def child_view(session: Session, token: str) -> ChildView:
    """The child's data as the guardian's access link shows it."""
    child, guardian = _access(session, token, use=False)
    columns = ["name", "email", "birth_date"]
    person = load_person(session, _guardian_actor(child), child.person_id, columns)
    history = ledger.history(session, child.person_id)
    return ChildView(
        person_id=child.person_id,
        name=person.name,
        email=person.email,
        birth_date=date.fromisoformat(person.birth_date) if person.birth_date else None,
        status=child.status,
        consented_at=guardian.consented_at,
        third_parties=guardian.third_parties,
        consents=[(CONSENT_NAMES.get(e.purpose, e.purpose), e.choice, e.at) for e in history],
    )


@dataclass(frozen=True)
class GuardianRequest:
    """Who asks, for a request on a child's behalf: the guardian, about the child."""

    child_person_id: str
    guardian_name: str
    guardian_email: str


def use_access(session: Session, token: str) -> GuardianRequest:
    """Use up the access link for a request on the child's behalf. Does not commit: the
    caller opens the request in the same transaction."""
    child, guardian = _access(session, token, use=True)
    gate(session, _guardian_actor(child), Guardian, child.person_id, GUARDIAN_COLUMNS)
    if not guardian.email:
        raise Invalid("This link is not valid.")
    return GuardianRequest(child.person_id, guardian.name or "Guardian", guardian.email)
