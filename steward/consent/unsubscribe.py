"""One-click unsubscribe from marketing mail (RFC 8058, R6, R10): the token every marketing
mail carries, its headers, and turning marketing off with it.

The token is the person id and an HMAC of it and "marketing" under the vault's blind-index
key, so no table is needed and only we can make one. It is the only credential: the mail
client posts it without a session or a CSRF token, as RFC 8058 requires. Using it turns the
marketing preference off and records a withdrawal in the consent ledger (purpose
`marketing.communications`, method "email_link"). A withdrawal is always allowed, so the gate
is not asked; the change is audited. Using a token again changes nothing.
"""

import hmac
import re
from urllib.parse import quote

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.consent import preferences
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.vault.service import Vault

KIND = "unsubscribe"
_TOKEN = re.compile(r"^([0-9a-f-]{36})\.([0-9a-f]{64})$")
_PEOPLE = table("people", column("id"))  # only whether the person still exists


def _vault(session: Session) -> Vault:
    vault = session.info.get("vault")
    if not isinstance(vault, Vault):
        raise RuntimeError("unsubscribe tokens need a session opened through the vault")
    return vault


def _mac(session: Session, person_id: str) -> str:
    return _vault(session).blind_index(KIND, f"{person_id}:marketing")


def token(session: Session, person_id: str) -> str:
    """The person's unsubscribe token: their id and its HMAC."""
    return f"{person_id}.{_mac(session, person_id)}"


def link(session: Session, public_url: str, person_id: str) -> str:
    return f"{public_url.rstrip('/')}/unsubscribe?token={quote(token(session, person_id))}"


def headers(session: Session, public_url: str, person_id: str) -> dict[str, str]:
    """The RFC 2369 and RFC 8058 headers of a marketing mail to this person."""
    return {
        "List-Unsubscribe": f"<{link(session, public_url, person_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def person_of(session: Session, sent: str) -> str:
    """The person a token is for; Forbidden for anything we did not make."""
    found = _TOKEN.match(sent.strip()) if len(sent) <= 200 else None
    if found is None or not hmac.compare_digest(found.group(2), _mac(session, found.group(1))):
        raise Forbidden("This unsubscribe link is not valid.")
    return found.group(1)


def unsubscribe(session: Session, sent: str, ip: str | None) -> None:
    """Turn marketing off for the token's person and record the withdrawal. Commits."""
    person_id = person_of(session, sent)
    exists = session.scalar(select(_PEOPLE.c.id).where(_PEOPLE.c.id == person_id))
    if exists is None:
        return  # the person was erased: there is nothing left to send to
    preferences.set_marketing(session, person_id, False, method="email_link", ip=ip)
    record(
        session,
        Actor(role="customer", person_id=person_id),
        KIND,
        purpose=preferences.MARKETING,
        person_id=person_id,
        categories=[preferences.CATEGORY],
        columns=["marketing"],
        outcome="allowed",
    )
    session.commit()
