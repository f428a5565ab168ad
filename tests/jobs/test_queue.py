"""The queue: jobs are taken oldest first, once; failures are retried with back-off and end
failed after the last attempt; a dead worker's job is taken again when its lease ends."""

from datetime import UTC, datetime, timedelta

from steward.core import clock
from steward.core.db import transaction
from steward.core.errors import Conflict
from steward.jobs.queue import LEASE, claim, complete, enqueue, prune
from steward.jobs.worker import run_due
from tests.jobs.conftest import jobs, one_job

START = datetime(2031, 3, 4, 10, 0, 10, tzinfo=UTC)  # between two slots of every schedule


def noted(into: list):
    def handler(ctx, payload):
        into.append(payload["n"])

    return handler


def broken(ctx, payload):
    raise RuntimeError("boom")


def test_a_job_whose_dedupe_key_is_taken_is_not_enqueued_again(ctx):
    with clock.frozen_at(START), transaction(ctx.sessions) as session:
        first = enqueue(session, "test.note", {"n": 1}, dedupe_key="test.note@10:00")
        again = enqueue(session, "test.note", {"n": 2}, dedupe_key="test.note@10:00")
        other = enqueue(session, "test.note", {"n": 3})
    assert first is not None and other is not None and again is None
    assert [job.payload for job in jobs(ctx, "test.note")] == [{"n": 1}, {"n": 3}]


def test_claim_takes_the_oldest_due_job_and_leaves_future_ones(ctx):
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            enqueue(session, "test.note", {"n": "later"}, run_at=START + timedelta(hours=1))
            enqueue(session, "test.note", {"n": "second"}, run_at=START)
            enqueue(session, "test.note", {"n": "first"}, run_at=START - timedelta(minutes=1))
        taken = []
        for _ in range(3):
            with transaction(ctx.sessions) as session:
                taken.append(claim(session, "w1"))
    assert [job.payload["n"] for job in taken[:2]] == ["first", "second"]
    assert taken[0].kind == "test.note" and taken[0].attempts == 1
    assert taken[2] is None


def test_a_failing_job_is_retried_with_back_off_then_ends_failed(ctx, kind):
    kind("test.broken", broken)
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            enqueue(session, "test.broken", max_attempts=3)
        assert str(run_due(ctx, "w1")) == "ran 1 job: 0 done, 1 to retry, 0 failed"
        job = one_job(ctx, "test.broken")
        assert (job.state, job.attempts, job.run_at) == ("queued", 1, START + timedelta(seconds=30))

        clock.advance(timedelta(seconds=29))
        assert run_due(ctx, "w1").ran == 0
        clock.advance(timedelta(seconds=1))
        assert str(run_due(ctx, "w1")) == "ran 1 job: 0 done, 1 to retry, 0 failed"
        job = one_job(ctx, "test.broken")
        assert (job.attempts, job.run_at) == (2, clock.now() + timedelta(minutes=1))

        clock.advance(timedelta(minutes=1))
        assert str(run_due(ctx, "w1")) == "ran 1 job: 0 done, 0 to retry, 1 failed"
        job = one_job(ctx, "test.broken")
        assert (job.state, job.attempts, job.last_error) == ("failed", 3, "RuntimeError")
        assert job.finished_at == clock.now()

        clock.advance(timedelta(hours=2))
        run_due(ctx, "w1")
        assert one_job(ctx, "test.broken").attempts == 3  # never taken again


def test_the_error_kept_is_the_class_with_the_message_of_a_domain_error_only(ctx, kind):
    def leaky(ctx, payload):
        raise ValueError("could not mail ada@example.com")

    def refused(ctx, payload):
        raise Conflict("the request is closed already")

    kind("test.leaky", leaky)
    kind("test.refused", refused)
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            for name in ("test.leaky", "test.refused", "test.nobody_handles"):
                enqueue(session, name, max_attempts=1)
        assert str(run_due(ctx, "w1")) == "ran 3 jobs: 0 done, 0 to retry, 3 failed"
    assert one_job(ctx, "test.leaky").last_error == "ValueError"
    assert one_job(ctx, "test.refused").last_error == "Conflict: the request is closed already"
    assert one_job(ctx, "test.nobody_handles").last_error == "UnknownJob"


def test_a_killed_workers_job_is_taken_again_when_its_lease_ends(ctx, kind):
    ran: list[int] = []
    kind("test.note", noted(ran))
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            enqueue(session, "test.note", {"n": 1})
        with transaction(ctx.sessions) as session:
            held = claim(session, "killed")  # and the worker dies here
        assert held is not None
        run_due(ctx, "alive")
        clock.advance(LEASE - timedelta(seconds=1))
        run_due(ctx, "alive")
        assert ran == []

        clock.advance(timedelta(seconds=1))
        run_due(ctx, "alive")
        assert ran == [1]
        job = one_job(ctx, "test.note")
        assert (job.state, job.attempts, job.locked_by) == ("done", 2, "alive")
        with transaction(ctx.sessions) as session:  # the killed worker, back, holds nothing
            assert not complete(session, held.id, "killed")
        assert one_job(ctx, "test.note").locked_by == "alive"


def test_a_job_whose_worker_dies_on_every_attempt_ends_failed(ctx, kind):
    ran: list[int] = []
    kind("test.note", noted(ran))
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            enqueue(session, "test.note", {"n": 1}, max_attempts=2)
        for worker in ("killed-1", "killed-2"):
            with transaction(ctx.sessions) as session:
                assert claim(session, worker) is not None
            clock.advance(LEASE)
        run_due(ctx, "alive")
    job = one_job(ctx, "test.note")
    assert (job.state, job.attempts, job.last_error) == ("failed", 2, "LeaseExpired")
    assert ran == []


def test_jobs_finished_more_than_30_days_ago_are_pruned(ctx, kind):
    kind("test.note", noted([]))
    with clock.frozen_at(START):
        with transaction(ctx.sessions) as session:
            enqueue(session, "test.note", {"n": 1})
            enqueue(session, "test.note", {"n": 2}, run_at=START + timedelta(days=60))
        run_due(ctx, "w1")
        clock.advance(timedelta(days=30))
        with transaction(ctx.sessions) as session:
            assert prune(session) == 0
        clock.advance(timedelta(seconds=1))
        with transaction(ctx.sessions) as session:
            assert prune(session) >= 1
    assert [job.payload for job in jobs(ctx, "test.note")] == [{"n": 2}]
