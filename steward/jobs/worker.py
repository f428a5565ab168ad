"""The worker: `run_due` enqueues the scheduled jobs whose slot has come, then runs queued jobs
until none is due; `serve` calls it every few seconds under APScheduler until stopped.

Each job is claimed in a short transaction, run, then completed or failed in another, so a
job's own work is never rolled back with the queue's bookkeeping. Logs name a job's kind and
id, never its payload.
"""

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import UTC

from steward.audit.sequencer import sequence
from steward.core import clock
from steward.core.db import transaction
from steward.jobs import queue, schedule
from steward.jobs.handlers import JobContext, handler_for

log = logging.getLogger("steward.jobs")


@dataclass
class Summary:
    done: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.retrying + self.failed

    def __str__(self) -> str:
        jobs = "job" if self.ran == 1 else "jobs"
        return (
            f"ran {self.ran} {jobs}: {self.done} done, {self.retrying} to retry, "
            f"{self.failed} failed"
        )


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run_due(
    ctx: JobContext,
    worker_id: str,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> Summary:
    """Enqueue the scheduled jobs whose slot has come, then run queued jobs until none is due
    (or `limit` have run, or `stop` is set)."""
    summary = Summary()
    sequence(ctx.engine, ctx.vault.keyring.signing_key)  # every poll, not only on a schedule
    with transaction(ctx.sessions) as session:
        queue.abandon_expired(session)
        schedule.enqueue_due(session, schedule.entries(ctx.settings))
    while (limit is None or summary.ran < limit) and not (stop is not None and stop.is_set()):
        with transaction(ctx.sessions) as session:
            job = queue.claim(session, worker_id)
        if job is None:
            break
        try:
            handler_for(job.kind)(ctx, job.payload)
        except Exception as error:
            with transaction(ctx.sessions) as session:
                state = queue.fail(session, job.id, worker_id, error)
            if state == "failed":
                summary.failed += 1
            else:
                summary.retrying += 1
            name = type(error).__name__
            log.warning("job %s (%s) attempt %d failed: %s", job.id, job.kind, job.attempts, name)
        else:
            with transaction(ctx.sessions) as session:
                queue.complete(session, job.id, worker_id)
            summary.done += 1
            log.info("job %s (%s) done", job.id, job.kind)
    return summary


def serve(ctx: JobContext, poll_seconds: float, worker_id: str) -> None:
    """Run `run_due` every `poll_seconds` until SIGTERM or Ctrl+C; the job running then is
    finished first (a second Ctrl+C abandons it, and its lease frees it for another worker)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    stop = threading.Event()

    def poll() -> None:
        try:
            run_due(ctx, worker_id, stop=stop)
        except Exception as error:  # the database away, say: try again at the next poll
            log.error("worker poll failed: %s", type(error).__name__)

    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "skipped: still running" etc.
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        poll,
        IntervalTrigger(seconds=poll_seconds, timezone=UTC),
        next_run_time=clock.now(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops like Ctrl+C
    try:
        scheduler.start()
    except KeyboardInterrupt:
        stop.set()
        scheduler.shutdown(wait=True)
