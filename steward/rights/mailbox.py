"""Account closure by email (R9): a mail from an account's own address that clearly asks to
close or delete the account becomes an erasure request (channel "email"). Its code goes to
that same address, so only the address's owner can confirm it. Anything else, and mail from
addresses without an account, is left to the desk (`steward mail` files it as a ticket).
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import policy_of
from steward.core.actor import VISITOR
from steward.core.settings import Settings
from steward.desk.messages import message_id_index
from steward.identity.common import load_account, login_index
from steward.identity.models import Account
from steward.mail.inbound import parse
from steward.rights.intake import NewRequest, open_request
from steward.rights.models import RightsRequest

_VERB = r"(close|delete|cancel|terminate|remove|erase|deactivate)"
_THING = r"(my\s+|the\s+|our\s+)?(customer\s+|user\s+)?(account|profile|data|personal\s+data)"
# "Please close my account", "delete my account and my data", "I want my account deleted".
ASKS = re.compile(
    rf"\b{_VERB}\s+{_THING}\b|\b{_THING}\s+(to\s+be\s+)?{_VERB}d?\b"
    r"|\baccount\s+(closure|deletion|termination)\b",
    re.IGNORECASE,
)
NOT = re.compile(r"\b(don'?t|do\s+not|never|not)\s+(want\s+to\s+)?" + _VERB, re.IGNORECASE)
LOOKED_AT = 600  # characters of the body that count: the request, not a quoted thread


def asks_for_closure(subject: str, body: str) -> bool:
    """Whether the mail clearly asks to close the account: the subject or the start of the
    body asks so, and nothing there says the opposite."""
    text = f"{subject}\n{body[:LOOKED_AT]}"
    return bool(ASKS.search(text)) and not NOT.search(text)


def take(session: Session, settings: Settings, raw: bytes) -> str | None:
    """Open an erasure request for a closure mail from an account's own address; returns its
    reference, or None to leave the mail to the desk. Commits when it opens a request."""
    mail = parse(raw)  # MalformedMail here is what the desk would say too
    if mail.automatic:
        return None
    controller = policy_of(session).controller
    if mail.sender.casefold() in {
        controller.email.casefold(),
        controller.privacy_contact.casefold(),
    }:
        return None
    if not asks_for_closure(mail.subject, mail.body):
        return None
    right = policy_of(session).rights.get("erasure")
    if right is None or not right.offered or "email" not in right.channels:
        return None
    if "email_code" not in right.verification:
        return None  # the confirmation must reach the account's own address
    if load_account(session, Account.login_index == login_index(session, mail.sender)) is None:
        return None
    index = message_id_index(session, mail.message_id) if mail.message_id else None
    if index is not None:
        already = session.scalar(
            select(RightsRequest.reference).where(RightsRequest.email_message_id == index)
        )
        if already is not None:
            return already  # the same mail delivered again: the request it opened
    opened = open_request(
        session,
        settings,
        VISITOR,
        NewRequest(
            kind="erasure",
            email=mail.sender,
            name=mail.sender_name,
            details="Asked by email to close the account.",
            channel="email",
            email_message_id=index,
        ),
    )
    return opened.reference
