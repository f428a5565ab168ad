"""`steward worker`, run as an operator runs it: `--once` from cron (each scheduled slot runs
once), and the long-running worker, which stops cleanly on SIGTERM."""

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from steward.audit.models import AuditCheckpoint
from steward.core import clock
from steward.core.db import release, transaction
from steward.jobs.queue import enqueue
from steward.rights.common import new_reference
from steward.rights.models import RightsRequest
from tests.jobs.conftest import one_job, something_audited
from tests.people import process_environment
from tests.rights.intake_kit import steward

STEWARD = str(Path(sys.executable).parent / "steward")
NOTHING = "ran 0 jobs: 0 done, 0 to retry, 0 failed"


def checkpoints(ctx) -> int:
    with ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0


def test_the_worker_command_has_help(identity_settings):
    result = steward(identity_settings, "worker", "--help")
    assert result.exit_code == 0
    assert "--once" in result.output and "--poll" in result.output


def test_the_worker_exits_1_with_the_reason_when_it_cannot_start(identity_settings):
    identity_settings.key_file.unlink()
    result = steward(identity_settings, "worker", "--once")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "ran " not in result.output


def test_once_signs_a_checkpoint_once_in_its_slot(ctx, identity_settings):
    something_audited(ctx)
    with clock.frozen_at(datetime(2031, 3, 4, 0, 30, 10, tzinfo=UTC)):
        first = steward(identity_settings, "worker", "--once")
        assert first.exit_code == 0, first.output
        assert first.output.strip() == NOTHING
        clock.advance(timedelta(minutes=30))  # 01:00:10: the checkpoint's slot, rights.run's
        due = steward(identity_settings, "worker", "--once")  # calls.held_recordings', watch.run's
        assert due.output.strip() == "ran 4 jobs: 4 done, 0 to retry, 0 failed"
        again = steward(identity_settings, "worker", "--once")
        assert again.output.strip() == NOTHING
    assert checkpoints(ctx) == 1


def test_once_mails_the_digest_once_in_its_slot(ctx, identity_settings, mailbox):
    start = datetime(2031, 3, 4, 6, 50, 10, tzinfo=UTC)
    with clock.frozen_at(start):
        with ctx.session() as session:
            session.add(
                RightsRequest(
                    reference=new_reference(),
                    kind="access",
                    channel="api",
                    status="open",
                    email="ada@example.com",
                    received_at=start,
                    verified_at=start,
                    due_at=start + timedelta(days=30),
                )
            )
            session.commit()
        assert steward(identity_settings, "worker", "--once").output.strip() == NOTHING
        clock.advance(timedelta(minutes=10))  # 07:00:10: the digest, rights.run, the
        due = steward(identity_settings, "worker", "--once")  # checkpoint, held recordings, watch
        assert due.output.strip() == "ran 5 jobs: 5 done, 0 to retry, 0 failed"
        clock.advance(timedelta(minutes=1))
        steward(identity_settings, "worker", "--once")
    digests = [m for m in mailbox.messages if m["Subject"] == "Rights requests: 1 open"]
    assert [m["To"] for m in digests] == ["privacy@houstongeneratorcompany.com"]


def test_a_job_queued_before_a_restart_runs_in_a_new_process(ctx, identity_settings):
    something_audited(ctx)
    with transaction(ctx.sessions) as session:
        enqueue(session, "audit.checkpoint")
    release(ctx.sessions.kw["bind"])  # nothing of the process that queued it is left open
    result = subprocess.run(
        [STEWARD, "worker", "--once"],
        env=process_environment(identity_settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ran 1 job: 1 done, 0 to retry, 0 failed"
    assert checkpoints(ctx) == 1


def test_the_worker_runs_jobs_as_they_come_and_stops_cleanly_on_sigterm(ctx, identity_settings):
    something_audited(ctx)
    worker = subprocess.Popen(
        [STEWARD, "worker", "--poll", "1"],
        env=process_environment(identity_settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = worker.stdout.readline()
        assert started.startswith("Steward worker ")
        assert started.endswith(" polling every 1 s (Ctrl+C to stop)\n")
        with transaction(ctx.sessions) as session:
            enqueue(session, "audit.checkpoint")
        deadline = time.monotonic() + 60
        while one_job(ctx, "audit.checkpoint").state != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        rest, errors = worker.communicate(timeout=60)
    assert one_job(ctx, "audit.checkpoint").state == "done"
    assert worker.returncode == 0
    assert (rest, errors) == ("", "")
