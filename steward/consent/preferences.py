"""Which mail a person wants (C5): ticket updates, service messages, maintenance alerts and
marketing, the channel they prefer and the times that suit them for visits and calls. A
person sees and changes only their own.

Without a row a person gets the defaults: everything the service needs on, marketing off.
Marketing is on only when the person turns it on, and the flag and the consent ledger agree:
every switch of it here is also a ledger event for purpose `marketing.communications`
(method "form", or "email_link" for a one-click unsubscribe), carrying the policy version
and the SHA-256 of the wording shown (the purpose's name and description in the policy).

A person reads and changes them for the purpose the policy uses them for that customers may
use (the service itself, or a finer service purpose: steward.policy.serviceable); a policy
that offers none makes them unavailable, in plain words, and `policy check` names it.

This module sits below identity, so the gate's view of the person (`PersonState`) is passed
in by the caller (steward.identity.common.state_of).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import PersonState, check
from steward.consent import ledger
from steward.consent.models import NotificationPreference
from steward.core import clock
from steward.core.actor import Actor
from steward.core.cards import refuse_card_number
from steward.core.errors import Forbidden, Invalid
from steward.policy.active import policy_of
from steward.policy.serviceable import preference_purpose

CHANNELS = ("email", "phone", "sms", "none")
SWITCHES = ("ticket_updates", "service_messages", "maintenance_alerts", "marketing")
FIELDS = (*SWITCHES, "preferred_channel", "service_times")
CATEGORY = "user.preferences"  # the table's columns are plain, so the category is named here
SERVICE = "essential.service"  # a person acting on their own data (as steward.desk.common)
MARKETING = "marketing.communications"  # the ledger purpose the marketing switch stands for
SERVICE_TIMES_MAX = 200


@dataclass(frozen=True)
class Preferences:
    ticket_updates: bool = True
    service_messages: bool = True
    maintenance_alerts: bool = True
    marketing: bool = False
    preferred_channel: str = "email"
    service_times: str | None = None  # when visits and calls suit the person, in their words
    updated_at: datetime | None = None  # None: never changed, the defaults apply


DEFAULTS = Preferences()


def gate_preferences(
    session: Session,
    actor: Actor,
    state: PersonState,
    columns: tuple[str, ...] = FIELDS,
    *,
    action: str = "read",
    purpose: str = SERVICE,
) -> None:
    """Check (and audit) reading or writing a person's notification preferences."""
    categories = [CATEGORY]
    if "service_times" in columns:
        categories.append(NotificationPreference.__table__.c.service_times.info["category"])
    check(session, actor, purpose, state, categories, action=action, columns=list(columns))


def of(row: NotificationPreference | None) -> Preferences:
    if row is None:
        return DEFAULTS
    return Preferences(**{f: getattr(row, f) for f in FIELDS}, updated_at=row.updated_at)


def load(session: Session, person_ids: list[str]) -> dict[str, Preferences]:
    """Preferences of these people, defaults for those without a row. The caller has asked
    the gate first."""
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.person_id.in_(person_ids))
    )
    found = {row.person_id: of(row) for row in rows}
    return {person_id: found.get(person_id, DEFAULTS) for person_id in person_ids}


class NotOffered(Forbidden):
    """The policy offers customers no way to keep their preferences online."""

    title = "Not available"


def own_purpose(session: Session) -> str:
    """The purpose a person reads and changes their own preferences under, or NotOffered."""
    policy = policy_of(session)
    purpose = preference_purpose(policy)
    if purpose is None:
        raise NotOffered(
            "Your notification preferences cannot be changed online: our privacy policy does "
            "not provide for it. To change how we contact you, write to "
            f"{policy.controller.privacy_contact}."
        )
    return purpose


def _own(actor: Actor) -> str:
    if actor.person_id is None:
        raise Forbidden("Only a signed-in person has notification preferences.")
    return actor.person_id


def wording(session: Session) -> str:
    """The text a person is shown when asked about marketing: the purpose in the policy."""
    purpose = policy_of(session).purposes.get(MARKETING)
    if purpose is None:
        return "News and offers"
    return f"{purpose.name}: {purpose.description}"


def set_marketing(
    session: Session, person_id: str, given: bool, *, method: str, ip: str | None = None
) -> None:
    """Switch the marketing flag and record the same choice in the consent ledger (the caller
    has asked the gate, or is honouring a withdrawal, which is always allowed; the caller
    commits)."""
    row = session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id, **_defaults())
        session.add(row)
    row.marketing = given
    row.updated_at = clock.now()
    ledger.record(
        session,
        owner=person_id,
        person_id=person_id,
        choices={MARKETING: given},
        method=method,
        policy_version=policy_of(session).version,
        text_sha256=hashlib.sha256(wording(session).encode()).hexdigest(),
        ip=ip,
        commit=False,
    )


def _defaults() -> dict[str, object]:
    return {f: getattr(DEFAULTS, f) for f in FIELDS}


def read(session: Session, actor: Actor, state: PersonState) -> Preferences:
    """The signed-in person's own preferences; `state` is the gate's view of them."""
    person_id = _own(actor)
    _same(person_id, state)
    gate_preferences(session, actor, state, purpose=own_purpose(session))
    preferences = load(session, [person_id])[person_id]
    session.commit()
    return preferences


def _same(person_id: str, state: PersonState) -> None:
    if state.person_id != person_id:
        raise Forbidden("A person sees and changes only their own preferences.")


def _valid(changes: Mapping[str, bool | str | None]) -> dict[str, bool | str | None]:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise Invalid(f"Only these preferences can be changed: {', '.join(FIELDS)}.")
    if any(not isinstance(changes[f], bool) for f in SWITCHES if f in changes):
        raise Invalid(f"These preferences are true or false: {', '.join(SWITCHES)}.")
    if changes.get("preferred_channel", "email") not in CHANNELS:
        raise Invalid(f"The preferred channel is one of: {', '.join(CHANNELS)}.")
    valid = dict(changes)
    if "service_times" in valid:
        times = valid["service_times"]
        if times is not None and not isinstance(times, str):
            raise Invalid("Preferred service times are a short text.")
        times = (times or "").strip()
        if len(times) > SERVICE_TIMES_MAX:
            raise Invalid(f"Keep preferred service times under {SERVICE_TIMES_MAX} characters.")
        refuse_card_number(times, "service_times")
        valid["service_times"] = times or None
    return valid


def update(
    session: Session,
    actor: Actor,
    state: PersonState,
    changes: Mapping[str, bool | str | None],
    *,
    ip: str | None = None,
) -> Preferences:
    """Change the given preferences of the signed-in person; the others stay as they are.
    Switching marketing on or off is recorded in the consent ledger too (method "form")."""
    person_id = _own(actor)
    _same(person_id, state)
    valid = _valid(changes)
    if not valid:
        return read(session, actor, state)
    gate_preferences(
        session, actor, state, tuple(sorted(valid)), action="update", purpose=own_purpose(session)
    )
    row = session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id, **_defaults())
        session.add(row)
    for field, value in valid.items():
        if field != "marketing":
            setattr(row, field, value)
    row.updated_at = clock.now()
    if "marketing" in valid and (valid["marketing"] != row.marketing or _unrecorded(session, row)):
        set_marketing(session, person_id, bool(valid["marketing"]), method="form", ip=ip)
    session.flush()
    preferences = of(row)
    session.commit()
    return preferences


def _unrecorded(session: Session, row: NotificationPreference) -> bool:
    """Whether the ledger disagrees with the flag (a row from before the ledger, say), so a
    choice made again is recorded as well."""
    events = ledger.current_events(session, row.person_id)
    found = events.get(MARKETING)
    return found is None or (found.choice == "given") != row.marketing
