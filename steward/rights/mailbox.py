"""Rights asked by email. A mail to the policy's privacy contact or its DPO asking for a right
opens a request of that kind (channel "email"), its kind told from the subject and the start
of the body in plain English; a code goes to the sender's address where the policy's
verification allows it, else the request waits for data points or a document as one from the
privacy center does. A mail to those addresses whose kind cannot be told, or asking for a
right the policy does not offer by email, is a privacy inquiry with its response clock: never
a plain ticket.

A reply to one of our mails about a request (its reference in the subject, from the address
the request answers to, to any of our addresses) joins that request while it is still being handled: its text is added
to the request's details and its timeline says a mail came in. It opens nothing new.

Account closure by email (R9): a mail to any of our addresses from an account's own address
that clearly asks to close or delete the account is an erasure request; its code goes to
that same address, so only the address's owner can confirm it. Anything else is left to the
desk (`steward mail` files it as a ticket).
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import VISITOR
from steward.core.cards import mask_card_numbers
from steward.core.settings import Settings
from steward.identity.common import load_account, local_for, login_index
from steward.identity.models import Account
from steward.mail.inbound import OWN_MESSAGE, InboundMail, parse, strip_quoted
from steward.policy.active import policy_of
from steward.policy.channels import servable
from steward.policy.schema import Policy
from steward.rights.common import event
from steward.rights.intake import NewRequest, open_request
from steward.rights.models import RightsRequest
from steward.vault.service import message_id_index

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
MOST_DETAILS = 5000
REFERENCE = re.compile(r"\bPR-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
STILL_HANDLED = ("unverified", "open", "scheduled")
_DATA = r"(my|our|the)\s+(personal\s+)?(data|information|details)"


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


ERASE = _words(
    rf"{ASKS.pattern}|\b(erase|erasure|delete|deletion|forget)\b|right\s+to\s+be\s+forgotten"
)
# What a mail asks for, the first that matches: (words, the GDPR kind, the California kind).
ASKED: tuple[tuple[re.Pattern[str], str | None, str | None], ...] = (
    (
        _words(
            r"\b(do\s+not|don'?t)\s+(sell|share)\b|\bopt[\s-]*out\b.{0,60}\b(sale|sell|shar)"
            r"|\bsell(ing)?\s+(or|and)\s+shar"
        ),
        None,
        "ccpa_opt_out",
    ),
    (_words(r"\blimit\b.{0,60}\bsensitive\b"), None, "ccpa_limit"),
    (
        _words(
            r"\bwithdraw\w*\b.{0,30}\bconsent\b|\bunsubscribe\b|\bstop\s+(sending|emailing)\b"
            r"|\bno\s+(more\s+)?marketing\b"
        ),
        "consent_withdrawal",
        None,
    ),
    (
        _words(rf"\bportab\w*|\btransfer\s+{_DATA}|\bmachine[\s-]readable\b|\bmove\s+{_DATA}"),
        "portability",
        None,
    ),
    (_words(r"\bobject(ion)?\b|\bobject\s+to\b"), "objection", None),
    (_words(r"\brestrict\w*\b"), "restriction", None),
    (
        _words(
            rf"\b(correct|rectify|rectification|fix|update)\b.{{0,40}}\b({_DATA}|name|address"
            r"|email|phone|number)\b|\b(is|are)\s+(wrong|incorrect|inaccurate|out\s+of\s+date)\b"
        ),
        "rectification",
        "ccpa_correct",
    ),
    (ERASE, "erasure", "ccpa_delete"),
    (
        _words(
            rf"\b(copy|access|see|know)\b.{{0,40}}\b{_DATA}|\bwhat\s+(personal\s+)?(data"
            r"|information)\b|\bsubject\s+access\b|\bright\s+to\s+know\b|\bdsar\b"
        ),
        "access",
        "ccpa_know",
    ),
)
CALIFORNIA = _words(r"\b(california|ccpa|cpra)\b")


def asks_for_closure(subject: str, body: str) -> bool:
    """Whether the mail clearly asks to close the account: the subject or the start of the
    body asks so, and nothing there says the opposite."""
    text = f"{subject}\n{body[:LOOKED_AT]}"
    return bool(ASKS.search(text)) and not NOT.search(text)


def by_mail(policy: Policy, kind: str) -> bool:
    """Whether the policy offers `kind` by email, verified in a way a mail allows."""
    right = policy.rights.get(kind)  # type: ignore[call-overload]
    return (
        right is not None
        and right.offered
        and "email" in right.channels
        and servable("email", list(right.verification))
    )


def kind_asked(policy: Policy, subject: str, body: str) -> str | None:
    """The kind of request a mail asks for, as the policy offers it, or None when it cannot
    be told. Where the policy offers both, a California kind is chosen when the mail names
    California (or the CCPA), the GDPR kind otherwise."""
    text = f"{subject}\n{strip_quoted(body)[:LOOKED_AT]}"
    california = bool(CALIFORNIA.search(text))
    for words, gdpr, ccpa in ASKED:
        if not words.search(text) or (gdpr == "erasure" and NOT.search(text)):
            continue
        choices = [k for k in ((ccpa, gdpr) if california else (gdpr, ccpa)) if k]
        offered = [k for k in choices if k in policy.rights and policy.rights[k].offered]
        return next((k for k in offered if by_mail(policy, k)), offered[0] if offered else None)
    return None


def _to_privacy(policy: Policy, mail: InboundMail) -> bool:
    controller = policy.controller
    privacy = {controller.privacy_contact.casefold()}
    if controller.dpo is not None:
        privacy.add(controller.dpo.email.casefold())
    return any(r.casefold() in privacy for r in mail.recipients)


def _closure(session: Session, policy: Policy, mail: InboundMail) -> str | None:
    """R9: the erasure kind for a closure mail from an account's own address, else None."""
    if not asks_for_closure(mail.subject, mail.body):
        return None
    kind = next((k for k in ("erasure", "ccpa_delete") if by_mail(policy, k)), None)
    if kind is None or "email_code" not in policy.rights[kind].verification:  # type: ignore[index]
        return None  # the confirmation must reach the account's own address
    if load_account(session, Account.login_index == login_index(session, mail.sender)) is None:
        return None
    return kind


def _details(mail: InboundMail) -> str:
    text = f"Subject: {mail.subject}\n\n{strip_quoted(mail.body)}".strip()
    return mask_card_numbers(text)[0][:MOST_DETAILS]


def _reply(session: Session, mail: InboundMail) -> str | None:
    """The reference of the request this mail answers, after adding it to the request; None
    when it answers none still being handled, from its own address."""
    found = REFERENCE.search(mail.subject)
    if found is None:
        return None
    request = session.scalar(select(RightsRequest).where(RightsRequest.reference == found.group(0)))
    if (
        request is None
        or request.status not in STILL_HANDLED
        or (request.email or "").casefold() != mail.sender.casefold()
    ):
        return None
    added = f"Reply by email, {local_for(session).moment_zoned(clock.now())}:\n{_details(mail)}"
    request.details = f"{request.details or ''}\n\n{added}".strip()[-4 * MOST_DETAILS :]
    event(session, request, "mail_received", note="reply")
    session.commit()
    return request.reference


REPLY = "reply"  # what take() says of a mail added to the request it answers
OPENED = "opened"


def take(session: Session, settings: Settings, raw: bytes) -> tuple[str, str] | None:
    """Add a reply to the request it answers, or open a request (or an inquiry) for a mail to
    the privacy address or a closure mail from an account's own address: (reference, REPLY
    or OPENED), or None to leave the mail to the desk. Commits when it takes the mail."""
    mail = parse(raw)  # MalformedMail here is what the desk would say too
    if mail.automatic or (mail.message_id or "").endswith(OWN_MESSAGE):
        return None
    policy = policy_of(session)
    controller = policy.controller
    if mail.sender.casefold() in {
        controller.email.casefold(),
        controller.privacy_contact.casefold(),
    }:
        return None
    replied = _reply(session, mail)
    if replied is not None:
        return replied, REPLY
    if _to_privacy(policy, mail):
        kind = kind_asked(policy, mail.subject, mail.body)
        if kind is None or not by_mail(policy, kind):
            kind = "inquiry"
        details = _details(mail)
    else:
        kind = _closure(session, policy, mail)
        if kind is None:
            return None
        details = "Asked by email to close the account."
    index = message_id_index(session, mail.message_id) if mail.message_id else None
    if index is not None:
        already = session.scalar(
            select(RightsRequest.reference).where(RightsRequest.email_message_id == index)
        )
        if already is not None:
            return already, OPENED  # the same mail delivered again: the request it opened
    opened = open_request(
        session,
        settings,
        VISITOR,
        NewRequest(
            kind=kind,
            email=mail.sender,
            name=mail.sender_name,
            details=details,
            channel="email",
            email_message_id=index,
        ),
    )
    return opened.reference, OPENED
