"""Erasure (R3, R10 delete): preview, approval with a grace period, cancellation, and the run.

`run_due` erases each person whose grace is over in steps that each commit on their own
(status "erasing" until the last): mentions masked, the person's rows deleted in batches of
ids, links in other people's rows cleared, and finally, in one transaction, what the law
keeps re-sealed under a new data key, the old key destroyed, Person and Account left as
tombstones and the request answered. A crash anywhere leaves work that the next run
finishes. The plan (erasure_plan.py) fails closed on any column it cannot handle.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, PersonState, check
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Conflict, Forbidden, Invalid
from steward.core.runtime import Runtime
from steward.core.settings import Settings
from steward.identity.common import local_for, mail_quietly
from steward.identity.models import Person
from steward.policy.active import policy_of, resolve
from steward.policy.schema import Policy
from steward.rights import erasure_steps as steps_
from steward.rights import held, recipients
from steward.rights.common import (
    OFFICER_ROLES,
    event,
    get_request,
    require_officer,
)
from steward.rights.erasure_plan import Step, plan
from steward.rights.models import RightsRequest
from steward.vault import files
from steward.vault.service import Vault

ERASURE_KINDS = ("erasure", "ccpa_delete")
BATCH = 500
log = logging.getLogger("steward.rights")
Progress = Callable[[str, str, int], None]  # (reference, table, rows done in this batch)


@dataclass(frozen=True)
class Kept:
    category: str
    name: str
    rows: int
    reason: str
    until: datetime | None


@dataclass(frozen=True)
class Preview:
    reference: str
    erased: dict[str, int]  # category -> rows
    kept: list[Kept]
    holds: list[str] = field(default_factory=list)  # legal holds that postpone it (T2)


def _policy(session: Session) -> Policy:
    return policy_of(session)


def _erasure(session: Session, request_id: str) -> RightsRequest:
    request = get_request(session, request_id)
    if request.kind not in ERASURE_KINDS:
        raise Invalid("This request is not an erasure.")
    return request


def _timestamp(step: Step) -> str | None:
    for name in ("created_at", "paid_at", "issued_on"):
        if name in step.table.c:
            return name
    return None


def _count(session: Session, step: Step, person_id: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(step.table).where(step.selector == person_id)
        )
        or 0
    )


def _kept(session: Session, policy: Policy, steps: list[Step], person_id: str) -> list[Kept]:
    found: dict[str, Kept] = {}
    for step in steps:
        for column in sorted(step.kept):
            key = resolve(policy, step.holding.columns[column]) or step.holding.columns[column]
            category = policy.categories[key]
            rows = _count(session, step, person_id)
            stamp = _timestamp(step)
            latest = (
                session.scalar(
                    select(func.max(step.table.c[stamp])).where(step.selector == person_id)
                )
                if stamp
                else None
            )
            if isinstance(latest, datetime):
                until: datetime | None = category.retention.period.after(latest)
            elif latest is not None:  # a date
                start = datetime(latest.year, latest.month, latest.day, tzinfo=clock.now().tzinfo)
                until = category.retention.period.after(start)
            else:
                until = None
            reasons = [e for e in category.retention.exceptions if e.reason == "legal_obligation"]
            reason = reasons[0].description if reasons else "The law requires keeping it."
            if reasons and reasons[0].statute:
                reason = f"{reason} ({reasons[0].statute})"
            before = found.get(key)
            if before is not None:
                rows = max(rows, before.rows)
                if until is None or (before.until is not None and before.until > until):
                    until = before.until
            found[key] = Kept(key, category.name, rows, reason, until)
    return [found[k] for k in sorted(found)]


def preview(session: Session, officer: Actor, request_id: str) -> Preview:
    """What an erasure would delete (rows per category) and keep (why, until when)."""
    require_officer(officer)
    request = _erasure(session, request_id)
    return person_preview(session, request.reference, request.person_id)


def person_preview(session: Session, reference: str, person_id: str | None) -> Preview:
    """The preview for one person; the person's own, before they ask, is self_service's."""
    policy = _policy(session)
    steps = plan(policy)
    erased: dict[str, int] = {}
    if person_id is not None:
        for step in steps:
            rows = _count(session, step, person_id)
            for column in step.emptied if rows else ():
                key = resolve(policy, step.holding.columns[column]) or "unknown"
                erased[key] = max(erased.get(key, 0), rows)
    kept = _kept(session, policy, steps, person_id) if person_id else []
    holds = (
        [held.describe(h) for h in held.person_held(session, policy, person_id)]
        if person_id
        else []
    )
    return Preview(reference, dict(sorted(erased.items())), kept, holds)


def runs_on(session: Session, request: RightsRequest) -> datetime:
    """When the erasure runs if approved now: once the policy's grace period is over, and
    always a day before the request's deadline."""
    now = clock.now()
    grace_ends = _policy(session).requests.erasure_grace.after(now)
    return max(now, min(grace_ends, request.due_at - timedelta(days=1)))


def approve(session: Session, settings: Settings, officer: Actor, request_id: str) -> datetime:
    """Schedule the erasure after the grace period (always before the deadline)."""
    require_officer(officer)
    request = _erasure(session, request_id)
    if request.status != "open":
        raise Conflict("Only an open, verified erasure request can be approved.")
    request.scheduled_for = runs_on(session, request)
    request.status = "scheduled"
    request.handled_by = officer.account_id
    event(session, request, "erasure_scheduled", officer)
    address = request.email
    reference = request.reference
    when = request.scheduled_for
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            f"Your erasure request {reference} is scheduled",
            f"We will erase your data on {local_for(session, request.person_id).moment_zoned(when)}. "
            "Until then you can cancel "
            "it in the privacy center, signed in, or by replying to this message.",
        )
    return when


def cancel(session: Session, settings: Settings, actor: Actor, request_id: str) -> None:
    """Cancel a scheduled erasure during its grace: the officer, or the person signed in."""
    request = get_request(session, request_id)
    own = actor.person_id is not None and actor.person_id == request.person_id
    if actor.role not in OFFICER_ROLES and not own:
        raise Forbidden("Only the privacy officer or the person can cancel this erasure.")
    if request.kind not in ERASURE_KINDS or request.status != "scheduled":
        raise Conflict("Only a scheduled erasure can be cancelled, before it starts.")
    request.status = "cancelled"
    request.outcome = "cancelled"
    request.completed_at = clock.now()
    event(session, request, "erasure_cancelled", actor)
    address, reference = request.email, request.reference
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            f"Your erasure request {reference} is cancelled",
            "The erasure was cancelled; your data stays as it was.",
        )


def run_due(
    runtime: Runtime[Vault, Policy],
    progress: Progress | None = None,
    batch: int = BATCH,
) -> int:
    """Erase every request whose grace is over, or that a crash left half done."""
    policy = runtime.policy
    with runtime.session() as session:
        due = list(
            session.scalars(
                select(RightsRequest.id)
                .where(
                    RightsRequest.kind.in_(ERASURE_KINDS),
                    (RightsRequest.status == "erasing")
                    | (
                        (RightsRequest.status == "scheduled")
                        & (RightsRequest.scheduled_for <= clock.now())
                    ),
                )
                .order_by(RightsRequest.scheduled_for)
            )
        )
        waiting = {r for r in due if _held(session, policy, r)}
    for request_id in due:
        if request_id not in waiting:
            erase(runtime, request_id, progress, batch)
    return len(due) - len(waiting)


def _held(session: Session, policy: Policy, request_id: str) -> bool:
    """A legal hold over the person's data postpones their erasure (T2) until it is released;
    the preview names the hold."""
    request = get_request(session, request_id)
    if request.person_id is None or request.status == "erasing":
        return False  # one already under way finishes: the hold came after it started
    if held.person_held(session, policy, request.person_id):
        log.info("erasure %s waits for a legal hold", request_id)
        return True
    return False


def erase(
    runtime: Runtime[Vault, Policy],
    request_id: str,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> None:
    steps = plan(runtime.policy)  # fails closed before anything is touched
    with runtime.session() as session:
        request = get_request(session, request_id)
        person_id, reference = request.person_id, request.reference
        if request.status == "scheduled":
            request.status = "erasing"
            event(session, request, "erasure_started")
            if person_id:
                categories = sorted({c for s in steps for c in s.holding.columns.values()})
                check(session, SYSTEM, RIGHTS, PersonState(person_id), categories, action="erase")
            session.commit()
    if person_id:
        _remove_rows(runtime, steps, person_id, reference, progress, batch)
    _finish(runtime, steps, request_id)


def wipe_person(
    runtime: Runtime[Vault, Policy],
    person_id: str,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> None:
    """Erase one person's data without a request (retention, after their account closed):
    the same steps, the last one audited as retention's. Resumes after a crash."""
    policy = runtime.policy
    steps = plan(policy)
    _remove_rows(runtime, steps, person_id, "retention", progress, batch)
    with runtime.session() as session:
        categories = sorted(
            {resolve(policy, c) or c for s in steps for c in s.holding.columns.values()}
        )
        record(
            session,
            SYSTEM,
            "erase",
            purpose="retention",
            person_id=person_id,
            categories=categories,
        )
        _seal_off(session, runtime.vault, steps, person_id)
        session.commit()


def _remove_rows(
    runtime: Runtime[Vault, Policy],
    steps: list[Step],
    person_id: str,
    reference: str,
    progress: Progress | None,
    batch: int,
) -> None:
    """Mask the person where others' rows name them, then delete their rows, in batches."""
    with runtime.session() as session:
        person = session.get(Person, person_id)
        said = [v for v in (person.name, person.email, person.phone) if v] if person else []
    _in_batches(
        runtime,
        reference,
        "mentions",
        progress,
        lambda s: steps_.mask_batch(s, person_id, said, batch),
    )
    for step in steps:
        if step.mode in ("delete", "request_files"):
            _delete_all(runtime, step, person_id, reference, progress, batch)


def _seal_off(session: Session, vault: Vault, steps: list[Step], person_id: str) -> None:
    """The last step, in the caller's transaction: links cleared, Person and Account left as
    tombstones, what the law keeps re-sealed under a new key and the old key destroyed."""
    steps_.clear_links(session, person_id)
    steps_.tombstone(session, steps, person_id)
    steps_.rekey(session, vault, steps, person_id)


def _in_batches(
    runtime: Runtime[Vault, Policy],
    reference: str,
    label: str,
    progress: Progress | None,
    work: Callable[[Session], int],
) -> None:
    while True:
        with runtime.session() as session:
            done = work(session)
            session.commit()
        if progress and done:
            progress(reference, label, done)
        if not done:
            return


def _delete_all(
    runtime: Runtime[Vault, Policy],
    step: Step,
    person_id: str,
    reference: str,
    progress: Progress | None,
    batch: int,
) -> None:
    while True:
        with runtime.session() as session:
            done, on_disk = steps_.delete_batch(session, step, person_id, batch)
            session.commit()
        for kind, file_id in on_disk:  # after the commit: a crash leaves only sealed bytes
            files.remove(runtime.settings.files_dir, kind, file_id)
        if progress and done:
            progress(reference, step.table.name, done)
        if not done:
            return


def _finish(
    runtime: Runtime[Vault, Policy],
    steps: list[Step],
    request_id: str,
) -> None:
    policy = runtime.policy
    with runtime.session() as session:
        request = get_request(session, request_id)
        person_id, address, reference = request.person_id, request.email, request.reference
        kept = _kept(session, policy, steps, person_id) if person_id else []
        if person_id:
            _seal_off(session, runtime.vault, steps, person_id)
            _notify(session, request, person_id, steps, policy)
        answer = _answer(reference, kept, person_id is not None)
        request.answer = answer
        request.status = "done"
        request.outcome = ("partly_fulfilled" if kept else "fulfilled") if person_id else "no_data"
        request.completed_at = clock.now()
        event(session, request, "erasure_done")
        session.commit()
    if address:
        with runtime.session() as session:
            mail_quietly(
                session, runtime.settings, address, f"Your request {reference} is done", answer
            )
    log.info("erasure %s done", request_id)


def _notify(
    session: Session, request: RightsRequest, person_id: str, steps: list[Step], policy: Policy
) -> None:
    categories = sorted(
        {resolve(policy, c) or c for s in steps for c in s.holding.columns.values()}
    )
    recipients.notify(session, request, person_id, "erasure", categories)


def _answer(reference: str, kept: list[Kept], found: bool) -> str:
    if not found:
        return f"Your erasure request {reference} is done: we hold no data about you."
    lines = [f"Your erasure request {reference} is done: we erased your data."]
    if kept:
        lines.append("The law requires us to keep the following, sealed and used for nothing else:")
        for item in kept:
            until = f"until {item.until:%Y-%m-%d}" if item.until else "for its legal period"
            lines.append(f"- {item.name} ({item.rows} records): {item.reason}; kept {until}.")
    return "\n".join(lines)
