"""The queue: enqueue a job, claim the oldest due one under a lease, complete it or fail it.

Every function works in the caller's session and transaction; the worker gives each claim
and each completion a short transaction of its own. A claim is one `UPDATE ... RETURNING`
over a `SELECT ... FOR UPDATE SKIP LOCKED`: on PostgreSQL two workers never take the same
row, and on SQLite the write comes first, which takes its database-wide lock before reading.
A job whose worker died keeps state `running` until its lease ends, then is taken again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.errors import DomainError
from steward.core.ids import new_id
from steward.jobs.models import Job

LEASE = timedelta(minutes=30)  # longer than any job runs; a worker killed mid-job frees it then
FIRST_RETRY = timedelta(seconds=30)  # then 1, 2, 4 minutes... doubling
LONGEST_RETRY = timedelta(hours=1)
KEEP_FINISHED = timedelta(days=30)


@dataclass(frozen=True)
class Claimed:
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # this one included


def insert_ignoring_conflicts(session: Session, model: type[Any]) -> Any:
    """An INSERT that does nothing when a unique key is already taken, on either backend."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> str | None:
    """Queue a job (now, or at `run_at`); returns its id, or None when a job with the same
    `dedupe_key` exists already. The payload holds ids, never personal data."""
    now = clock.now()
    statement = insert_ignoring_conflicts(session, Job).values(
        id=new_id(),
        kind=kind,
        payload=payload or {},
        dedupe_key=dedupe_key,
        state="queued",
        run_at=run_at or now,
        attempts=0,
        max_attempts=max_attempts,
        created_at=now,
    )
    found: str | None = session.execute(statement.returning(Job.id)).scalar()
    return found


def claim(session: Session, worker_id: str, lease: timedelta = LEASE) -> Claimed | None:
    """Take the oldest due job: queued and due, or running under a lease that has ended."""
    now = clock.now()
    due = or_(
        and_(Job.state == "queued", Job.run_at <= now),
        and_(Job.state == "running", Job.locked_until <= now),
    )
    oldest = (
        select(Job.id)
        .where(due)
        .order_by(Job.run_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    taken = session.execute(
        update(Job)
        .where(Job.id == oldest)
        .values(
            state="running",
            attempts=Job.attempts + 1,
            locked_by=worker_id,
            locked_until=now + lease,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    return None if taken is None else Claimed(*taken)


def complete(session: Session, job_id: str, worker_id: str) -> bool:
    """Mark the job done; False when its lease ended and another worker has taken it."""
    now = clock.now()
    return _finish(session, job_id, worker_id, state="done", finished_at=now, last_error=None)


def fail(session: Session, job_id: str, worker_id: str, error: Exception) -> str:
    """Queue the job again after a back-off, or mark it failed after its last attempt.
    Returns the state it is left in ("queued", "failed"; "" when another worker has it)."""
    job = session.get(Job, job_id)
    if job is None or job.state != "running" or job.locked_by != worker_id:
        return ""
    now, error_text = clock.now(), describe(error)
    if job.attempts >= job.max_attempts:
        _finish(session, job_id, worker_id, state="failed", finished_at=now, last_error=error_text)
        return "failed"
    retry_at = now + backoff(job.attempts)
    _finish(session, job_id, worker_id, state="queued", run_at=retry_at, last_error=error_text)
    return "queued"


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min...,
    at most an hour."""
    doublings = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def describe(error: Exception) -> str:
    """What is stored of an error: its class, and the message of a domain error only (other
    messages can quote personal data)."""
    name = type(error).__name__
    return (f"{name}: {error.message}" if isinstance(error, DomainError) else name)[:500]


def abandon_expired(session: Session) -> int:
    """Mark failed every job whose lease ended on its last attempt (its worker died each time),
    so it is not taken again forever."""
    return bulk_change(
        session,
        update(Job)
        .where(
            Job.state == "running",
            Job.locked_until <= clock.now(),
            Job.attempts >= Job.max_attempts,
        )
        .values(state="failed", finished_at=clock.now(), last_error="LeaseExpired"),
    )


def prune(session: Session, keep: timedelta = KEEP_FINISHED) -> int:
    """Delete jobs finished (done or failed) longer than `keep` ago."""
    return bulk_change(session, delete(Job).where(Job.finished_at < clock.now() - keep))


def _finish(session: Session, job_id: str, worker_id: str, **changes: Any) -> bool:
    mine = (Job.id == job_id, Job.state == "running", Job.locked_by == worker_id)
    return bulk_change(session, update(Job).where(*mine).values(locked_until=None, **changes)) == 1


def bulk_change(session: Session, statement: Update | Delete) -> int:
    """Run a bulk UPDATE or DELETE (no ORM objects to keep in step); how many rows it hit."""
    options = {"synchronize_session": False}
    result = cast("CursorResult[Any]", session.execute(statement, execution_options=options))
    return result.rowcount
