"""One worker process of the two-workers test: it adds the kind `test.record`, whose handler
writes the job's number and this worker's id to `job_runs`, says "ready", waits for a line on
stdin, runs `run_due` and prints its summary.

    python -m tests.jobs.recording_worker DATABASE_URL POLICY KEY_FILE WORKER_ID
"""

import sys
from pathlib import Path

from sqlalchemy import text

from steward.core.db import make_engine, make_sessionmaker, release, transaction
from steward.core.settings import Settings
from steward.jobs.handlers import JobContext, register
from steward.jobs.worker import run_due
from steward.policy.service import read_active
from steward.vault.keyring import Keyring
from steward.vault.service import Vault


def main(database_url: str, policy: str, key_file: str, worker_id: str) -> None:
    settings = Settings(database_url=database_url, policy=Path(policy), key_file=Path(key_file))
    engine = make_engine(database_url)
    ctx = JobContext(
        make_sessionmaker(engine),
        Vault(Keyring.load(settings.key_file)),
        settings,
        read_active(settings.policy).policy,
    )

    def record(ctx: JobContext, payload: dict) -> None:
        with transaction(ctx.sessions) as session:
            session.execute(
                text("INSERT INTO job_runs (n, worker) VALUES (:n, :worker)"),
                {"n": payload["n"], "worker": worker_id},
            )

    register("test.record", record)
    print("ready", flush=True)
    sys.stdin.readline()
    print(run_due(ctx, worker_id), flush=True)
    release(engine)


if __name__ == "__main__":
    main(*sys.argv[1:])
