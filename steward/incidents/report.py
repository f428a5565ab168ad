"""The report to the supervisory authority (X6; GDPR Art. 33), built from the incident's record
and the policy, and the phases it is sent in.

`build` gathers what Art. 33(3) asks for: (a) the nature of the breach with the categories and
approximate numbers of people and records, (b) the DPO's (or the privacy contact's) name and
contact, (c) the likely consequences, (d) the measures taken or proposed; plus the controller,
and the authority it goes to and its deadline (GDPR: 72 hours, Art. 33(1)) from the policy's
breach terms (`policy.breach.terms`). An incident whose people are under two laws that each
have an authority (the GDPR and the UK GDPR) has a report per law. It names no person: only
counts and the policy's names of categories, subjects and jurisdictions.

A report goes in phases (Art. 33(4)): `record_phase` notes each one sent (initial, follow-up,
final) on the incident's timeline with what it held and when; a first phase past the deadline
needs the reason for the delay (Art. 33(1)); the initial phase marks the clocks' duty
`authority:<law>` done (`register.mark_done`).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid
from steward.incidents import clocks, register, timeline
from steward.incidents.models import Incident
from steward.policy.active import policy_of, resolve
from steward.policy.breach import terms
from steward.policy.schema import Policy

PHASES = {"initial": "Initial", "follow_up": "Follow-up", "final": "Final"}
PHASE_KIND = "report.phase"
JURISDICTION_NAMES = {
    "gdpr": "the EU and EEA (GDPR)",
    "uk_gdpr": "the United Kingdom (UK GDPR)",
    "ccpa": "California (CCPA)",
    "coppa": "the United States, children under 13 (COPPA)",
}
NO_AUTHORITY = "the competent supervisory authority"


def laws_of(policy: Policy, incident: Incident) -> list[str]:
    """The laws the incident's report may go under, soonest due first: those of the people
    affected (every declared one until they are known) whose breach terms set an authority
    deadline, then those that only name an authority (California's Attorney General)."""
    found = terms(policy)
    declared: list[str] = list(policy.jurisdictions)
    laws = [law for law in keys_of(incident.jurisdictions) if law in declared] or declared
    hours = {law: d.authority_hours for law in laws if (d := found.deadlines.get(law))}
    timed = sorted((law for law in laws if hours.get(law)), key=lambda law: hours[law] or 0)
    return timed + [law for law in laws if law not in timed and law in found.authorities]


def default_law(policy: Policy, incident: Incident) -> str | None:
    """The first law whose authority is still to be reported to, else the first law."""
    laws = laws_of(policy, incident)
    pending = [law for law in laws if not register.is_done(incident, f"authority:{law}")]
    first = pending or laws
    return first[0] if first else None


@dataclass(frozen=True)
class Named:
    key: str
    name: str
    special: bool = False


@dataclass(frozen=True)
class Phase:
    phase: str
    law: str | None
    at: datetime
    by: str | None
    late_reason: str
    contents: str  # sha256 of the report as it was sent
    holds: list[str]  # the Art. 33(3) items it held


@dataclass
class Report:
    reference: str
    title: str
    law: str | None  # the law it goes under (a policy jurisdiction key)
    laws: list[str]  # every law the incident's report may go under
    authority: str
    controller: dict[str, str]
    dpo: dict[str, str]
    aware_at: datetime
    deadline_hours: int | None  # the law's authority deadline, None when it sets none
    due_at: datetime | None
    occurred_from: datetime | None
    occurred_until: datetime | None
    found_how: str
    kinds: list[str]
    summary: str
    systems: str
    categories: list[Named]
    subjects: list[Named]
    jurisdictions: list[str]
    people: int | None
    records: int | None
    frozen: bool  # the numbers are counted from the frozen list, not estimated
    processor: str | None
    processor_told_at: datetime | None
    consequences: str
    measures_taken: str
    measures_proposed: str
    phases: list[Phase] = field(default_factory=list)

    def missing(self) -> list[str]:
        """The Art. 33(3) items not yet known: sent later, in a follow-up phase."""
        items = {
            "nature": self.summary and self.kinds,
            "categories": self.categories,
            "people": self.people is not None,
            "records": self.records is not None,
            "consequences": self.consequences,
            "measures": self.measures_taken or self.measures_proposed,
        }
        return [item for item, known in items.items() if not known]

    def holds(self) -> list[str]:
        known = set(ITEMS) - set(self.missing())
        return [item for item in ITEMS if item in known]

    def late(self, now: datetime) -> bool:
        """Past the deadline with no phase sent in time."""
        first = self.phases[0].at if self.phases else now
        return self.due_at is not None and first > self.due_at

    def digest(self) -> str:
        """What the report says (not who sent which phase): the fingerprint a phase keeps."""
        content = {k: v for k, v in asdict(self).items() if k != "phases"}
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


ITEMS = ("nature", "categories", "people", "records", "dpo", "consequences", "measures")


def _names(policy: Policy, keys: list[str], kind: str) -> list[Named]:
    named = []
    for key in keys:
        if kind == "subject":
            subject = policy.subjects.get(key)
            named.append(Named(key, subject.name if subject else key))
            continue
        held = resolve(policy, key)
        category = policy.categories.get(held) if held else None
        named.append(
            Named(key, category.name if category else key, bool(category and category.sensitive))
        )
    return named


def keys_of(text: str) -> list[str]:
    """The keys a JSON list column of the incident holds."""
    value = json.loads(text or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


def phases(session: Session, incident_id: str, law: str | None) -> list[Phase]:
    """The phases sent of the report under `law`."""
    found = []
    for event in timeline.events(session, incident_id):
        if event.kind != PHASE_KIND:
            continue
        detail: dict[str, Any] = json.loads(event.detail)
        if detail.get("law") != law:
            continue
        found.append(
            Phase(
                phase=str(detail.get("phase", "")),
                law=law,
                at=event.at,
                by=event.actor_id,
                late_reason=str(detail.get("late_reason", "")),
                contents=str(detail.get("contents", "")),
                holds=list(detail.get("holds", [])),
            )
        )
    return found


def build(session: Session, actor: Actor, incident: Incident, law: str | None = None) -> Report:
    """The report under `law` (by default the first still due) as it stands now, with the
    phases already sent: to the authority and by the deadline of the policy's breach terms."""
    register.require_officer(session, actor)  # whoever loaded it
    policy = policy_of(session)
    laws = laws_of(policy, incident)
    if law is None:
        law = default_law(policy, incident)
    elif law not in laws:
        under = ", ".join(laws) or "none"
        raise Invalid(f"This incident's report goes under one of these laws: {under}.")
    deadline = terms(policy).deadlines.get(law) if law else None
    hours = deadline.authority_hours if deadline else None
    controller = policy.controller
    contact = controller.dpo
    dpo = (
        {"role": "Data protection officer", "name": contact.name, "email": contact.email}
        if contact
        else {"role": "Privacy contact", "name": controller.legal_name}
        | {"email": controller.privacy_contact}
    )
    if contact and contact.phone:
        dpo["phone"] = contact.phone
    processor = policy.processors.get(incident.processor or "")
    return Report(
        reference=incident.reference,
        title=incident.title,
        law=law,
        laws=laws,
        authority=clocks.authority_name(policy, law) if law else NO_AUTHORITY,
        controller={
            "name": controller.legal_name,
            "address": controller.address,
            "email": controller.privacy_contact,
            "phone": controller.phone or "",
        },
        dpo=dpo,
        aware_at=incident.aware_at,
        deadline_hours=hours,
        due_at=incident.aware_at + timedelta(hours=hours) if hours else None,
        occurred_from=incident.occurred_from,
        occurred_until=incident.occurred_until,
        found_how=incident.found_how,
        kinds=keys_of(incident.kinds),
        summary=incident.summary,
        systems=incident.systems,
        categories=_names(policy, keys_of(incident.categories), "category"),
        subjects=_names(policy, keys_of(incident.subjects), "subject"),
        jurisdictions=keys_of(incident.jurisdictions),
        people=incident.people_count,
        records=incident.records_count,
        frozen=incident.affected_frozen_at is not None,
        processor=processor.name if processor else incident.processor,
        processor_told_at=incident.processor_told_at,
        consequences=incident.consequences,
        measures_taken=incident.measures_taken,
        measures_proposed=incident.measures_proposed,
        phases=phases(session, incident.id, law),
    )


def record_phase(
    session: Session,
    actor: Actor,
    incident: Incident,
    phase: str,
    *,
    law: str | None = None,
    late_reason: str = "",
) -> Phase:
    """Note that phase `phase` of the report under `law` (by default the first still due) was
    sent to the authority now, with what it held. The initial phase comes first and once,
    nothing after the final; a first phase past the deadline needs `late_reason`. The initial
    phase marks the clocks' duty `authority:<law>` done. Part of the caller's transaction."""
    report = build(session, actor, incident, law)
    register.refuse_closed(incident)
    sent = [p.phase for p in report.phases]
    if phase not in PHASES:
        raise Invalid("The phase is one of: initial, follow_up, final.")
    if not sent and phase != "initial":
        raise Conflict("Send the initial phase of the report first.")
    if sent and phase == "initial":
        raise Conflict("The initial phase was sent already: send a follow-up or the final one.")
    if "final" in sent:
        raise Conflict("The final phase was sent already: the report is complete.")
    now = clock.now()
    late_reason = late_reason.strip()[:2000]
    if not sent and report.due_at is not None and now > report.due_at and not late_reason:
        raise Invalid(
            f"The report is later than {report.deadline_hours} hours after the business became "
            "aware: give the reasons for the delay (GDPR Art. 33(1))."
        )
    if phase == "initial":
        register.step_done(session, actor, incident, f"authority:{report.law}", late_reason)
    holds = report.holds()
    event = timeline.note(
        session,
        actor,
        incident.id,
        PHASE_KIND,
        phase=phase,
        law=report.law,
        authority=report.authority,
        late_reason=late_reason,
        contents=report.digest(),
        holds=holds,
        people=report.people,
        records=report.records,
    )
    return Phase(phase, report.law, event.at, actor.account_id, late_reason, report.digest(), holds)
