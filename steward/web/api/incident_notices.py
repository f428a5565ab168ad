"""JSON API under /api/v1/dpo/incidents/{incident_id} for telling people of an incident (the
privacy officer only): the authority's report and its phases, the people's notices (where
they stand, sending them) and the Attorney General's sample. Nothing here names a person."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core import clock
from steward.core.actor import Actor
from steward.incidents import notices, register, report
from steward.jobs.queue import enqueue
from steward.rights.common import OFFICER_ROLES
from steward.vault.service import vault_of
from steward.web.auth import SettingsDep, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(
    prefix="/api/v1/dpo/incidents", tags=["incidents"], dependencies=[Depends(csrf_guard)]
)
Officer = Annotated[Actor, Depends(require_roles(*OFFICER_ROLES))]


class NamedOut(BaseModel):
    key: str
    name: str
    special: bool


class PhaseOut(BaseModel):
    phase: str
    law: str | None = Field(description="The law the report went under.")
    at: datetime
    late_reason: str
    contents: str = Field(description="SHA-256 of the report as it was sent.")
    holds: list[str] = Field(description="The Art. 33(3) items the phase held.")


class ReportOut(BaseModel):
    reference: str
    title: str
    law: str | None = Field(description="The law this report goes under.")
    laws: list[str] = Field(description="Every law the incident's report may go under.")
    authority: str
    controller: dict[str, str]
    dpo: dict[str, str]
    aware_at: datetime
    deadline_hours: int | None
    due_at: datetime | None
    late: bool
    occurred_from: datetime | None
    occurred_until: datetime | None
    found_how: str
    kinds: list[str]
    summary: str
    systems: str
    categories: list[NamedOut]
    subjects: list[NamedOut]
    jurisdictions: list[str]
    people: int | None
    records: int | None
    frozen: bool
    processor: str | None
    processor_told_at: datetime | None
    consequences: str
    measures_taken: str
    measures_proposed: str
    missing: list[str] = Field(description="Art. 33(3) items not known yet.")
    phases: list[PhaseOut]


class PhaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: Literal["initial", "follow_up", "final"]
    law: str | None = Field(None, max_length=16, description="By default the first due.")
    late_reason: str = Field("", max_length=2000)


class TallyOut(BaseModel):
    people: int
    sent: int
    pending: int
    unmailed: int
    skipped: int
    to_send: int
    california: int
    seen: int


class LetterOut(BaseModel):
    subject: str
    sections: list[tuple[str, str]]


class SampleOut(BaseModel):
    law: str | None = Field(description="The law whose authority gets a sample, if any.")
    authority: str
    over: int = Field(description="A sample is due above this many people under the law.")
    due: bool
    residents: int = Field(description="The people affected under the law.")
    submitted_at: datetime | None
    letter: LetterOut


class ToldOut(BaseModel):
    name: str
    client: bool = Field(description="A client controller we process data for.")
    delivered_at: datetime | None
    given_up: bool


class NoticesOut(BaseModel):
    counts: TallyOut
    letter: LetterOut
    ag_sample: SampleOut
    told: list[ToldOut] = Field(description="The recipients and clients told through the outbox.")


class NoticesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clients: list[int | Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list,
        max_length=100,
        description="The client controllers to tell (the policy's processing_for_clients, "
        "by position from 0 or by name): we are their processor (GDPR Art. 33(2)).",
    )


class SentOut(BaseModel):
    queued: int
    skipped: int
    recipients: list[str]
    unreachable: list[str]
    clients: list[str] = Field(description="The client controllers queued a notice.")
    clients_unreachable: list[str] = Field(description="Chosen clients with no email address.")
    counts: TallyOut


def report_out(found: report.Report, now: datetime) -> ReportOut:
    fields = {k: v for k, v in vars(found).items() if k not in ("categories", "subjects")}
    return ReportOut(
        **{**fields, "phases": [PhaseOut(**vars(p)) for p in found.phases]},
        categories=[NamedOut(**vars(c)) for c in found.categories],
        subjects=[NamedOut(**vars(s)) for s in found.subjects],
        late=found.late(now),
        missing=found.missing(),
    )


def _letter(letter: notices.Letter) -> LetterOut:
    return LetterOut(subject=letter.subject, sections=letter.sections)


def _sample(sample: notices.Sample) -> SampleOut:
    return SampleOut(
        law=sample.law,
        authority=sample.authority,
        over=sample.over,
        due=sample.due,
        residents=sample.residents,
        submitted_at=sample.submitted_at,
        letter=_letter(sample.letter),
    )


@router.get("/{incident_id}/report")
def get_report(
    incident_id: str, officer: Officer, session: SessionDep, law: str | None = None
) -> ReportOut:
    """The report to the supervisory authority (GDPR Art. 33(3)) under `law` (by default the
    first still due), and the phases sent."""
    incident = register.get(session, officer, incident_id)
    return report_out(report.build(session, officer, incident, law), clock.now())


@router.post("/{incident_id}/report/phases", status_code=201)
def record_phase(
    incident_id: str, body: PhaseIn, officer: Officer, session: SessionDep
) -> PhaseOut:
    """Note that a phase of the report was sent to the authority now (Art. 33(4)); a first
    phase past the deadline needs `late_reason` (Art. 33(1)); the initial phase marks the
    duty `authority:<law>` done."""
    incident = register.get(session, officer, incident_id)
    phase = report.record_phase(
        session, officer, incident, body.phase, law=body.law, late_reason=body.late_reason
    )
    session.commit()
    return PhaseOut(**vars(phase))


def _tally(session: SessionDep, officer: Actor, incident_id: str) -> TallyOut:
    incident = register.get(session, officer, incident_id)
    return TallyOut(**vars(notices.tally(session, vault_of(session), officer, incident)))


@router.get("/{incident_id}/notices")
def get_notices(
    incident_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> NoticesOut:
    """The notice to the people (its words), where the notices stand, and the sample for the
    Attorney General of California."""
    incident = register.get(session, officer, incident_id)
    vault = vault_of(session)
    sample = notices.ag_sample(session, vault, settings, officer, incident)
    return NoticesOut(
        counts=_tally(session, officer, incident_id),
        letter=_letter(sample.letter),
        ag_sample=_sample(sample),
        told=[ToldOut(**vars(t)) for t in notices.told(session, officer, incident)],
    )


@router.post("/{incident_id}/notices", status_code=202)
def send_notices(
    incident_id: str,
    officer: Officer,
    session: SessionDep,
    body: Annotated[NoticesIn | None, Body()] = None,
) -> SentOut:
    """Queue a notice to each person affected not told yet (the erased are skipped), to
    the recipients of the categories involved and to the client controllers chosen in
    `clients`; the worker mails them."""
    incident = register.get(session, officer, incident_id)
    chosen = body.clients if body else []
    sent = notices.send(session, vault_of(session), officer, incident, chosen)
    if sent.queued:
        enqueue(session, notices.JOB, {"incident_id": incident.id})
    session.commit()
    return SentOut(**vars(sent), counts=_tally(session, officer, incident_id))


@router.post("/{incident_id}/notices/ag-sample", status_code=201)
def record_ag_sample(
    incident_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> SampleOut:
    """Note that the sample notice was submitted to the authority (the Attorney General of
    California); marks the duty `sample:<law>` done."""
    incident = register.get(session, officer, incident_id)
    sample = notices.record_ag_sample(session, vault_of(session), settings, officer, incident)
    session.commit()
    return _sample(sample)
