"""The schedule: each slot is enqueued once whoever asks, slots missed while no worker ran
collapse into one run, a fresh database waits for each schedule's next slot, and the backups
follow their settings."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from steward.core import clock
from steward.core.db import transaction
from steward.jobs.models import JobSchedule
from steward.jobs.schedule import SCHEDULE, enqueue_due, entries, first_slot
from tests.jobs.conftest import jobs, one_job

START = datetime(2031, 3, 4, 6, 50, 10, tzinfo=UTC)


def next_slots(ctx) -> dict[str, datetime]:
    with ctx.sessions() as session:
        rows = session.execute(select(JobSchedule.name, JobSchedule.next_at))
        return {name: at for name, at in rows}


def due_now(ctx) -> list[str]:
    with transaction(ctx.sessions) as session:
        return enqueue_due(session, entries(ctx.settings))


def test_a_fresh_database_waits_for_each_schedules_next_slot(ctx):
    with clock.frozen_at(START):
        assert due_now(ctx) == []
    assert jobs(ctx) == []
    slots = next_slots(ctx)
    assert slots["rights.run"] == datetime(2031, 3, 4, 6, 55, tzinfo=UTC)
    assert slots["rights.digest"] == datetime(2031, 3, 4, 7, 0, tzinfo=UTC)
    assert slots["audit.checkpoint"] == datetime(2031, 3, 4, 7, 0, tzinfo=UTC)  # every 15 min
    assert slots["backup.create"] == datetime(2031, 3, 5, 1, 30, tzinfo=UTC)
    assert slots["backup.test"] == datetime(2031, 3, 9, 5, 0, tzinfo=UTC)  # Sunday
    assert set(slots) == {*SCHEDULE, "backup.create", "backup.test"}


def test_a_due_slot_is_enqueued_once_whoever_asks(ctx):
    with clock.frozen_at(START):
        due_now(ctx)
        clock.advance(timedelta(minutes=10))  # 07:00:10
        first = due_now(ctx)
        second = due_now(ctx)  # another worker, a moment later
    assert sorted(first) == [
        "audit.checkpoint",
        "calls.held_recordings",
        "rights.digest",
        "rights.run",
        "watch.run",
    ]
    assert second == []
    assert one_job(ctx, "rights.digest").dedupe_key == "rights.digest@2031-03-04T07:00+00:00"
    assert next_slots(ctx)["rights.digest"] == datetime(2031, 3, 5, 7, 0, tzinfo=UTC)


def test_slots_missed_while_no_worker_ran_collapse_into_one_run(ctx):
    with clock.frozen_at(START):
        due_now(ctx)
        clock.advance(timedelta(days=3))  # 2031-03-07 06:50:10, a Friday
        assert sorted(due_now(ctx)) == sorted([*SCHEDULE, "backup.create"])
    assert [job.kind for job in jobs(ctx)].count("rights.digest") == 1
    assert len(jobs(ctx, "rights.run")) == 1
    slots = next_slots(ctx)
    assert slots["rights.digest"] == datetime(2031, 3, 7, 7, 0, tzinfo=UTC)
    assert slots["rights.run"] == datetime(2031, 3, 7, 6, 55, tzinfo=UTC)


def test_backups_follow_their_schedule_setting_and_stop_when_it_is_off(ctx):
    every_six_hours = ctx.settings.model_copy(update={"backup_schedule": "0 */6 * * *"})
    with clock.frozen_at(START):
        assert first_slot(entries(every_six_hours)["backup.create"].trigger, clock.now()) == (
            datetime(2031, 3, 4, 12, 0, tzinfo=UTC)
        )
    off = ctx.settings.model_copy(update={"backup_schedule": "off"})
    assert set(entries(off)) == set(SCHEDULE)
