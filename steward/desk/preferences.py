"""Which mail a person wants (C5): ticket updates, service messages, maintenance alerts and
marketing, and the channel they prefer. A person sees and changes only their own.

Without a row a person gets the defaults: everything the service needs on, marketing off.
Marketing is on only when the person turns it on here. Issue 6 moves marketing into the
consent ledger proper (with the wording shown, the time and the channel of each consent);
until then this flag is the whole record.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import check
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Forbidden, Invalid
from steward.desk.common import SERVICE
from steward.desk.models import NotificationPreference
from steward.identity.common import state_of

CHANNELS = ("email", "phone", "sms", "none")
SWITCHES = ("ticket_updates", "service_messages", "maintenance_alerts", "marketing")
FIELDS = (*SWITCHES, "preferred_channel")
CATEGORY = "user.preferences"  # the table's columns are plain, so the category is named here


@dataclass(frozen=True)
class Preferences:
    ticket_updates: bool = True
    service_messages: bool = True
    maintenance_alerts: bool = True
    marketing: bool = False
    preferred_channel: str = "email"
    updated_at: datetime | None = None  # None: never changed, the defaults apply


DEFAULTS = Preferences()


def gate_preferences(
    session: Session,
    actor: Actor,
    person_id: str,
    columns: tuple[str, ...] = FIELDS,
    *,
    action: str = "read",
    purpose: str = SERVICE,
) -> None:
    """Check (and audit) reading or writing a person's notification preferences."""
    check(
        session,
        actor,
        purpose,
        state_of(session, person_id),
        [CATEGORY],
        action=action,
        columns=list(columns),
    )


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


def _own(actor: Actor) -> str:
    if actor.person_id is None:
        raise Forbidden("Only a signed-in person has notification preferences.")
    return actor.person_id


def read(session: Session, actor: Actor) -> Preferences:
    """The signed-in person's own preferences."""
    person_id = _own(actor)
    gate_preferences(session, actor, person_id)
    preferences = load(session, [person_id])[person_id]
    session.commit()
    return preferences


def update(session: Session, actor: Actor, changes: Mapping[str, bool | str]) -> Preferences:
    """Change the given preferences of the signed-in person; the others stay as they are."""
    person_id = _own(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise Invalid(f"Only these preferences can be changed: {', '.join(FIELDS)}.")
    if any(not isinstance(changes[f], bool) for f in SWITCHES if f in changes):
        raise Invalid(f"These preferences are true or false: {', '.join(SWITCHES)}.")
    if changes.get("preferred_channel", "email") not in CHANNELS:
        raise Invalid(f"The preferred channel is one of: {', '.join(CHANNELS)}.")
    if not changes:
        return read(session, actor)
    gate_preferences(session, actor, person_id, tuple(sorted(changes)), action="update")
    row = session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id, **DEFAULTS.__dict__)
        session.add(row)
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = clock.now()
    session.flush()
    preferences = of(row)
    session.commit()
    return preferences
