"""The report to the supervisory authority (X6; GDPR Art. 33), built from the incident's record
and the policy, and the phases it is sent in.

`build` gathers what Art. 33(3) asks for: (a) the nature of the breach with the categories and
approximate numbers of people and records, (b) the DPO's (or the privacy contact's) name and
contact, (c) the likely consequences, (d) the measures taken or proposed; plus the controller,
the authority it goes to and the 72-hour clock of Art. 33(1). It names no person: only counts
and the policy's names of categories, subjects and jurisdictions.

A report goes in phases (Art. 33(4)): `record_phase` notes each one sent (initial, follow-up,
final) on the incident's timeline with what it held and when; a first phase past 72 hours of
awareness needs the reason for the delay (Art. 33(1)).
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
from steward.incidents import register, timeline
from steward.incidents.models import Incident
from steward.policy.active import policy_of, resolve
from steward.policy.schema import Policy

DEADLINE = timedelta(hours=72)  # GDPR Art. 33(1): from becoming aware
PHASES = {"initial": "Initial", "follow_up": "Follow-up", "final": "Final"}
PHASE_KIND = "report.phase"
# Who receives the report when the policy names no authority: by the law the business
# answers to and, under the GDPR, the country it is established in.
UK_AUTHORITY = "Information Commissioner's Office (ICO)"
EU_AUTHORITIES = {
    "AT": "Datenschutzbehörde (Austria)",
    "BE": "Data Protection Authority (Belgium)",
    "DE": "the data protection authority of the German state where the business is established",
    "DK": "Datatilsynet (Denmark)",
    "ES": "Agencia Española de Protección de Datos (AEPD)",
    "FI": "Office of the Data Protection Ombudsman (Finland)",
    "FR": "Commission nationale de l'informatique et des libertés (CNIL)",
    "IE": "Data Protection Commission (Ireland)",
    "IT": "Garante per la protezione dei dati personali (Italy)",
    "LU": "Commission nationale pour la protection des données (Luxembourg)",
    "NL": "Autoriteit Persoonsgegevens (Netherlands)",
    "PL": "Urząd Ochrony Danych Osobowych (Poland)",
    "PT": "Comissão Nacional de Proteção de Dados (Portugal)",
    "SE": "Integritetsskyddsmyndigheten (IMY, Sweden)",
}
EU_DEFAULT = "the competent EU supervisory authority (where the people affected live)"
CALIFORNIA_AG = "Attorney General of California"
JURISDICTION_NAMES = {
    "gdpr": "the EU and EEA (GDPR)",
    "uk_gdpr": "the United Kingdom (UK GDPR)",
    "ccpa": "California (CCPA)",
    "coppa": "the United States, children under 13 (COPPA)",
}


def authority_of(policy: Policy) -> str:
    """Who the report goes to: the policy's `incidents` section when it names one, else by
    its jurisdictions and the controller's country."""
    section = getattr(policy, "incidents", None)
    named = getattr(section, "authority", None) if section is not None else None
    if isinstance(named, str) and named:
        return named
    if "gdpr" in policy.jurisdictions:
        if "uk_gdpr" in policy.jurisdictions and policy.controller.country == "GB":
            return UK_AUTHORITY
        return EU_AUTHORITIES.get(policy.controller.country, EU_DEFAULT)
    if "uk_gdpr" in policy.jurisdictions:
        return UK_AUTHORITY
    return CALIFORNIA_AG if "ccpa" in policy.jurisdictions else EU_DEFAULT


@dataclass(frozen=True)
class Named:
    key: str
    name: str
    special: bool = False


@dataclass(frozen=True)
class Phase:
    phase: str
    at: datetime
    by: str | None
    late_reason: str
    contents: str  # sha256 of the report as it was sent
    holds: list[str]  # the Art. 33(3) items it held


@dataclass
class Report:
    reference: str
    title: str
    authority: str
    controller: dict[str, str]
    dpo: dict[str, str]
    aware_at: datetime
    due_at: datetime
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
        """Past the 72 hours with no phase sent in time."""
        first = self.phases[0].at if self.phases else now
        return first > self.due_at

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


def phases(session: Session, incident_id: str) -> list[Phase]:
    found = []
    for event in timeline.events(session, incident_id):
        if event.kind != PHASE_KIND:
            continue
        detail: dict[str, Any] = json.loads(event.detail)
        found.append(
            Phase(
                phase=str(detail.get("phase", "")),
                at=event.at,
                by=event.actor_id,
                late_reason=str(detail.get("late_reason", "")),
                contents=str(detail.get("contents", "")),
                holds=list(detail.get("holds", [])),
            )
        )
    return found


def build(session: Session, actor: Actor, incident: Incident) -> Report:
    """The report as it stands now, with the phases already sent."""
    register.require_officer(session, actor)  # whoever loaded it
    policy = policy_of(session)
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
        authority=authority_of(policy),
        controller={
            "name": controller.legal_name,
            "address": controller.address,
            "email": controller.privacy_contact,
            "phone": controller.phone or "",
        },
        dpo=dpo,
        aware_at=incident.aware_at,
        due_at=incident.aware_at + DEADLINE,
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
        phases=phases(session, incident.id),
    )


def record_phase(
    session: Session,
    actor: Actor,
    incident: Incident,
    phase: str,
    *,
    late_reason: str = "",
) -> Phase:
    """Note that phase `phase` of the report was sent to the authority now, with what it held.
    The initial phase comes first and once, nothing after the final; a first phase past the
    72 hours needs `late_reason`. Part of the caller's transaction."""
    report = build(session, actor, incident)
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
    if not sent and now > report.due_at and not late_reason:
        raise Invalid(
            "The report is later than 72 hours after the business became aware: give the "
            "reasons for the delay (GDPR Art. 33(1))."
        )
    holds = report.holds()
    event = timeline.note(
        session,
        actor,
        incident.id,
        PHASE_KIND,
        phase=phase,
        authority=report.authority,
        late_reason=late_reason,
        contents=report.digest(),
        holds=holds,
        people=report.people,
        records=report.records,
    )
    return Phase(phase, event.at, actor.account_id, late_reason, report.digest(), holds)
