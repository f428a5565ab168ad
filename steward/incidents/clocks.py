"""An incident's clocks (X6): each duty the policy's deadlines give it, from the moment the
business became aware, with its due time and whether it was met, is overdue or was not needed.

The duties, for each jurisdiction of the people affected (every jurisdiction the policy
declares until the officer names them), from `policy.breach.terms`:
- `authority:<law>`: report to the authority within `authority_hours` (GDPR: 72), unless the
  officer decided not to (unlikely to result in a risk); a report after the deadline needs
  the reason for the delay (Art. 33(1)), kept with the record;
- `people:<law>`: tell the people within `people_days` (California: 30) unless the officer
  decided not to; where the law sets no days (GDPR: without undue delay) only once the
  officer decided to tell them, with no due time;
- `sample:<law>`: a sample notice to the authority within `sample_days` after the people were
  told (or were due to be), when more than `sample_over` of the people affected are under
  that law (`people_under`; California: the Attorney General, above 500 residents).
A duty is done when the register records it (`register.mark_done`: the officer on the
record, the authority's report's initial phase, the people's notices, the sample). `due_lines` gives the
/dpo queue and the daily digest their lines: references, duties and due times only.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.identity.common import local_for
from steward.incidents.models import Incident
from steward.policy.active import policy_of
from steward.policy.breach import LAW_NAMES, terms
from steward.policy.schema import Policy

SOON = timedelta(hours=24)  # a duty due within this is marked due soon


@dataclass(frozen=True)
class Duty:
    key: str  # authority:gdpr, people:ccpa, sample:ccpa
    kind: str  # authority, people, sample
    jurisdiction: str
    what: str  # in words, naming the authority (no personal data)
    due_at: datetime | None  # None: without undue delay
    done_at: datetime | None
    needed: bool  # False when the officer decided it is not needed
    phased: bool  # the report may come in phases (Art. 33(4))
    delay_reason: str | None
    now: datetime

    @property
    def state(self) -> str:
        """met, late (done after its deadline), overdue, due, or not_needed."""
        if not self.needed:
            return "not_needed"
        if self.done_at is not None:
            late = self.due_at is not None and self.done_at > self.due_at
            return "late" if late else "met"
        if self.due_at is not None and self.now > self.due_at:
            return "overdue"
        return "due"

    @property
    def due_soon(self) -> bool:
        return self.state == "due" and self.due_at is not None and self.due_at - self.now <= SOON


def authority_name(policy: Policy, law: str) -> str:
    """The authority of `law` as the policy's breach terms name it (or a generic name)."""
    authority = terms(policy).authorities.get(law)
    return authority.name if authority else f"the {LAW_NAMES.get(law, law)} supervisory authority"


def people_under(incident: Incident, law: str) -> int:
    """How many of the people affected are under `law`: counted from the frozen list (each
    person's jurisdiction), else the officer's estimate of everyone affected."""
    if incident.affected_frozen_at is not None:
        return int(json.loads(incident.people_by_law or "{}").get(law, 0))
    return incident.people_count or 0


def duties(policy: Policy, incident: Incident, now: datetime) -> list[Duty]:
    """The incident's duties under the policy, soonest due first."""
    found = terms(policy)
    laws = json.loads(incident.jurisdictions or "[]") or list(policy.jurisdictions)
    done = {k: datetime.fromisoformat(v) for k, v in json.loads(incident.duties_done).items()}
    reasons = json.loads(incident.delay_reasons or "{}")
    made: list[Duty] = []

    def add(
        kind: str, law: str, what: str, due: datetime | None, needed: bool, phased: bool = False
    ) -> None:
        key = f"{kind}:{law}"
        made.append(
            Duty(key, kind, law, what, due, done.get(key), needed, phased, reasons.get(key), now)
        )

    for law in laws:
        deadline = found.deadlines.get(law)
        if deadline is None:
            continue
        named = authority_name(policy, law)
        if deadline.authority_hours:
            due = incident.aware_at + timedelta(hours=deadline.authority_hours)
            needed = incident.notify_authority is not False
            add("authority", law, f"Report to {named}", due, needed, deadline.phased)
        told_due: datetime | None = None
        if deadline.people_days:
            told_due = incident.aware_at + timedelta(days=deadline.people_days)
            needed = incident.notify_people is not False
            add("people", law, f"Tell the people ({LAW_NAMES[law]})", told_due, needed)
        elif incident.notify_people:
            add("people", law, f"Tell the people ({LAW_NAMES[law]})", None, True)
        over = deadline.sample_over
        if over and deadline.sample_days and people_under(incident, law) > over:
            told = done.get(f"people:{law}") or told_due
            sample_due = told + timedelta(days=deadline.sample_days) if told else None
            needed = incident.notify_people is not False
            add("sample", law, f"Send a sample of the notice to {named}", sample_due, needed)
    return sorted(made, key=lambda d: (d.due_at is None, d.due_at or now, d.key))


def next_due(found: Iterable[Duty]) -> datetime | None:
    """When the soonest duty not yet done is due."""
    pending = [d.due_at for d in found if d.state in ("due", "overdue") and d.due_at]
    return min(pending, default=None)


@dataclass(frozen=True)
class DueLine:
    incident_id: str
    reference: str
    what: str
    due_at: datetime
    overdue: bool
    due_soon: bool


def due_lines(session: Session) -> list[DueLine]:
    """Every duty of an open incident still to do with a due time, overdue first then soonest
    due: for the /dpo queue and the digest (references and duties only, no personal data)."""
    policy, now = policy_of(session), clock.now()
    lines = [
        DueLine(incident.id, incident.reference, d.what, d.due_at, d.state == "overdue", d.due_soon)
        for incident in session.scalars(select(Incident).where(Incident.status == "open"))
        for d in duties(policy, incident, now)
        if d.state in ("due", "overdue") and d.due_at is not None
    ]
    return sorted(lines, key=lambda line: (not line.overdue, line.due_at, line.reference))


def digest_lines(session: Session) -> list[str]:
    """The digest's lines on incidents: one per duty still to do, no personal data."""
    local = local_for(session)
    lines = due_lines(session)
    if not lines:
        return []
    head = f"Incidents: {len(lines)} dut{'ies' if len(lines) != 1 else 'y'} to do, soonest first:"
    return [
        head,
        "",
        *(
            f"{line.reference}  {line.what}  due {local.moment_zoned(line.due_at)}"
            f"{' OVERDUE' if line.overdue else ' due soon' if line.due_soon else ''}"
            for line in lines
        ),
    ]
