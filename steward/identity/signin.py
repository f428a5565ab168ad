"""Signing in with an email and a password, throttled (X4); unlocking; setting a password.

A sign-in answers the same, and does the same work, whether or not the email has an
account: unknown emails are checked against a decoy hash and throttled under a key of their
own. Only a correct password learns the state of the account.
"""

from typing import NoReturn

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import VISITOR, Actor
from steward.core.errors import Forbidden
from steward.core.settings import Settings
from steward.identity import passwords, throttle, tokens
from steward.identity.common import (
    actor_of,
    gate,
    link,
    load_account,
    load_person,
    login_index,
    mail_quietly,
    security_event,
)
from steward.identity.errors import Locked, WrongCredentials
from steward.identity.models import Account, SignInAttempt
from steward.identity.sessions import Started, start

WRONG = "The email address or the password is wrong."
LOCKED = (
    "Too many failed attempts: sign-in is locked. If an account exists for this address, "
    "we have sent it a link to unlock it."
)
REFUSED_STATUS = {
    "unverified": "Confirm your email address first: follow the link we sent you.",
    "pending_guardian": "This account is waiting for a parent's or guardian's consent.",
    "disabled": "This account is disabled. Contact us if you think this is a mistake.",
    "closed": "This account is closed. Contact us if you want it reopened.",
}


def _keys(session: Session, ip: str, subject: str) -> tuple[str, str]:
    return throttle.key(session, f"ip:{ip}"), throttle.key(session, f"account:{subject}")


def sign_in(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    ip: str,
    visitor: Actor = VISITOR,
) -> Started:
    login = login_index(session, email)
    account = load_account(session, Account.login_index == login)
    ip_key, account_key = _keys(session, ip, account.id if account else login)
    if (account is not None and account.status == "locked") or throttle.failures(
        session, account_key
    ) >= throttle.LOCK_AFTER:
        raise Locked(LOCKED)
    throttle.ensure_allowed(session, [ip_key, account_key])
    good = passwords.verify(account.password_hash if account else None, password)
    _attempted(session, ip_key, login, account, good)
    if account is None or not good:
        _failed(session, settings, visitor, account, ip_key, account_key)
    if account.status in REFUSED_STATUS:
        raise Forbidden(REFUSED_STATUS[account.status])
    throttle.clear(session, account_key)
    gate(
        session,
        actor_of(account, visitor.request_id),
        Account,
        account.person_id,
        ["password_hash"],
        action="sign_in",
    )
    account.last_sign_in_at = clock.now()
    started = start(session, account)
    session.commit()
    return started


def _attempted(
    session: Session, ip_key: str, login: str, account: Account | None, good: bool
) -> None:
    """Which address tried which login, as blind indexes: the watch's sign-in records (X4)."""
    session.add(
        SignInAttempt(
            at=clock.now(),
            address_key=ip_key,
            login_key=login,
            account_id=account.id if account else None,
            succeeded=good,
        )
    )


def _failed(
    session: Session,
    settings: Settings,
    visitor: Actor,
    account: Account | None,
    ip_key: str,
    account_key: str,
) -> NoReturn:
    throttle.fail(session, ip_key, forgets=True)
    count = throttle.fail(session, account_key, forgets=False)
    person_id = account.person_id if account else None
    security_event(session, visitor, "sign_in_failed", person_id)
    if count < throttle.LOCK_AFTER:
        session.commit()
        raise WrongCredentials(WRONG)
    if account is None:
        session.commit()
        raise Locked(LOCKED)
    lock(session, settings, account, visitor)


def lock(session: Session, settings: Settings, account: Account, actor: Actor) -> NoReturn:
    """Lock the account, record it, mail an unlock link and raise Locked."""
    account.status = "locked"
    security_event(session, actor, "account_locked", account.person_id, outcome="ok")
    token = tokens.issue(session, account, "unlock")
    person = load_person(session, actor_of(account, actor.request_id), account.person_id, ["email"])
    address = person.email
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            "Your account is locked",
            "Someone, perhaps you, failed to sign in to your account too many times, so we "
            "have locked it.\n\nTo unlock it, follow this link:\n"
            f"{link(settings, '/unlock', token)}\n\nIf this was not you, change your password "
            "after unlocking.",
        )
    raise Locked(LOCKED)


def unlock(session: Session, token: str) -> None:
    """Follow the emailed unlock link: the account signs in again and its count restarts."""
    row = tokens.consume(session, token, "unlock")
    account = load_account(session, Account.id == row.account_id)
    if account is not None and account.status == "locked":
        account.status = "active" if account.email_verified_at else "unverified"
        throttle.clear(session, throttle.key(session, f"account:{account.id}"))
        security_event(
            session, actor_of(account), "account_unlocked", account.person_id, outcome="ok"
        )
    session.commit()


def set_password(session: Session, token: str, password: str) -> None:
    """Follow a set-password link (new staff accounts): the password is set, the email proven."""
    passwords.check(password)
    row = tokens.consume(session, token, "set_password")
    account = load_account(session, Account.id == row.account_id)
    if account is None or account.status == "disabled":
        raise Forbidden("This account is disabled.")
    gate(session, actor_of(account), Account, account.person_id, ["password_hash"], action="update")
    account.password_hash = passwords.hash_password(password)
    now = clock.now()
    account.email_verified_at = account.email_verified_at or now
    if account.status in ("unverified", "locked"):
        account.status = "active"
    session.commit()
