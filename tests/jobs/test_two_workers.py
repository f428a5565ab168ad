"""Several workers on PostgreSQL: each queued job runs exactly once (FOR UPDATE SKIP LOCKED)."""

import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import text

from steward.core.db import transaction
from steward.jobs.queue import enqueue
from tests.conftest import ROOT
from tests.jobs.conftest import jobs

JOBS = 1000


def test_two_workers_on_postgresql_process_1000_queued_jobs_exactly_once_each(
    ctx, identity_settings
):
    if not identity_settings.database_url.startswith("postgresql"):
        pytest.skip("one worker runs on SQLite: its writers take turns on one database lock")
    with transaction(ctx.sessions) as session:
        session.execute(text("CREATE TABLE job_runs (n integer NOT NULL, worker text NOT NULL)"))
        for n in range(JOBS):
            enqueue(session, "test.record", {"n": n})

    where = [identity_settings.database_url, identity_settings.policy, identity_settings.key_file]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.recording_worker", *map(str, where), worker_id],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for worker_id in ("worker-1", "worker-2")
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline() == "ready\n"
        for worker in workers:  # go together
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    with ctx.sessions() as session:
        runs = session.execute(text("SELECT n, worker FROM job_runs")).all()
    assert sorted(n for n, _ in runs) == list(range(JOBS))  # each once: none missed, none twice
    by_worker = Counter(worker for _, worker in runs)
    assert set(by_worker) == {"worker-1", "worker-2"}, by_worker
    recorded = jobs(ctx, "test.record")
    assert {(job.state, job.attempts) for job in recorded} == {("done", 1)}
    assert Counter(job.locked_by for job in recorded) == by_worker
