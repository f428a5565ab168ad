"""Who used my data (GDPR Art. 15(1)(c), CCPA "categories of third parties"): from the audit
trail, which roles read or changed the person's data, for what purpose, how often, first and
last; and which recipients were told what (disclosures and notices of the outbox).

Staff appear by role, never by name or account; the person's own actions are left out. One
grouped query over the audit trail by person (index ix_audit_entries_person_id), one over
disclosures and one over the outbox, so the page is quick however long the trail is.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS, RIGHTS, STORAGE, check
from steward.audit.models import AuditEntry
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.identity.common import state_of
from steward.identity.models import Account
from steward.policy.active import policy_of, resolve
from steward.rights.models import Disclosure, OutboxMessage

ROLES = {
    "customer": "A contact at your organisation",
    "agent": "Support agents",
    "billing": "Billing staff",
    "call_reviewer": "Call reviewers",
    "privacy_officer": "Our privacy officer",
    "admin": "Administrators",
    "system": "Steward itself, automatically",
    "visitor": "Someone not signed in",
}
ACTIONS = {
    "read": "looked at it",
    "create": "added to it",
    "update": "changed it",
    "write": "changed it",
    "rectify": "corrected it",
    "delete": "deleted some of it",
    "erase": "erased it",
    "export": "exported it for your request",
    "export_review": "reviewed your export",
    "export_withhold": "withheld part of your export",
    "export_include": "put back part of your export",
    "disclose": "passed it on",
    "send_marketing": "used it to send you marketing",
    "send_service_message": "used it to send you a service message",
    "audit_search": "looked up its history",
    "lift_restriction": "lifted your restriction",
    "opt_out": "recorded your opt-out",
}
PURPOSES = {
    RIGHTS: "Answering your privacy requests",
    INCIDENTS: "Responding to a security incident that involved your data",
    STORAGE: "Keeping your data stored",
    None: "Running the service desk",
}
REASONS = {
    "processor_notice": "told of a change to your data",
    "portability": "sent at your request",
    "legal_order": "required by law",
    "consent": "with your consent",
}


@dataclass(frozen=True)
class Use:
    """One line of the answer: who (a role or a recipient), did what, why, how often, when."""

    who: str
    kind: str  # staff, steward or recipient
    did: str
    purpose: str
    count: int
    first: datetime
    last: datetime
    categories: list[str] = field(default_factory=list)


def _names(session: Session, keys: set[str]) -> list[str]:
    policy = policy_of(session)
    names = set()
    for key in keys:
        held = resolve(policy, key)
        names.add(policy.categories[held].name if held else key)
    return sorted(names)


def _staff(session: Session, person_id: str) -> list[Use]:
    policy = policy_of(session)
    own = select(Account.id).where(Account.person_id == person_id)
    query = (
        select(
            AuditEntry.actor_role,
            AuditEntry.purpose,
            AuditEntry.action,
            AuditEntry.categories,
            func.count(),
            func.min(AuditEntry.at),
            func.max(AuditEntry.at),
        )
        .where(
            AuditEntry.person_id == person_id,
            AuditEntry.outcome != "refused",
            AuditEntry.actor.not_in(own),
            AuditEntry.actor != "customer",  # signing up: the person, before their account
        )
        .group_by(
            AuditEntry.actor_role, AuditEntry.purpose, AuditEntry.action, AuditEntry.categories
        )
    )
    groups: dict[tuple[str, str | None, str], list[Any]] = {}
    for role, purpose, action, categories, count, first, last in session.execute(query):
        entry = groups.setdefault((role, purpose, action), [set(), 0, first, last])
        entry[0].update(json.loads(categories or "[]"))
        entry[1] += count
        entry[2], entry[3] = min(entry[2], first), max(entry[3], last)
    uses = []
    for (role, purpose, action), (keys, count, first, last) in groups.items():
        declared = policy.purposes.get(purpose) if purpose else None
        uses.append(
            Use(
                who=ROLES.get(role, "Staff"),
                kind="steward" if role == "system" else "staff",
                did=ACTIONS.get(action, action.replace("_", " ")),
                purpose=declared.name if declared else PURPOSES.get(purpose, "Other"),
                count=count,
                first=first,
                last=last,
                categories=_names(session, keys),
            )
        )
    return uses


def _recipients(session: Session, person_id: str) -> list[Use]:
    policy = policy_of(session)
    grouped: dict[tuple[str, str], list[Any]] = {}
    told = (
        select(
            Disclosure.recipient,
            Disclosure.reason,
            Disclosure.categories,
            func.count(),
            func.min(Disclosure.at),
            func.max(Disclosure.at),
        )
        .where(Disclosure.person_id == person_id)
        .group_by(Disclosure.recipient, Disclosure.reason, Disclosure.categories)
    )
    notices = (
        select(
            OutboxMessage.processor,
            OutboxMessage.action,
            OutboxMessage.categories,
            func.count(),
            func.min(OutboxMessage.created_at),
            func.max(OutboxMessage.created_at),
        )
        .where(OutboxMessage.person_id == person_id)
        .group_by(OutboxMessage.processor, OutboxMessage.action, OutboxMessage.categories)
    )
    for query, notice in ((told, False), (notices, True)):
        for recipient, reason, categories, count, first, last in session.execute(query):
            why = f"told of the {reason} you asked for" if notice else REASONS.get(reason, reason)
            entry = grouped.setdefault((recipient, why), [set(), 0, first, last])
            entry[0].update(json.loads(categories or "[]"))
            entry[1] += count
            entry[2], entry[3] = min(entry[2], first), max(entry[3], last)
    uses = []
    for (recipient, why), (keys, count, first, last) in grouped.items():
        processor = policy.processors.get(recipient)
        uses.append(
            Use(
                who=processor.name if processor else recipient,
                kind="recipient",
                did=why,
                purpose=processor.service if processor else "A recipient you or the law named",
                count=count,
                first=first,
                last=last,
                categories=_names(session, keys),
            )
        )
    return uses


def summary(session: Session, person_id: str) -> list[Use]:
    """Every use of the person's data by others, most recent first."""
    uses = _staff(session, person_id) + _recipients(session, person_id)
    return sorted(uses, key=lambda u: u.last, reverse=True)


def mine(
    session: Session, actor: Actor, offset: int = 0, limit: int = 50
) -> tuple[list[Use], int | None]:
    """A page of the signed-in person's own summary and the next offset (None at the end).
    Looking is audited, as the person's own use of the rights purpose."""
    if actor.person_id is None:
        raise Invalid("Sign in to see who used your data.")
    check(session, actor, RIGHTS, state_of(session, actor.person_id), [], action="data_use")
    uses = summary(session, actor.person_id)
    session.commit()
    offset, limit = max(0, offset), max(1, min(limit, 200))
    following = offset + limit
    return uses[offset:following], following if following < len(uses) else None
