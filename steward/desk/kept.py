"""What the law keeps of an erased person stays usable for that law (and only for it).

An erasure keeps what a legal-obligation retention exception covers (an invoice, for the tax
authority), re-sealed under a new key. Staff read such a record under the purpose the policy
names for keeping it: the legal-obligation purpose its category is used for
(steward.policy.serviceable.legal_keep). The gate still decides: only the roles that purpose
allows read it, every read is audited under it, and every other purpose stays refused (an
erased person is restricted). Customers never come here: an erased person has no account.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.desk.common import is_customer
from steward.identity.common import categories
from steward.identity.models import Person
from steward.policy.active import policy_of
from steward.policy.plain import kept_for
from steward.policy.schema import Retention
from steward.policy.serviceable import LegalKeep, legal_keep


@dataclass(frozen=True)
class KeptByLaw:
    purpose: str
    keep: LegalKeep

    def words(self, policy_rule: Retention, created_at: datetime | None) -> str:
        """'Kept for 26 U.S.C. § 6001 until 2033-05-01; shown for that purpose only.'"""
        if policy_rule.trigger == "created" and created_at is not None:
            until = f"until {policy_rule.period.after(created_at):%Y-%m-%d}"
        else:
            until = f"for {kept_for(policy_rule)}"
        return f"Kept for {self.keep.law} {until}; shown for that purpose only."


def kept_by_law(
    session: Session, actor: Actor, model: Any, person_id: str, columns: list[str]
) -> KeptByLaw | None:
    """The purpose to read an erased person's kept record under, or None when the person
    is not erased (or the policy names no purpose for what it keeps)."""
    if is_customer(actor) or not columns:
        return None
    erased = session.scalar(select(Person.erased_at).where(Person.id == person_id))
    if erased is None:
        return None
    found = legal_keep(policy_of(session), categories(model, columns)[0])
    return KeptByLaw(found.purpose, found) if found else None


def words_for(session: Session, kept: KeptByLaw, created_at: datetime | None) -> str:
    rule = policy_of(session).categories[kept.keep.category].retention
    return kept.words(rule, created_at)
