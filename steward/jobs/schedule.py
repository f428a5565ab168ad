"""The declared schedule (name -> APScheduler trigger and job kind) and enqueuing what is due.

Each scheduled job's next slot is kept in `job_schedules`. When it has come, the worker that
moves it forward (a compare-and-set, so only one of several does) enqueues one job keyed
`name@slot`; slots missed while no worker ran collapse into that one run. On a fresh
database a schedule starts at its first slot from now. Times are UTC.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.settings import Settings
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
    "transfer.due": Entry(_daily(6), "transfer.due"),
    "watch.run": Entry(_every(5), "watch.run"),
}


# Each week, after Sunday's backup: the restore test of the newest (X5).
RESTORE_TEST = Entry(CronTrigger(day_of_week="sun", hour=5, minute=0, timezone=UTC), "backup.test")


def entries(settings: Settings) -> dict[str, Entry]:
    """The schedule under `settings`: SCHEDULE, and the backups and their weekly restore
    test unless STEWARD_BACKUP_SCHEDULE is off."""
    if settings.backup_schedule == "off":
        return dict(SCHEDULE)
    backups = CronTrigger.from_crontab(settings.backup_schedule, timezone=UTC)
    return {
        **SCHEDULE,
        "backup.create": Entry(backups, "backup.create"),
        "backup.test": RESTORE_TEST,
    }


def first_slot(trigger: Any, at_or_after: datetime) -> datetime:
    slot: datetime = trigger.get_next_fire_time(None, at_or_after)
    return slot


def enqueue_due(session: Session, scheduled: Mapping[str, Entry]) -> list[str]:
    """Enqueue each job of `scheduled` whose slot has come; returns the names enqueued."""
    now = clock.now()
    enqueued = []
    for name, entry in scheduled.items():
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
