"""Self-service (R2): see and correct one's own name, phone and company; change the email
address, which takes effect only once a link sent to the new address is followed; choose the
time zone one reads times in."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from steward.access.gate import allowed
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid
from steward.core.settings import Settings
from steward.identity import passwords, tokens
from steward.identity.common import (
    SERVICE,
    actor_of,
    categories,
    email_index,
    gate,
    link,
    load_account,
    load_person,
    login_index,
    mail,
    mail_quietly,
    state_of,
)
from steward.identity.errors import NotSignedIn, WrongCredentials
from steward.identity.models import Account, OneTimeToken, Person
from steward.policy.local import is_zone

SHOWN = ("name", "email", "phone", "company", "birth_date")
CORRECTABLE = ("name", "phone", "company")


@dataclass(frozen=True)
class Profile:
    person_id: str
    account_id: str
    role: str
    fields: dict[str, str | None]  # only the columns the policy lets this purpose read
    email_verified: bool
    mfa_enabled: bool
    time_zone: str | None = None  # the zone chosen for this account; None: the default


def _own_account(session: Session, actor: Actor) -> Account:
    account = load_account(session, Account.id == actor.account_id)
    if account is None:
        raise NotSignedIn("Sign in first.")
    return account


def readable(session: Session, actor: Actor, person_id: str, columns: tuple[str, ...]) -> list[str]:
    """The columns the policy lets `actor` read for the service, asked one by one, without
    audit; when none is, all are returned so that the gate refuses and audits."""
    state = state_of(session, person_id)
    shown = [c for c in columns if allowed(session, actor, SERVICE, state, categories(Person, [c]))]
    return shown or list(columns)


def read(session: Session, actor: Actor) -> Profile:
    account = _own_account(session, actor)
    columns = readable(session, actor, account.person_id, SHOWN)
    person = load_person(session, actor, account.person_id, columns)
    session.commit()
    return Profile(
        person_id=person.id,
        account_id=account.id,
        role=account.role,
        fields={c: getattr(person, c) for c in columns},
        email_verified=account.email_verified_at is not None,
        mfa_enabled=account.mfa_enabled_at is not None,
        time_zone=account.time_zone,
    )


def chosen_zone(session: Session, actor: Actor) -> str | None:
    """The time zone this account chose, if it chose one."""
    return _own_account(session, actor).time_zone


def set_time_zone(session: Session, actor: Actor, name: str | None) -> str | None:
    """The time zone this account reads times in (an IANA name, as `zone_names` lists them);
    blank goes back to the default (the organisation's, else the business's). A display
    preference, not personal data. Commits."""
    name = (name or "").strip() or None
    if name is not None and (len(name) > 64 or not is_zone(name)):
        raise Invalid("Choose a time zone from the list, like Europe/London.")
    account = _own_account(session, actor)
    account.time_zone = name
    session.commit()
    return name


def correct(session: Session, actor: Actor, changes: dict[str, str | None]) -> Profile:
    """Correct the given fields (None clears an optional one); audited with column names."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise Invalid(f"Only these fields can be corrected here: {', '.join(CORRECTABLE)}.")
    if "name" in changes and not (changes["name"] or "").strip():
        raise Invalid("The name cannot be empty.")
    account = _own_account(session, actor)
    if changes:
        person = load_person(session, actor, account.person_id, sorted(changes), action="update")
        for column, value in changes.items():
            setattr(person, column, value.strip() if value else None)
        person.updated_at = clock.now()
        session.commit()
    return read(session, actor)


def request_email_change(
    session: Session, settings: Settings, actor: Actor, new_email: str, password: str
) -> None:
    """Confirm the password, then mail a link to the new address; nothing changes until it
    is followed."""
    account = _own_account(session, actor)
    if not passwords.verify(account.password_hash, password):
        raise WrongCredentials("The password is wrong.")
    gate(session, actor, OneTimeToken, account.person_id, ["new_email"], action="create")
    token = tokens.issue(session, account, "change_email", new_email=new_email.strip())
    session.flush()
    mail(
        session,
        settings,
        new_email,
        "Confirm your new email address",
        "To use this address for your account, follow this link:\n"
        f"{link(settings, '/confirm-email', token)}\n\nUntil you do, nothing changes. If you "
        "did not ask for this, ignore this message.",
    )
    session.commit()


def confirm_email_change(session: Session, settings: Settings, token: str) -> None:
    row = tokens.consume(session, token, "change_email")
    account = load_account(session, Account.id == row.account_id)
    if account is None:
        raise Invalid("This link is not valid.")
    owner = actor_of(account)
    gate(session, owner, OneTimeToken, account.person_id, ["new_email"])
    new_email = row.new_email
    if not new_email:
        raise Invalid("This link is not valid.")
    login = login_index(session, new_email)
    if load_account(session, Account.login_index == login, Account.id != account.id):
        raise Conflict("This address already belongs to another account.")
    person = load_person(session, owner, account.person_id, ["email"], action="update")
    old_email = person.email
    now = clock.now()
    person.email = new_email
    person.email_index = email_index(session, new_email)
    person.updated_at = now
    account.login_index = login
    account.email_verified_at = now
    session.commit()
    if old_email:
        mail_quietly(
            session,
            settings,
            old_email,
            "Your email address was changed",
            "The email address of your account was changed. If you did not do this, contact "
            "us at once.",
        )
