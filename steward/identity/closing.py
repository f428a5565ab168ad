"""Closing an account (R3, T3): by the customer in their portal, or by an admin.

Closing ends every session of the account, sets its status `closed` and the person's
`closed_at` (the moment the retention rules that run "after your account is closed" start
from), writes an audit entry and mails a confirmation. Sign-in is refused afterwards. An admin
can reopen the account (status back to active) until the retention sweep wipes the person;
that clears `closed_at` and any inactivity warning, as for an account the stale check closed.
Deleting the data with the closing is the erasure engine's work (steward.rights.self_service).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, Refused
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, NotFound
from steward.core.settings import Settings
from steward.identity.common import (
    SERVICE,
    gate,
    load_account,
    load_person,
    local_for,
    mail_quietly,
)
from steward.identity.errors import NotPermitted, NotSignedIn
from steward.identity.models import Account, Person
from steward.identity.sessions import end_all
from steward.policy.active import policy_of
from steward.policy.local import Local
from steward.policy.plain import kept_and_then
from steward.policy.schema import Policy

CLOSABLE = ("active", "unverified", "locked", "disabled")


@dataclass(frozen=True)
class Closed:
    account_id: str
    person_id: str
    closed_at: datetime
    address: str | None  # where the confirmation goes (None when it cannot be read)


def close_own(session: Session, actor: Actor) -> Closed:
    """The signed-in customer closes their own account. The caller mails (`confirm`) after
    its commit, so a mail never announces a closing that was rolled back."""
    if actor.account_id is None or actor.person_id is None:
        raise NotSignedIn("Sign in first.")
    if actor.role != "customer":
        raise NotPermitted("Staff accounts are closed by an admin.")
    account = load_account(session, Account.id == actor.account_id)
    if account is None:
        raise NotSignedIn("Sign in first.")
    # Under the rights purpose: closing is always the person's to do, even after they
    # restricted processing or objected.
    return _close(session, actor, account, RIGHTS)


def close_by_admin(session: Session, actor: Actor, account: Account) -> Closed:
    """An admin closes someone's account (the caller checked the admin and commits)."""
    return _close(session, actor, account, SERVICE)


def _close(session: Session, actor: Actor, account: Account, purpose: str) -> Closed:
    if account.status not in CLOSABLE:
        raise Conflict("This account is already closed.")
    person = session.get(Person, account.person_id)
    if person is None:
        raise NotFound("There is no such account.")
    gate(
        session,
        actor,
        Account,
        account.person_id,
        ["status"],
        action="close_account",
        purpose=purpose,
    )
    now = clock.now()
    account.status = "closed"
    account.stale_warned_at = None
    person.closed_at = now
    end_all(session, account.id)
    return Closed(account.id, person.id, now, _address(session, actor, person.id, purpose))


def reopen(session: Session, account: Account) -> None:
    """Status back to active before the person is wiped (the caller audits and commits)."""
    if account.status != "closed":
        return
    person = session.get(Person, account.person_id)
    if person is not None and person.erased_at is not None:
        raise Conflict("This account's data is erased: it cannot be reopened.")
    account.stale_warned_at = None
    if person is not None:
        person.closed_at = None


def _address(session: Session, actor: Actor, person_id: str, purpose: str) -> str | None:
    """The address the confirmation goes to; None when the policy refuses reading it (the
    refusal goes to the audit trail; the page then does not claim a mail went)."""
    try:
        return load_person(session, actor, person_id, ["email"], purpose=purpose).email
    except Refused as refused:
        record(session, **refused.entry)  # kept with the closing, for the officer to find
        return None


@dataclass(frozen=True)
class KeptLine:
    """One category of the policy and how long it is kept, in plain words."""

    name: str
    words: str  # "7 years after your account is closed, then it is deleted"
    until: date | None  # the day it ends, when it runs from the account's closing


def kept_after_closing(policy: Policy, closed_at: datetime) -> list[KeptLine]:
    """What the policy keeps of a person's data once their account is closed, per category."""
    lines = []
    for category in policy.categories.values():
        rule = category.retention
        until = rule.period.after(closed_at).date() if rule.trigger == "account_closure" else None
        lines.append(KeptLine(category.name, kept_and_then(rule), until))
    return lines


def said(line: KeptLine, local: Local) -> str:
    until = f" (until {local.day(line.until)})" if line.until else ""
    return f"{line.name}: {line.words}{until}."


def confirm(session: Session, settings: Settings, closed: Closed) -> bool:
    """Mail the confirmation with what is kept and for how long; whether it went."""
    if closed.address is None:
        return False
    local = local_for(session, closed.person_id)
    kept = [said(line, local) for line in kept_after_closing(policy_of(session), closed.closed_at)]
    lines = [
        f"Your account was closed on {local.day(closed.closed_at)}. You can no longer sign in, "
        "and every session of it has ended.",
        "",
        "What we keep, and for how long, as our privacy policy says:",
        *[f"- {line}" for line in kept],
        "",
        "If you did not close your account, or want it reopened, reply to this message.",
    ]
    return mail_quietly(
        session, settings, closed.address, "Your account is closed", "\n".join(lines)
    )
