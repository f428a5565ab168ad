"""A reset of password and MFA forced on an account (X6: containing a compromised account).

`force` ends every session of the account, forgets its MFA secret and recovery codes and
marks it. The person may still sign in with the old password, but that session passes no
MFA, so it can do nothing else than choose a new password (`choose_password`) and then
enrol an authenticator app anew (steward.identity.mfa), which clears the mark. A code from
the old secret opens nothing: the secret is gone.
"""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.identity import passwords
from steward.identity.common import SERVICE, gate, load_account, security_event
from steward.identity.errors import NotSignedIn
from steward.identity.models import Account, RecoveryCode
from steward.identity.sessions import end_all


def force(session: Session, actor: Actor, account_id: str, *, purpose: str = SERVICE) -> int:
    """Force a new password and a new MFA enrolment; returns how many sessions ended. The
    gate decides under `purpose` (the incident response's for the privacy officer). The
    caller commits."""
    account = load_account(session, Account.id == account_id)
    if account is None:
        raise NotFound("There is no such account.")
    gate(
        session,
        actor,
        Account,
        account.person_id,
        ["password_hash", "mfa_secret"],
        action="force_reset",
        purpose=purpose,
    )
    now = clock.now()
    account.password_reset_forced_at = now
    account.mfa_reset_forced_at = now
    account.mfa_secret = None
    account.mfa_enabled_at = None
    account.mfa_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    security_event(session, actor, "reset_forced", account.person_id, outcome="ok")
    return end_all(session, account.id)


def choose_password(session: Session, actor: Actor, session_id: str, password: str) -> None:
    """The first step of a forced reset, in the session signed in with the old password:
    a new one, not the old; every other session ends. Commits."""
    account = load_account(session, Account.id == actor.account_id)
    if account is None:
        raise NotSignedIn("Sign in first.")
    if account.password_reset_forced_at is None:
        raise Conflict("No new password is asked of this account.")
    passwords.check(password)
    if passwords.verify(account.password_hash, password):
        raise Invalid("Choose a new password, not the one you had.")
    gate(session, actor, Account, account.person_id, ["password_hash"], action="update")
    account.password_hash = passwords.hash_password(password)
    account.password_reset_forced_at = None
    end_all(session, account.id, keep=session_id)
    security_event(session, actor, "password_reset", account.person_id, outcome="ok")
    session.commit()
