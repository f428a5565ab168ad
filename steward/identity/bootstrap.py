"""The first admin of a fresh installation, created from the command line."""

from sqlalchemy.orm import Session

from steward.identity import passwords
from steward.identity.admin import new_account


def create_admin(session: Session, email: str, name: str, password: str) -> str:
    """An active admin account (email taken as proven by the operator); MFA is set up at the
    first sign-in. Returns the account id. Commits."""
    passwords.check(password)
    account = new_account(
        session,
        None,
        email,
        name,
        "admin",
        status="active",
        password_hash=passwords.hash_password(password),
    )
    session.commit()
    return account.id
