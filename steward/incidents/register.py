"""The breach register (X6; GDPR Art. 33(5): every breach, notified or not), as the privacy
officer keeps it: record an incident, load it (`get`, which every part of the response uses),
list them open and soonest due first, update what is known, the decisions and their reasons,
when a processor told us (Art. 33(2)) and when each duty the clocks track was done, follow-up
tasks, and closing (refused until both decisions are recorded with their reasons).

Only the privacy officer (or Steward itself) may: anyone else gets the gate's refusal,
audited. Every change is a step on the incident's timeline (`timeline.note`), naming the
fields changed, never their values. Category, subject, jurisdiction and processor keys must be
the active policy's; the severity and its band are worked out from the ENISA inputs on every
change. Each service commits its own change; a refused change leaves nothing behind.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS, allowed, role_refused
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.incidents import clocks, severity, timeline
from steward.incidents.models import KINDS, Incident, IncidentEvent, IncidentTask
from steward.policy.active import policy_of
from steward.policy.schema import Policy

LONG = 20000
Words = Annotated[str, Field(max_length=LONG)]
Keys = list[Annotated[str, Field(min_length=1, max_length=128)]]
Kind = Literal["confidentiality", "integrity", "availability"]
Exemption = Literal["encrypted", "mitigated", "disproportionate"]
# The fields an officer writes, as the model names them; lists are stored as JSON.
LISTS = ("kinds", "categories", "subjects", "jurisdictions")
TEXTS = (  # the free-text fields: empty, never null
    "found_how",
    "summary",
    "systems",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "authority_reason",
    "people_reason",
)
DECIDED = ("notify_authority", "authority_reason", "notify_people", "people_reason", "exemption")


class Fields(BaseModel):
    """What the officer may write about an incident, to the API, the pages and the CLI."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    aware_at: AwareDatetime | None = Field(None, description="When the business became aware.")
    occurred_from: AwareDatetime | None = None
    occurred_until: AwareDatetime | None = None
    found_how: Words | None = None
    kinds: list[Kind] | None = None
    summary: Words | None = Field(None, description="What happened.")
    systems: Words | None = None
    categories: Keys | None = Field(None, description="Policy category keys involved.")
    subjects: Keys | None = Field(None, description="Policy subject keys involved.")
    jurisdictions: Keys | None = Field(None, description="The people's jurisdictions.")
    people_count: Annotated[int, Field(ge=0)] | None = None
    records_count: Annotated[int, Field(ge=0)] | None = None
    processor: Annotated[str, Field(max_length=128)] | None = None
    processor_told_at: AwareDatetime | None = Field(None, description="Art. 33(2).")
    consequences: Words | None = None
    measures_taken: Words | None = None
    measures_proposed: Words | None = None
    data_context: Annotated[float, Field(ge=1, le=4)] | None = None
    identification: float | None = Field(None, description="0.25, 0.5, 0.75 or 1.")
    circumstances: dict[str, float] | None = Field(
        None, description="confidentiality, integrity, availability, malicious: 0, 0.25 or 0.5."
    )
    notify_authority: bool | None = None
    authority_reason: Words | None = None
    notify_people: bool | None = None
    people_reason: Words | None = None
    exemption: Exemption | None = None


class IncidentIn(Fields):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    aware_at: AwareDatetime
    alert_id: Annotated[str, Field(max_length=36)] | None = None


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=500)]
    due_on: date | None = None


class DutyIn(BaseModel):
    """A duty the clocks track, done: when, and why late when it was (Art. 33(1))."""

    model_config = ConfigDict(extra="forbid")

    duty: Annotated[str, Field(min_length=1, max_length=48)]
    done_at: AwareDatetime | None = None
    delay_reason: Words | None = None


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Words = ""


@dataclass(frozen=True)
class Listed:
    incident: Incident
    duties: list[clocks.Duty]

    @property
    def next_due(self) -> datetime | None:
        return clocks.next_due(self.duties)

    @property
    def overdue(self) -> bool:
        return any(d.state == "overdue" for d in self.duties)


def require_officer(session: Session, actor: Actor) -> None:
    """The gate's refusal, audited, for anyone who may not respond to incidents: a role
    check before anything is looked up, so a refusal reveals nothing."""
    if not allowed(session, actor, INCIDENTS, None, []):
        raise role_refused(actor, "Only the privacy officer responds to incidents.", INCIDENTS)


def get(session: Session, actor: Actor, key: str) -> Incident:
    """The incident by id or reference (INC-2026-0001), for the officer (or Steward);
    NotFound for an unknown one. Every part of the response loads its incident here."""
    require_officer(session, actor)
    key = key.strip()
    found = session.get(Incident, key[:36]) or session.scalar(
        select(Incident).where(Incident.reference == key.upper()[:24])
    )
    if found is None:
        if key.upper().startswith("INC-"):
            raise NotFound(f"There is no incident {key.upper()[:24]}.")
        raise NotFound("There is no such incident.")
    return found


def listing(session: Session, actor: Actor, closed: bool = False) -> list[Listed]:
    """The incidents with their clocks: open first, overdue then soonest due first, then the
    most recently known; `closed` adds the closed ones after them."""
    require_officer(session, actor)
    query = select(Incident)
    if not closed:
        query = query.where(Incident.status == "open")
    policy, now = policy_of(session), clock.now()
    found = [Listed(i, clocks.duties(policy, i, now)) for i in session.scalars(query)]

    def order(item: Listed) -> tuple[bool, bool, float, float]:
        due = item.next_due
        return (
            item.incident.status != "open",
            not item.overdue,
            due.timestamp() if due else float("inf"),
            -item.incident.aware_at.timestamp(),
        )

    return sorted(found, key=order)


def lists(incident: Incident, name: str) -> list[str]:
    """One of the incident's JSON lists (kinds, categories, subjects, jurisdictions)."""
    return list(json.loads(getattr(incident, name) or "[]"))


def parts_of(incident: Incident) -> dict[str, float]:
    return dict(json.loads(incident.circumstance_parts or "{}"))


def special(policy: Policy, incident: Incident) -> list[str]:
    """The categories involved that the policy marks sensitive (special categories)."""
    return [
        key
        for key in lists(incident, "categories")
        if key in policy.categories and policy.categories[key].sensitive
    ]


def _next_reference(session: Session, year: int) -> str:
    prefix = f"INC-{year}-"
    last = session.scalar(
        select(Incident.reference)
        .where(Incident.reference.like(f"{prefix}%"))
        .order_by(func.length(Incident.reference).desc(), Incident.reference.desc())
        .limit(1)
    )
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


def record(session: Session, actor: Actor, given: IncidentIn) -> Incident:
    """Record a breach under the next reference of the year (INC-2026-0001). Two officers
    recording at once may pick the same number: the unique reference refuses the second,
    whose savepoint rolls back, and it takes the next. Commits."""
    require_officer(session, actor)
    now = clock.now()
    values = given.model_dump(exclude_unset=True, exclude={"alert_id"})
    incident = Incident(
        title="",
        status="open",
        aware_at=given.aware_at,
        created_at=now,
        created_by=actor.account_id,
        alert_id=given.alert_id,
        **{name: "" for name in TEXTS},
        **{name: "[]" for name in LISTS},
        circumstance_parts="{}",
        duties_done="{}",
        delay_reasons="{}",
    )
    _apply(policy_of(session), incident, values)
    for _ in range(5):
        incident.reference = _next_reference(session, now.year)
        try:
            with session.begin_nested():
                session.add(incident)
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("Another incident was being recorded at the same moment: try again.")
    timeline.note(session, actor, incident.id, "recorded", fields=sorted(values))
    session.commit()
    return incident


def refuse_closed(incident: Incident) -> None:
    """A closed incident takes no more steps: no change, containment, list or notice."""
    if incident.status != "open":
        raise Conflict("This incident is closed; it can no longer be changed.")


def get_open(session: Session, actor: Actor, incident_id: str) -> Incident:
    incident = get(session, actor, incident_id)
    refuse_closed(incident)
    return incident


def update(session: Session, actor: Actor, incident_id: str, given: Fields) -> Incident:
    """Change what the officer gave; the rest stays. A field given as null is cleared (a
    text as empty). The whole record is checked before anything is kept. Commits."""
    incident = get_open(session, actor, incident_id)
    values = given.model_dump(exclude_unset=True)
    changed = _apply(policy_of(session), incident, values)
    if changed:
        decided = sorted(set(changed) & set(DECIDED))
        if "notify_authority" in changed or "authority_reason" in changed:
            timeline.note(
                session, actor, incident.id, "decision.authority", notify=incident.notify_authority
            )
        if {"notify_people", "people_reason", "exemption"} & set(changed):
            timeline.note(
                session,
                actor,
                incident.id,
                "decision.people",
                notify=incident.notify_people,
                exemption=incident.exemption,
            )
        if "processor_told_at" in changed:
            timeline.note(
                session, actor, incident.id, "processor.told", processor=incident.processor
            )
        rest = sorted(set(changed) - set(decided) - {"processor_told_at"})
        if rest:
            timeline.note(session, actor, incident.id, "updated", fields=rest)
    session.commit()
    return incident


def _current(incident: Incident) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(incident, name) for name in Fields.model_fields}
    for name in LISTS:
        values[name] = lists(incident, name)
    values["circumstances"] = parts_of(incident)
    return values


def _apply(policy: Policy, incident: Incident, given: Mapping[str, Any]) -> list[str]:
    """Check the record as it would be with `given`, then write it; returns the fields that
    changed. Nothing is written when anything is wrong."""
    before = _current(incident)
    after = dict(before)
    for name, value in given.items():
        if value is None and name in (*TEXTS, *LISTS):
            value = [] if name in LISTS else ""
        if value is None and name == "circumstances":
            value = {}
        if value is None and name == "title":
            raise Invalid("An incident needs a title.")
        if value is None and name == "aware_at":
            raise Invalid("An incident needs the moment the business became aware of it.")
        after[name] = value
    scored = _check(policy, after)
    changed = [name for name in given if after[name] != before[name]]
    for name in changed:
        value = after[name]
        if name in LISTS:
            value = json.dumps(sorted(set(value)) if name != "kinds" else _kinds(value))
        elif name == "circumstances":
            incident.circumstance_parts = json.dumps(value, sort_keys=True)
            continue
        setattr(incident, name, value)
    incident.circumstances = severity.circumstances(after["circumstances"])
    incident.severity = scored.score if scored else None
    incident.band = scored.band if scored else None
    return changed


def _kinds(value: list[str]) -> list[str]:
    return [k for k in KINDS if k in value]


def _check(policy: Policy, record: Mapping[str, Any]) -> severity.Severity | None:
    now = clock.now()
    if record["aware_at"] > now:
        raise Invalid("The moment the business became aware cannot be in the future.")
    start, end = record["occurred_from"], record["occurred_until"]
    if start and end and start > end:
        raise Invalid("The breach cannot end before it began: check when it happened.")
    for name, declared, what in (
        ("categories", policy.categories, "category"),
        ("subjects", policy.subjects, "kind of people"),
        ("jurisdictions", policy.jurisdictions, "jurisdiction"),
    ):
        unknown = [k for k in record[name] if k not in declared]
        if unknown:
            raise Invalid(f"The policy declares no {what} '{unknown[0]}'.")
    if record["processor"] and record["processor"] not in policy.processors:
        raise Invalid(f"The policy declares no processor '{record['processor']}'.")
    if record["processor_told_at"] and not record["processor"]:
        raise Invalid("Name the processor that told you of the breach.")
    scored = severity.assess(
        record["data_context"], record["identification"], record["circumstances"]
    )
    if record["notify_authority"] is not None and not (record["authority_reason"] or "").strip():
        raise Invalid("Give the reason for the decision on reporting to the authority.")
    if record["notify_people"] is not None and not (record["people_reason"] or "").strip():
        raise Invalid("Give the reason for the decision on telling the people.")
    if record["exemption"] and record["notify_people"] is not False:
        raise Invalid("An Art. 34(3) exemption applies only when the people are not told.")
    high = scored is not None and scored.band in ("high", "very_high")
    if high and record["notify_people"] is False and not record["exemption"]:
        raise Invalid(
            "The severity is high: the people must be told unless an Art. 34(3) exemption "
            "applies; name it."
        )
    return scored


def duty_done(session: Session, actor: Actor, incident_id: str, given: DutyIn) -> Incident:
    """Record a duty the clocks track as done (the authority reported, the people told, the
    sample sent), at `done_at` (now if not given); done after its deadline needs the reason
    for the delay (Art. 33(1)). Commits."""
    incident = get_open(session, actor, incident_id)
    mark_done(
        session, actor, incident, given.duty, given.done_at, (given.delay_reason or "").strip()
    )
    session.commit()
    return incident


def is_done(incident: Incident, key: str) -> bool:
    return key in json.loads(incident.duties_done or "{}")


def step_done(
    session: Session, actor: Actor, incident: Incident, key: str, delay_reason: str = ""
) -> None:
    """A step of the response did duty `key` now (the report's initial phase, the people's
    notices, the sample): marked done unless the incident has no such duty or it is done
    already. Late with no reason to give, the lateness shows on the clocks. Part of the
    caller's transaction."""
    keys = {d.key for d in clocks.duties(policy_of(session), incident, clock.now())}
    if key in keys and not is_done(incident, key):
        mark_done(session, actor, incident, key, None, delay_reason, reason_needed=False)


def mark_done(
    session: Session,
    actor: Actor,
    incident: Incident,
    key: str,
    done_at: datetime | None = None,
    delay_reason: str = "",
    *,
    reason_needed: bool = True,
) -> clocks.Duty:
    """Mark the duty `key` of the incident's clocks done at `done_at` (now if not given):
    the one way a duty is done, by the officer on the record and by the steps that do it
    (the report's initial phase, the people's notices, the sample). Done after its deadline
    needs the reason for the delay unless `reason_needed` is False (a step with no reason to
    ask for). Part of the caller's transaction."""
    now = clock.now()
    done_at = done_at or now
    if done_at > now:
        raise Invalid("A duty cannot be done in the future.")
    duty = next((d for d in clocks.duties(policy_of(session), incident, now) if d.key == key), None)
    if duty is None:
        raise Invalid(f"This incident has no duty '{key}'.")
    late = duty.due_at is not None and done_at > duty.due_at
    if late and reason_needed and not delay_reason:
        raise Invalid("This was done after its deadline: give the reason for the delay.")
    done = json.loads(incident.duties_done or "{}")
    done[duty.key] = done_at.isoformat()
    incident.duties_done = json.dumps(done, sort_keys=True)
    if late and delay_reason:
        reasons = json.loads(incident.delay_reasons or "{}")
        reasons[duty.key] = delay_reason
        incident.delay_reasons = json.dumps(reasons, sort_keys=True)
    timeline.note(session, actor, incident.id, "duty.done", duty=duty.key, late=late)
    return duty


def tasks(session: Session, actor: Actor, incident_id: str) -> list[IncidentTask]:
    get(session, actor, incident_id)
    return list(
        session.scalars(
            select(IncidentTask)
            .where(IncidentTask.incident_id == incident_id)
            .order_by(IncidentTask.done_at.is_not(None), IncidentTask.created_at, IncidentTask.id)
        )
    )


def add_task(session: Session, actor: Actor, incident_id: str, given: TaskIn) -> IncidentTask:
    """A follow-up task on the incident. Commits."""
    incident = get_open(session, actor, incident_id)
    if not given.text.strip():
        raise Invalid("Write what is to be done.")
    task = IncidentTask(
        incident_id=incident.id,
        text=given.text.strip(),
        due_on=given.due_on,
        created_at=clock.now(),
    )
    session.add(task)
    session.flush()
    timeline.note(session, actor, incident.id, "task.added", task=task.id)
    session.commit()
    return task


def task_done(session: Session, actor: Actor, incident_id: str, task_id: str) -> IncidentTask:
    """Mark a follow-up task done. Commits."""
    incident = get(session, actor, incident_id)
    task = session.get(IncidentTask, task_id)
    if task is None or task.incident_id != incident.id:
        raise NotFound("There is no such task on this incident.")
    if task.done_at is not None:
        raise Conflict("This task is already done.")
    task.done_at = clock.now()
    timeline.note(session, actor, incident.id, "task.done", task=task.id)
    session.commit()
    return task


def close(session: Session, actor: Actor, incident_id: str, given: CloseIn) -> Incident:
    """Close the incident: refused until both decisions (report the authority, tell the
    people) are recorded with their reasons. Commits."""
    incident = get(session, actor, incident_id)
    if incident.status != "open":
        raise Conflict("This incident is already closed.")
    missing = []
    if incident.notify_authority is None or not incident.authority_reason.strip():
        missing.append("whether to report it to the authority")
    if incident.notify_people is None or not incident.people_reason.strip():
        missing.append("whether to tell the people")
    if missing:
        raise Conflict(
            f"Before closing, record the decision {' and '.join(missing)}, with the reason."
        )
    incident.status = "closed"
    incident.closed_at = clock.now()
    incident.closed_by = actor.account_id
    incident.closing_note = given.note.strip()
    timeline.note(session, actor, incident.id, "closed")
    session.commit()
    return incident


@dataclass(frozen=True)
class Record:
    """An incident with what its pages show: its clocks, tasks, timeline, the special
    categories involved, and the severity's and decisions' suggestions."""

    incident: Incident
    duties: list[clocks.Duty]
    tasks: list[IncidentTask]
    events: list[IncidentEvent]
    special: list[str]
    suggested_context: float | None
    provisional: severity.Severity | None  # with the suggested context, until one is set
    suggestion: severity.Suggestion | None


def read(session: Session, actor: Actor, incident_id: str) -> Record:
    """The incident and what its pages show. The suggestions follow the categories and counts,
    which freezing the people affected sets from the list."""
    incident = get(session, actor, incident_id)
    policy = policy_of(session)
    context = severity.suggested_context(
        policy, lists(incident, "categories"), incident.people_count, incident.records_count
    )
    provisional = None
    if incident.band is None and context is not None:
        provisional = severity.assess(context, incident.identification, parts_of(incident))
    involved = special(policy, incident)
    band = incident.band or (provisional.band if provisional else None)
    return Record(
        incident,
        clocks.duties(policy, incident, clock.now()),
        tasks(session, actor, incident_id),
        timeline.events(session, incident_id),
        involved,
        context,
        provisional,
        severity.suggest(band, bool(involved)),
    )
