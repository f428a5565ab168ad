"""Registration and email verification.

Registering an address that already has an account answers exactly as a new registration
does (and does the same password hashing); the address's owner gets a notice by mail
instead of a verification link. When the policy has a `children` section, the date of birth
is asked for; below `children.minimum_age` the account stays `pending_guardian` (C3), only
categories the policy allows for children are collected, the guardian named in the form is
mailed a consent link (identity.guardians), and only their consent activates the account.
"""

import re
from datetime import date

from sqlalchemy.orm import Session

from steward.access.gate import PersonState
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.identity import guardians, passwords, tokens
from steward.identity.common import (
    actor_of,
    email_index,
    gate,
    link,
    load_account,
    login_index,
    mail,
)
from steward.identity.inputs import RegisterIn
from steward.identity.models import Account, Person
from steward.policy.active import policy_of, resolve
from steward.policy.schema import Policy

GUARDIAN_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _is_child(policy: Policy, form: RegisterIn) -> bool:
    if policy.children is None:
        return False
    if form.birth_date is None:
        raise Invalid("Enter your date of birth.")
    if form.birth_date > clock.today():
        raise Invalid("The date of birth is in the future.")
    return age_on(form.birth_date, clock.today()) < policy.children.minimum_age


def _limit_for_children(policy: Policy, form: RegisterIn) -> None:
    """Collect from a child only the categories the policy allows for children."""
    if policy.children is None:
        return
    allowed = set(policy.children.categories)
    for column, value in (("phone", form.phone), ("company", form.company)):
        category = Person.__table__.c[column].info["category"]
        if value and resolve(policy, category) not in allowed:
            raise Invalid(
                f"We do not collect a {column} from people under "
                f"{policy.children.minimum_age}; leave it empty."
            )


def _check_guardian(form: RegisterIn) -> tuple[str, str]:
    name, email = (form.guardian_name or "").strip(), (form.guardian_email or "").strip()
    if not name or not email:
        raise Invalid(
            "You are under the age at which we may open an account on your own: enter the "
            "name and email address of a parent or guardian, who will be asked to consent."
        )
    if not GUARDIAN_EMAIL.match(email) or len(email) > 254:
        raise Invalid("Enter the guardian's email address like name@example.com.")
    if email.casefold() == form.email.strip().casefold():
        raise Invalid("Enter your parent's or guardian's own email address, not yours.")
    return name, email


def register(session: Session, settings: Settings, form: RegisterIn) -> str:
    """Register a customer; returns the status the account starts in. Commits."""
    passwords.check(form.password)
    if not form.name.strip():
        raise Invalid("Enter your name.")
    policy = policy_of(session)
    child = _is_child(policy, form)
    guardian = None
    if child:
        _limit_for_children(policy, form)
        guardian = _check_guardian(form)
    status = "pending_guardian" if child else "unverified"
    password_hash = passwords.hash_password(form.password)
    login = login_index(session, form.email)
    if load_account(session, Account.login_index == login) is not None:
        mail(
            session,
            settings,
            form.email,
            "Someone tried to register with your address",
            "Someone, perhaps you, tried to open a new account with this email address, which "
            "already has one. If it was you, sign in instead. If not, you can ignore this "
            "message: nothing has changed.",
        )
        return status
    now = clock.now()
    person = Person(
        id=new_id(),
        kind="child" if child else "customer",
        name=form.name.strip(),
        email=form.email.strip(),
        phone=form.phone or None,
        company=form.company or None,
        birth_date=form.birth_date.isoformat() if form.birth_date else None,
        email_index=email_index(session, form.email),
        created_at=now,
        updated_at=now,
    )
    columns = [
        c
        for c in ("name", "email", "phone", "company", "birth_date")
        if getattr(person, c) is not None
    ]
    owner = Actor(role="customer", person_id=person.id)
    gate(session, owner, Person, person.id, columns, action="create", state=PersonState(person.id))
    account = Account(
        id=new_id(),
        person_id=person.id,
        login_index=login,
        role="customer",
        status=status,
        password_hash=password_hash,
        created_at=now,
    )
    session.add(person)
    session.flush()  # no ORM relationships: insert the person before the account
    session.add(account)
    session.flush()
    token = tokens.issue(session, account, "verify_email")
    session.flush()
    if guardian is not None:
        guardians.invite(session, settings, account, person.name or "", *guardian)
    mail(
        session,
        settings,
        form.email,
        "Confirm your email address",
        f"Welcome, {person.name}.\n\nTo confirm this is your address, follow this link:\n"
        f"{link(settings, '/verify-email', token)}\n\nIf you did not register, ignore this "
        "message.",
    )
    session.commit()
    return status


def verify_email(session: Session, token: str) -> str:
    """Follow the emailed link; returns the account's status (active unless it waits for a
    guardian). Commits."""
    row = tokens.consume(session, token, "verify_email")
    account = load_account(session, Account.id == row.account_id)
    if account is None:
        raise Invalid("This link is not valid.")
    gate(
        session,
        actor_of(account),
        Account,
        account.person_id,
        ["email_verified_at"],
        action="update",
    )
    account.email_verified_at = account.email_verified_at or clock.now()
    if account.status == "unverified":
        account.status = "active"
    session.commit()
    return account.status
