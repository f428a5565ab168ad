"""Telling every active account holder that a new policy version was published (C4).

Each holder's address is read as that holder (the gate checks and audits the read); the
mail gives the version, the date it takes effect, what changed, and whether they will be
asked to accept it. Sending is real SMTP; a failure is counted, not raised.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import select
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
    body = body_of(notice, settings.public_url)
    sent = failed = 0
    after = ""
    while True:
        rows = session.execute(
            select(Account.id, Account.role, Account.person_id)
            .where(Account.status == "active", Account.id > after)
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
        for address in addresses:
            headers = {
                "Auto-Submitted": "auto-generated",
                "X-Steward-Notice": "policy",
                "Message-ID": f"<p{secrets.token_hex(8)}@steward>",
            }
            if address and mail_quietly(session, settings, address, subject, body, headers):
                sent += 1
            else:
                failed += 1
        session.expunge_all()
    return Sent(sent, failed)
