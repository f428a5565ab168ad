"""Telling every active account holder that a new policy version was published (C4).

Each holder's address is read as that holder (the gate checks and audits the read); the
mail gives the version, the date it takes effect, what changed, and whether they will be
asked to accept it. Sending is real SMTP; a failure is counted, not raised.
"""

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.core.settings import Settings
from steward.identity.common import load_person, mail_quietly
from steward.identity.models import Account

BATCH = 500


@dataclass(frozen=True)
class Notice:
    version: str
    effective_date: str
    summary: str
    material: bool


@dataclass(frozen=True)
class Sent:
    sent: int
    failed: int


def body_of(notice: Notice, public_url: str) -> str:
    base = public_url.rstrip("/")
    ask = (
        "These changes are material: the next time you sign in we will ask you to accept "
        "the new version before you continue."
        if notice.material
        else "You do not need to do anything."
    )
    return (
        f"We have published version {notice.version} of our privacy policy, in effect from "
        f"{notice.effective_date}.\n\nWhat changed:\n{notice.summary}\n\n{ask}\n\n"
        f"Read it: {base}/privacy\nEvery version: {base}/privacy/history"
    )


def notify_account_holders(session: Session, settings: Settings, notice: Notice) -> Sent:
    """Mail the notice to every active account holder; returns how many were sent and how
    many failed (no address readable, or the mail server refused)."""
    subject = f"Our privacy policy has changed (version {notice.version})"
    return mail_every_holder(
        session, settings, subject, body_of(notice, settings.public_url), "policy"
    )


Told = Callable[[str, str, bool], None]  # account id, person id, whether the mail went


def mail_every_holder(
    session: Session,
    settings: Settings,
    subject: str,
    body: str,
    kind: str,
    on_told: Told | None = None,
    roles: Collection[str] | None = None,
) -> Sent:
    """Mail one notice to every active account holder, each address read as its holder
    (audited); `on_told` hears of each holder, mailed or not, and what it writes is
    committed with its batch. `roles`: only the holders of these roles."""
    sent = failed = 0
    after = ""
    chosen = Account.role.in_(roles) if roles is not None else true()
    while True:
        rows = session.execute(
            select(Account.id, Account.role, Account.person_id)
            .where(Account.status == "active", Account.id > after, chosen)
            .order_by(Account.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        after = rows[-1].id
        addresses: list[str | None] = []
        for row in rows:
            holder = Actor(role=row.role, account_id=row.id, person_id=row.person_id)
            try:
                addresses.append(load_person(session, holder, row.person_id, ["email"]).email)
            except DomainError:
                session.rollback()
                addresses.append(None)
        session.commit()  # the audited reads are kept before anything leaves
        for row, address in zip(rows, addresses, strict=True):
            headers = {
                "Auto-Submitted": "auto-generated",
                "X-Steward-Notice": kind,
                "Message-ID": f"<{kind[:1]}{secrets.token_hex(8)}@steward>",
            }
            went = bool(address) and mail_quietly(
                session, settings, address or "", subject, body, headers
            )
            sent, failed = sent + went, failed + (not went)
            if on_told is not None:
                on_told(row.id, row.person_id, went)
        session.commit()  # who was told, before a later holder's refusal rolls back
        session.expunge_all()
    return Sent(sent, failed)
