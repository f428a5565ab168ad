"""The access gate: (actor, purpose, person, categories) -> allowed, or refused and audited.

Rules, in order, each from the active policy or the person's current state:
1. the purpose is declared, and used for every category touched;
2. the actor's role may use the purpose (people may always act on their own data for a
   purpose that lets the customer role use it);
3. a consent-based purpose needs the person's current consent to it;
4. a restricted person allows only storage and legal-obligation purposes;
5. an objection stops legitimate-interest purposes for that person.
Every decision is written to the audit trail: the refusals too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.policy.schema import Policy

STORAGE = "storage"  # keeping data as it is, the one use a restriction allows besides the law


@dataclass(frozen=True)
class PersonState:
    person_id: str
    restricted: bool = False
    objects_to_legitimate_interests: bool = False
    consents: frozenset[str] = field(default_factory=frozenset)


class Refused(Forbidden):
    title = "Refused by the privacy policy"


def policy_of(session: Session) -> Policy:
    policy = session.info.get("policy")
    if not isinstance(policy, Policy):
        raise RuntimeError("personal data needs a session that carries the active policy")
    return policy


def resolve(policy: Policy, column_category: str) -> str | None:
    """The policy category holding a column's category: the same key, one it `includes`, or
    the closest declared ancestor of either (user.contact.email falls under user.contact)."""
    best: tuple[int, str] | None = None
    for key, category in policy.categories.items():
        for covered in (key, *category.includes):
            if column_category == covered or column_category.startswith(covered + "."):
                if best is None or len(covered) > best[0]:
                    best = (len(covered), key)
    return best[1] if best else None


def decide(
    policy: Policy, actor: Actor, purpose_key: str, person: PersonState | None,
    categories: Iterable[str],
) -> str | None:
    """Why the access is refused, or None when it is allowed. Pure: no database, no audit."""
    purpose = policy.purposes.get(purpose_key)
    if purpose is None and purpose_key != STORAGE:
        return f"the policy declares no purpose '{purpose_key}'"
    for column_category in categories:
        held = resolve(policy, column_category)
        if held is None:
            return f"the policy declares no category holding '{column_category}'"
        if purpose is not None and purpose_key not in policy.categories[held].purposes:
            return f"the policy does not use '{held}' for '{purpose_key}'"
    if purpose is None:  # storage: allowed for whoever may see the person at all
        return None
    own = person is not None and actor.person_id == person.person_id
    if actor.role not in purpose.roles and not (own and "customer" in purpose.roles):
        return f"the role '{actor.role}' may not use '{purpose_key}'"
    if person is None:
        return None
    if purpose.lawful_basis == "consent" and purpose_key not in person.consents:
        return f"the person has not consented to '{purpose_key}'"
    if person.restricted and purpose.lawful_basis != "legal_obligation":
        return "the person has restricted processing of their data"
    if person.objects_to_legitimate_interests and purpose.lawful_basis == "legitimate_interests":
        return "the person objects to processing based on legitimate interests"
    return None


def check(
    session: Session,
    actor: Actor,
    purpose: str,
    person: PersonState | None,
    categories: Iterable[str],
    *,
    action: str = "read",
    columns: Iterable[str] = (),
) -> None:
    """Allow and audit, or audit and raise Refused. Call before touching the data."""
    categories = list(categories)
    reason = decide(policy_of(session), actor, purpose, person, categories)
    record(
        session, actor, action if reason is None else "refused", purpose=purpose,
        person_id=person.person_id if person else None, categories=categories,
        columns=list(columns), outcome="allowed" if reason is None else "refused",
    )
    if reason is not None:
        raise Refused(f"Not allowed: {reason}.")
