"""The declared schedule (name -> APScheduler trigger and job kind) and enqueuing what is due.

Each scheduled job's next slot is kept in `job_schedules`. When it has come, the worker that
moves it forward (a compare-and-set, so only one of several does) enqueues one job keyed
`name@slot`; slots missed while no worker ran collapse into that one run. On a fresh
database a schedule starts at its first slot from now. Times are UTC.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.core import clock
from steward.jobs.models import JobSchedule
from steward.jobs.queue import bulk_change, enqueue, insert_ignoring_conflicts

# Interval slots count from a fixed moment, so every worker computes the same ones.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Entry(NamedTuple):
    trigger: Any  # an APScheduler trigger
    kind: str


def _every(minutes: int) -> IntervalTrigger:
    return IntervalTrigger(minutes=minutes, start_date=EPOCH, timezone=UTC)


def _daily(hour: int) -> CronTrigger:
    return CronTrigger(hour=hour, minute=0, timezone=UTC)


SCHEDULE: dict[str, Entry] = {
    "rights.run": Entry(_every(5), "rights.run"),
    "audit.checkpoint": Entry(_every(15), "audit.checkpoint"),
    "retention.sweep": Entry(_daily(2), "retention.sweep"),
    "accounts.stale": Entry(_daily(3), "accounts.stale"),
    "jobs.prune": Entry(_daily(4), "jobs.prune"),
    "rights.digest": Entry(_daily(7), "rights.digest"),
    "calls.held_recordings": Entry(_every(15), "calls.held_recordings"),
}


def first_slot(trigger: Any, at_or_after: datetime) -> datetime:
    slot: datetime = trigger.get_next_fire_time(None, at_or_after)
    return slot


def enqueue_due(session: Session) -> list[str]:
    """Enqueue each scheduled job whose slot has come; returns the names enqueued."""
    now = clock.now()
    enqueued = []
    for name, entry in SCHEDULE.items():
        # A write first: on SQLite it takes the lock the compare-and-set below needs.
        session.execute(
            insert_ignoring_conflicts(session, JobSchedule).values(
                name=name, next_at=first_slot(entry.trigger, now)
            )
        )
        slot = session.scalars(select(JobSchedule.next_at).where(JobSchedule.name == name)).one()
        if slot > now:
            continue
        following = first_slot(entry.trigger, now + timedelta(microseconds=1))
        moved = bulk_change(
            session,
            update(JobSchedule)
            .where(JobSchedule.name == name, JobSchedule.next_at == slot)
            .values(next_at=following),
        )
        if moved == 1:
            key = f"{name}@{slot.isoformat(timespec='minutes')}"
            if enqueue(session, entry.kind, dedupe_key=key) is not None:
                enqueued.append(name)
    return enqueued
