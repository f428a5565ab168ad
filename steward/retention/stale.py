"""Stale accounts (T3): a customer account unused for the policy's `stale_accounts.inactive_after`
is warned by email `warn_before` ahead, then closed; its data then goes by the retention
rules that run from account closure (the sweep wipes the person when those are over).

Activity is the last sign-in, or the account's creation if it never signed in. Signing in
after the warning keeps the account open, and a later spell of disuse warns again. An
account is never closed without a warning at least `warn_before` old, so a worker that was
down for a while still gives the full notice. Staff accounts are not closed this way.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM
from steward.core.settings import Settings
from steward.identity.common import local_for, mail_quietly
from steward.identity.models import Account, Person
from steward.identity.sessions import end_all
from steward.policy.durations import Duration
from steward.policy.schema import Policy

BATCH = 200


@dataclass(frozen=True)
class StaleResult:
    warned: int
    closed: int


def run(session: Session, settings: Settings, policy: Policy) -> StaleResult:
    """Warn the accounts coming up to the limit and close those past it, after their
    warning. Each account is committed on its own, before its mail goes."""
    rule = policy.stale_accounts
    if rule is None:
        return StaleResult(0, 0)
    now = clock.now()
    last = func.coalesce(Account.last_sign_in_at, Account.created_at)
    customers = (Account.role == "customer", Account.status.in_(("active", "unverified")))
    to_warn = select(Account.id).where(
        *customers,
        last <= rule.inactive_after.before(rule.warn_before.after(now)),
        or_(Account.stale_warned_at.is_(None), Account.stale_warned_at <= last),
    )
    to_close = select(Account.id).where(
        *customers,
        last <= rule.inactive_after.before(now),
        Account.stale_warned_at.is_not(None),
        Account.stale_warned_at > last,
        Account.stale_warned_at <= rule.warn_before.before(now),
    )
    closed = warned = 0
    # each account leaves its query once handled (closed, or warned after its last use)
    while found := list(session.scalars(to_close.limit(BATCH))):
        for account_id in found:
            _close(session, settings, account_id)
        closed += len(found)
    while found := list(session.scalars(to_warn.limit(BATCH))):
        for account_id in found:
            _warn(session, settings, rule.warn_before, account_id)
        warned += len(found)
    return StaleResult(warned, closed)


def _warn(session: Session, settings: Settings, notice: Duration, account_id: str) -> None:
    account = session.get_one(Account, account_id)
    person = session.get_one(Person, account.person_id)
    account.stale_warned_at = clock.now()
    address = person.email
    closes_on = notice.after(clock.now())
    record(session, SYSTEM, "stale_warned", purpose="retention", person_id=person.id)
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            "Your account will be closed",
            f"You have not used your account for a long time. We will close it on "
            f"{local_for(session, person.id).day(closes_on)} and then delete your data as our "
            "privacy policy says, "
            "unless you sign in before then. Signing in is all it takes to keep it.",
        )


def _close(session: Session, settings: Settings, account_id: str) -> None:
    account = session.get_one(Account, account_id)
    person = session.get_one(Person, account.person_id)
    account.status = "closed"
    person.closed_at = clock.now()
    end_all(session, account.id)
    address = person.email
    record(session, SYSTEM, "account_closed", purpose="retention", person_id=person.id)
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            "Your account is closed",
            "Your account was unused for a long time, so we have closed it. Your data will "
            "be deleted as our privacy policy says; what the law requires us to keep is kept "
            "sealed until its period ends.",
        )
