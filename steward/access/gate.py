"""The access gate: (actor, purpose, person, categories) -> allowed, or refused and audited.

Rules, in order, each from the active policy or the person's current state (answering a rights
request, purpose `rights`, is the law's own purpose: the officer, Steward or the person only;
so is responding to a breach, purpose `incidents`: the officer or Steward only):
1. the purpose is declared, and used for every category touched;
2. the actor's role may use the purpose; a customer acts only on their own data, and
   anyone may act on their own data for a purpose customers may use (self-service);
3. a consent-based purpose needs the person's current consent to it;
4. a restricted person allows only storage and legal-obligation purposes;
5. an objection stops legitimate-interest purposes for that person;
6. a limit on sensitive data (CCPA) allows only essential and legal purposes on sensitive
   categories;
7. an opt-out of sale and sharing (CCPA) stops every purpose the policy serves through an
   independent third party (a recipient of kind `third_party`), for that person.
Every decision is written to the audit trail: the refusals too.

The gate's whole API, in the shapes callers need: `check` (decide and audit one access),
`allowed` (ask only: whether to show a button), `readable` (which people of a page may be
read, audited in one append) and `check_role` (a role check before anything is looked up,
read from the roles the policy gives a purpose, its refusal audited like any other). The
adapters from a model and a person to the gate's input are in `access.people`. Nothing
outside `access/` calls `decide`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from steward.access.refusal_words import in_plain_words
from steward.access.roles import DUTIES
from steward.audit.service import record, record_many
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.policy.active import policy_of, resolve
from steward.policy.schema import Policy

STORAGE = "storage"  # keeping data as it is, the one use a restriction allows besides the law
# Answering a person's rights request: a legal obligation over every category, so it is not
# declared per category; only the privacy officer, Steward's own jobs or the person may.
RIGHTS = "rights"
RIGHTS_ROLES = frozenset({"privacy_officer", "system"})
# Responding to a personal data breach (X6; GDPR Art. 33 and 34): a legal obligation over
# every category too, for the same roles: who was affected, containment, telling them.
INCIDENTS = "incidents"


@dataclass(frozen=True)
class PersonState:
    person_id: str
    restricted: bool = False
    objects_to_legitimate_interests: bool = False
    limits_sensitive: bool = False  # R10: sensitive data used only to provide the service
    opted_out_of_sale: bool = False  # R10: nothing of theirs sold or shared with third parties
    consents: frozenset[str] = field(default_factory=frozenset)


class Refused(Forbidden):
    """An access the policy does not allow. It carries its audit entry, which must outlive
    the rollback of the transaction it happened in: see `record_refusal`."""

    title = "Refused by the privacy policy"

    def __init__(self, message: str, entry: dict[str, Any]) -> None:
        super().__init__(message)
        self.entry = entry


class RoleRefused(Refused):
    """A role with no business here, refused before anything is looked up (a 403 as before)."""

    title = Forbidden.title


def record_refusal(session: Session, refused: Refused) -> None:
    """Write the refusal to the audit trail in a transaction of its own. Callers roll back
    the refused unit of work first (web.deps.get_session does), so nothing else is kept."""
    with session.begin():
        record(session, **refused.entry)


def decide(
    policy: Policy,
    actor: Actor,
    purpose_key: str,
    person: PersonState | None,
    categories: Iterable[str],
) -> str | None:
    """Why the access is refused, or None when it is allowed. Pure: no database, no audit."""
    if purpose_key == RIGHTS:
        own = person is not None and actor.person_id == person.person_id
        if own or actor.role in RIGHTS_ROLES:
            return None
        return "only the privacy officer answers rights requests"
    if purpose_key == INCIDENTS:
        if actor.role in RIGHTS_ROLES:
            return None
        return "only the privacy officer responds to incidents"
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
    if own and "customer" in purpose.roles:
        pass  # self-service: anyone may act on their own data where customers may
    elif actor.role == "customer" and person is not None and not own:
        return "a customer may act only on their own data"
    elif actor.role not in purpose.roles:
        return f"the role '{actor.role}' may not use '{purpose_key}'"
    if person is None:
        return None
    if purpose.lawful_basis == "consent" and purpose_key not in person.consents:
        return f"the person has not consented to '{purpose_key}'"
    if person.restricted and purpose.lawful_basis != "legal_obligation":
        return "the person has restricted processing of their data"
    if person.objects_to_legitimate_interests and purpose.lawful_basis == "legitimate_interests":
        return "the person objects to processing based on legitimate interests"
    essential = purpose_key.startswith("essential.") or purpose.lawful_basis == "legal_obligation"
    if person.limits_sensitive and not essential:
        for column_category in categories:
            held = resolve(policy, column_category)
            if held is not None and policy.categories[held].sensitive:
                return "the person limited the use of their sensitive data to the service itself"
    if person.opted_out_of_sale and purpose_key in shared_purposes(policy):
        return "the person opted out of the sale and sharing of their data"
    return None


def shared_purposes(policy: Policy) -> frozenset[str]:
    """The purposes served by sharing data with an independent third party: what an opt-out
    of sale and sharing stops."""
    return frozenset(
        purpose
        for recipient in policy.processors.values()
        if recipient.kind == "third_party"
        for purpose in recipient.purposes
    )


def check(
    session: Session,
    actor: Actor,
    purpose: str,
    person: PersonState | None,
    categories: Iterable[str],
    *,
    action: str = "read",
    columns: Iterable[str] = (),
    about: str | None = None,
) -> None:
    """Allow and audit, or raise Refused carrying its audit entry. Call before touching
    the data. A refusal is audited by whoever rolls the transaction back (record_refusal).
    `about` names the person the entry is about when no state of theirs is weighed (someone
    new, whose data a contact gives us)."""
    categories = list(categories)
    policy = policy_of(session)
    reason = decide(policy, actor, purpose, person, categories)
    person_id = person.person_id if person else about
    if reason is not None:
        entry = {
            "actor": actor,
            "action": "refused",
            "purpose": purpose,
            "person_id": person_id,
            "categories": categories,
            "columns": list(columns),
            "outcome": "refused",
        }
        own = person is not None and actor.person_id == person_id
        words = in_plain_words(policy, actor.role, own, purpose, categories, reason, action)
        raise Refused(words, entry)  # the entry keeps the keys, for the privacy officer
    record(
        session,
        actor,
        action,
        purpose=purpose,
        person_id=person_id,
        categories=categories,
        columns=list(columns),
        outcome="allowed",
    )


def allowed(
    session: Session,
    actor: Actor,
    purpose: str,
    person: PersonState | None,
    categories: Iterable[str],
) -> bool:
    """Whether the gate would allow it, asked only (no audit): for showing or hiding what an
    actor may do. The access itself still goes through `check`."""
    return decide(policy_of(session), actor, purpose, person, list(categories)) is None


def readable(
    session: Session,
    actor: Actor,
    purpose: str,
    people: Mapping[str, PersonState],
    categories: Iterable[str],
    columns: Iterable[str],
) -> set[str]:
    """The people among these whose `categories` the actor may read, the reads audited in one
    append; the others are left out (not refused), so a page shows their rows closed."""
    categories, columns = list(categories), list(columns)
    policy = policy_of(session)
    found = {
        person
        for person, state in people.items()
        if decide(policy, actor, purpose, state, categories) is None
    }
    record_many(
        session,
        actor,
        "read",
        sorted(found),
        purpose=purpose,
        categories=categories,
        columns=columns,
    )
    return found


def roles_of(session: Session, purpose: str) -> frozenset[str]:
    """The roles that may use a purpose of the active policy, or do a duty (DUTIES)."""
    if purpose in DUTIES:
        return DUTIES[purpose]
    declared = policy_of(session).purposes.get(purpose)
    return frozenset(declared.roles) if declared is not None else frozenset()


def may(session: Session, actor: Actor, *purposes: str) -> bool:
    """Whether the actor's role may use one of these purposes (or do one of these duties)."""
    return any(actor.role in roles_of(session, purpose) for purpose in purposes)


def check_role(session: Session, actor: Actor, what: str, *purposes: str) -> None:
    """A role check before anything is looked up, so a refusal reveals nothing: the actor's
    role must be one the policy gives one of these purposes (or one of these duties). A
    refusal raises RoleRefused carrying its audit entry, as `check` does."""
    if not may(session, actor, *purposes):
        raise role_refused(actor, f"Your role may not {what}.", purposes[0] if purposes else None)


def role_refused(
    actor: Actor, message: str, purpose: str | None = None, title: str = Forbidden.title
) -> RoleRefused:
    """The refusal of a role with no business here, carrying its audit entry (no person, no
    data: nothing was looked up), for whoever rolls back to record (record_refusal)."""
    entry = {
        "actor": actor,
        "action": "refused",
        "purpose": purpose,
        "person_id": None,
        "categories": [],
        "columns": [],
        "outcome": "refused",
    }
    refused = RoleRefused(message, entry)
    refused.title = title
    return refused
