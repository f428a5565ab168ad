"""The officer's side of the watch (X4): the alerts listed, counted for the queue and the
digest, dismissed with a reason, or made an incident in one step, its window and subject
carried over. What raises them is `watch`."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS
from steward.access.people import readable_owners
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.identity.models import Account, Person
from steward.incidents import register
from steward.incidents.models import Alert
from steward.incidents.timeline import note
from steward.incidents.watch import RULES, AlertView, describe, person_of, responded, view_of

MOST_REASON = 1000


def listing(
    session: Session,
    officer: Actor,
    *,
    everything: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> list[AlertView]:
    """Open alerts, newest first; with `everything`, dismissed and those made incidents too."""
    register.require_officer(session, officer)
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id)
    if not everything:
        query = query.where(Alert.status == "open")
    return [view_of(a) for a in session.scalars(query.offset(offset).limit(limit))]


def open_count(session: Session, officer: Actor) -> int:
    register.require_officer(session, officer)
    return session.scalar(select(func.count(Alert.id)).where(Alert.status == "open")) or 0


def digest_lines(session: Session) -> list[str]:
    """For the officers' daily digest: the alerts still open, as a count (no ids)."""
    found = open_count(session, SYSTEM)
    if not found:
        return []
    return [f"{found} security alert{'s' if found != 1 else ''} open: review at /dpo/alerts."]


def names(session: Session, officer: Actor, views: Sequence[AlertView]) -> dict[str, str]:
    """The names of the accounts alerted on, by account id, read through the gate under the
    incidents purpose (one audited append)."""
    register.require_officer(session, officer)
    ids = {v.subject for v in views if v.subject_kind == "account"}
    if not ids:
        return {}
    rows = session.execute(select(Account.id, Account.person_id).where(Account.id.in_(ids)))
    accounts = {row.id: row.person_id for row in rows}
    allowed = readable_owners(
        session, officer, Person, set(accounts.values()), ["name"], purpose=INCIDENTS
    )
    people = {
        p.id: str(p.name)
        for p in session.scalars(select(Person).where(Person.id.in_(allowed)))
        if p.name
    }
    return {account: people[person] for account, person in accounts.items() if person in people}


def _alert(session: Session, alert_id: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("There is no such alert.")
    return alert


def get(session: Session, officer: Actor, alert_id: str) -> AlertView:
    register.require_officer(session, officer)
    return view_of(_alert(session, alert_id))


def _still_open(alert: Alert) -> None:
    if alert.status == "dismissed":
        raise Conflict("This alert is already dismissed.")
    if alert.status == "incident":
        raise Conflict("This alert is already an incident.")


def dismiss(session: Session, officer: Actor, alert_id: str, reason: str) -> AlertView:
    """Close an open alert as no attack, with the officer's reason. Commits."""
    register.require_officer(session, officer)
    reason = reason.strip()
    if not reason:
        raise Invalid("Give the reason the alert is no attack.")
    if len(reason) > MOST_REASON:
        raise Invalid(f"Keep the reason under {MOST_REASON} characters.")
    alert = _alert(session, alert_id)
    _still_open(alert)
    alert.status, alert.dismissed_at = "dismissed", clock.now()
    alert.dismissed_by, alert.dismiss_reason = officer.account_id, reason
    record(
        session, officer, "watch_dismiss", purpose=INCIDENTS, person_id=person_of(session, alert)
    )
    session.commit()
    return view_of(alert)


def to_incident(session: Session, officer: Actor, alert_id: str) -> str:
    """Open an incident from an alert: its window as when it happened, the rule and the
    subject's id in the summary. Returns the incident's id. Commits."""
    register.require_officer(session, officer)
    alert = _alert(session, alert_id)
    _still_open(alert)
    if officer.account_id is None:
        raise Invalid("An incident is opened by a privacy officer's account.")
    view = view_of(alert)
    given = register.IncidentIn(
        title=RULES[alert.rule],
        aware_at=clock.now(),
        occurred_from=alert.window_from,
        occurred_until=alert.window_until,
        found_how=f"Raised by Steward's watch: the rule {alert.rule} (alert {alert.id}).",
        kinds=["confidentiality"],
        summary=f"The watch's rule {alert.rule} found that {describe(view)} "
        f"between {alert.window_from.isoformat()} and {alert.window_until.isoformat()} (UTC)."
        + (f" {responded(view)}" if view.responded_at else ""),
        alert_id=alert.id,
    )
    alert.status = "incident"  # kept with the incident, which names the alert
    incident = register.record(session, officer, given)
    alert.incident_id = incident.id
    note(session, officer, incident.id, "from_alert", alert=alert.id, rule=alert.rule)
    session.commit()
    return incident.id
