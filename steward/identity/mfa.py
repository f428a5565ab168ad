"""TOTP multi-factor authentication (X2): enrol, confirm with a first code, pass at sign-in.

Confirming the enrolment returns 10 single-use recovery codes, shown once and stored as
SHA-256 hashes. A TOTP code is taken once: the account keeps the time-step of the last code
it accepted and refuses that step and older ones (RFC 6238, 5.2), so a code seen over a
shoulder or replayed from a proxy's log cannot open a second session. A wrong code counts as a sign-in failure of the account (throttled, locks
after too many) and is a security event.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, NoReturn

import pyotp
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict
from steward.core.settings import Settings
from steward.identity import throttle
from steward.identity.common import gate, load_account, security_event
from steward.identity.errors import WrongCredentials
from steward.identity.models import Account, RecoveryCode
from steward.identity.sessions import pass_mfa
from steward.identity.signin import lock
from steward.policy.active import policy_of

RECOVERY_CODES = 10


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _account(session: Session, actor: Actor) -> Account:
    account = load_account(session, Account.id == actor.account_id)
    if account is None:
        raise WrongCredentials("Sign in first.")
    return account


def _totp_ok(session: Session, account: Account, code: str) -> bool:
    """The code is the one of the step before, this or the next (clocks drift), and that
    step is later than the last one this account used; claiming it is one conditional
    UPDATE, so of two requests racing with the same code only one wins."""
    code = code.replace(" ", "")
    if not (account.mfa_secret and code.isdigit()):
        return False
    totp = pyotp.TOTP(account.mfa_secret)
    now = totp.timecode(clock.now())
    step = next(
        (s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(s), code)),
        None,
    )
    if step is None:
        return False
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Account)
        .where(
            Account.id == account.id,
            (Account.mfa_last_step.is_(None)) | (Account.mfa_last_step < step),
        )
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _new_password_first(account: Account) -> None:
    if account.password_reset_forced_at is not None:
        raise Conflict("Choose a new password first, then set up your authenticator app.")


def enrol(session: Session, actor: Actor) -> Enrolment:
    """A new secret for an account without MFA; it takes effect once a code confirms it."""
    account = _account(session, actor)
    _new_password_first(account)
    if account.mfa_enabled_at is not None:
        raise Conflict("Multi-factor authentication is already on for this account.")
    gate(session, actor, Account, account.person_id, ["mfa_secret"], action="update")
    secret = pyotp.random_base32()
    account.mfa_secret = secret
    issuer = policy_of(session).controller.trading_name or policy_of(session).controller.legal_name
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.id, issuer_name=issuer)
    session.commit()
    return Enrolment(secret=secret, uri=uri)


def confirm(
    session: Session, settings: Settings, actor: Actor, session_id: str, code: str
) -> list[str]:
    """Turn MFA on with a first valid code; returns the recovery codes, shown only now."""
    account = _account(session, actor)
    if account.mfa_enabled_at is not None:
        raise Conflict("Multi-factor authentication is already on for this account.")
    _new_password_first(account)
    gate(session, actor, Account, account.person_id, ["mfa_secret"])
    if not account.mfa_secret:
        raise Conflict("Start the enrolment first.")
    if not _totp_ok(session, account, code):
        _wrong(session, settings, actor, account)
    account.mfa_enabled_at = clock.now()
    account.mfa_reset_forced_at = None  # the last step of a forced reset, if one was asked
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(account_id=account.id, code_hash=_hash(c)) for c in codes)
    pass_mfa(session, session_id)
    session.commit()
    return codes


def verify(session: Session, settings: Settings, actor: Actor, session_id: str, code: str) -> None:
    """Pass MFA for this session with a TOTP code or an unused recovery code."""
    account = _account(session, actor)
    if account.mfa_enabled_at is None:
        raise Conflict("Multi-factor authentication is not on for this account: enrol first.")
    account_key = throttle.key(session, f"account:{account.id}")
    throttle.ensure_allowed(session, [account_key])
    gate(session, actor, Account, account.person_id, ["mfa_secret"])
    if not _passes(session, account, code):
        _wrong(session, settings, actor, account)
    throttle.clear(session, account_key)
    pass_mfa(session, session_id)
    session.commit()


def _passes(session: Session, account: Account, code: str) -> bool:
    if _totp_ok(session, account, code):
        return True
    wanted = _hash(code)
    unused = session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for row in unused:
        if hmac.compare_digest(row.code_hash, wanted):
            row.used_at = clock.now()
            return True
    return False


def _wrong(session: Session, settings: Settings, actor: Actor, account: Account) -> NoReturn:
    count = throttle.fail(session, throttle.key(session, f"account:{account.id}"), forgets=False)
    security_event(session, actor, "mfa_failed", account.person_id)
    if count >= throttle.LOCK_AFTER:
        lock(session, settings, account, actor)
    session.commit()
    raise WrongCredentials("The code is wrong.")
