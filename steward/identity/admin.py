"""Administration of accounts: list them, create staff accounts, change a role or status
(active, disabled, closed: closing is steward.identity.closing's, reopening clears it).

Every function refuses anyone but an admin, whatever the web layer already checked.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from steward.access.gate import PersonState, Refused
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.identity import closing, throttle, tokens
from steward.identity.common import (
    email_index,
    gate,
    link,
    load_account,
    load_person,
    login_index,
    mail,
)
from steward.identity.errors import NotPermitted
from steward.identity.models import ROLES, STAFF_ROLES, Account, Person
from steward.identity.sessions import end_all

SETTABLE_STATUSES = ("active", "disabled", "closed")


@dataclass(frozen=True)
class AccountView:
    id: str
    person_id: str
    role: str
    status: str
    name: str | None  # None when the policy or the person's state refuses showing it
    email: str | None
    mfa_enabled: bool
    created_at: datetime
    last_sign_in_at: datetime | None


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise NotPermitted("Only an admin may manage accounts.")


def _view(session: Session, actor: Actor, account: Account) -> AccountView:
    name = email = None
    try:
        person = load_person(session, actor, account.person_id, ["name", "email"])
        name, email = person.name, person.email
    except Refused:
        pass  # the refusal is audited; the account is listed without the person's data
    return AccountView(
        id=account.id,
        person_id=account.person_id,
        role=account.role,
        status=account.status,
        name=name,
        email=email,
        mfa_enabled=account.mfa_enabled_at is not None,
        created_at=account.created_at,
        last_sign_in_at=account.last_sign_in_at,
    )


def list_accounts(
    session: Session, actor: Actor, *, limit: int = 100, offset: int = 0
) -> list[AccountView]:
    _require_admin(actor)
    accounts = session.scalars(
        select(Account)
        .options(defer(Account.mfa_secret))
        .order_by(Account.created_at, Account.id)
        .limit(limit)
        .offset(offset)
    ).all()
    views = [_view(session, actor, account) for account in accounts]
    session.commit()
    return views


def create_staff(
    session: Session, settings: Settings, actor: Actor, email: str, name: str, role: str
) -> AccountView:
    """A staff account without a password: a set-password link goes to its address."""
    _require_admin(actor)
    if role not in STAFF_ROLES:
        raise Invalid(f"A staff role is one of: {', '.join(STAFF_ROLES)}.")
    account = new_account(session, actor, email, name, role, status="unverified")
    token = tokens.issue(session, account, "set_password")
    session.flush()
    mail(
        session,
        settings,
        email,
        "Your new account",
        f"An account with the role {role} was opened for you. To choose your password, "
        f"follow this link:\n{link(settings, '/set-password', token)}\n\nYou will then set up "
        "multi-factor authentication at your first sign-in.",
    )
    view = _view(session, actor, account)
    session.commit()
    return view


def new_account(
    session: Session,
    actor: Actor | None,
    email: str,
    name: str,
    role: str,
    *,
    status: str,
    password_hash: str | None = None,
) -> Account:
    """Add a staff person and account (the caller commits). With no actor, the new person
    acts on their own data: the first admin created from the command line."""
    if not name.strip():
        raise Invalid("Enter a name.")
    login = login_index(session, email)
    if load_account(session, Account.login_index == login) is not None:
        raise Conflict("This address already has an account.")
    now = clock.now()
    person = Person(
        id=new_id(),
        kind="staff",
        name=name.strip(),
        email=email.strip(),
        email_index=email_index(session, email),
        created_at=now,
        updated_at=now,
    )
    account = Account(
        id=new_id(),
        person_id=person.id,
        login_index=login,
        role=role,
        status=status,
        password_hash=password_hash,
        created_at=now,
        email_verified_at=now if status == "active" else None,
    )
    who = actor or Actor(role=role, account_id=account.id, person_id=person.id)
    gate(
        session,
        who,
        Person,
        person.id,
        ["name", "email"],
        action="create",
        state=PersonState(person.id),
    )
    session.add(person)
    session.flush()  # no ORM relationships: insert the person before the account
    session.add(account)
    session.flush()
    return account


def disable(session: Session, actor: Actor, account_id: str, *, purpose: str) -> int:
    """Disable an account at once: sign-in is refused and its sessions end; returns how many
    ended (the caller commits). Admins do this through `change`; the privacy officer
    containing an incident (X6) through this, the gate deciding under `purpose`."""
    if account_id == actor.account_id:
        raise NotPermitted("You cannot disable your own account.")
    account = load_account(session, Account.id == account_id)
    if account is None:
        raise NotFound("There is no such account.")
    gate(session, actor, Account, account.person_id, ["status"], action="update", purpose=purpose)
    account.status = "disabled"
    return end_all(session, account.id)


def change(
    session: Session,
    actor: Actor,
    account_id: str,
    *,
    role: str | None = None,
    status: str | None = None,
    settings: Settings | None = None,
) -> AccountView:
    """Change an account's role and/or status; its sessions end so the change holds at once.
    Closing sets the person's `closed_at` (the retention clock of account closure) and, with
    `settings`, mails them; reopening clears it."""
    _require_admin(actor)
    if account_id == actor.account_id:
        raise NotPermitted("Admins cannot change their own role or status; ask another admin.")
    if role is not None and role not in ROLES:
        raise Invalid(f"A role is one of: {', '.join(ROLES)}.")
    if status is not None and status not in SETTABLE_STATUSES:
        raise Invalid(f"A status set here is one of: {', '.join(SETTABLE_STATUSES)}.")
    account = load_account(session, Account.id == account_id)
    if account is None:
        raise NotFound("There is no such account.")
    closed = None
    if status == "closed" and account.status != "closed":
        closed = closing.close_by_admin(session, actor, account)  # audited as close_account
        status = None
    columns = [c for c, v in (("role", role), ("status", status)) if v is not None]
    if columns or closed is None:
        gate(session, actor, Account, account.person_id, columns, action="update")
    if status == "active" and account.status == "locked":
        throttle.clear(session, throttle.key(session, f"account:{account.id}"))
    if status == "active" and account.status == "closed":  # reopened before it was wiped (T3)
        closing.reopen(session, account)
    account.role = role or account.role
    account.status = status or account.status
    end_all(session, account.id)
    view = _view(session, actor, account)
    session.commit()
    if closed is not None and settings is not None:
        closing.confirm(session, settings, closed)
    return view
