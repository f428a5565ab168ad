"""What each kind of job does: kind -> handler(ctx, payload).

A handler calls domain services, which own their transactions; it raises to fail the job
(the worker retries it with back-off). `register` adds a kind (tests use it).
"""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy.orm import Session

from steward.audit.service import write_checkpoint
from steward.backup import drill, generations
from steward.core.db import transaction
from steward.core.errors import Conflict
from steward.core.runtime import Runtime
from steward.core.settings import Settings
from steward.desk import held_recordings
from steward.incidents import alerts, clocks, notices, watch
from steward.jobs import queue
from steward.policy.schema import Policy
from steward.retention import stale, sweep
from steward.rights import deadlines, erasure, recipients
from steward.transfer import service as transfer
from steward.vault.service import Vault

JobContext = Runtime[Vault, Policy]
"""What a job needs: the worker's runtime (the database, the vault, the settings and the
active policy); `ctx.session()` opens a session carrying the vault and the policy."""


Handler = Callable[[JobContext, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


class UnknownJob(Exception):
    """A job of a kind no handler is registered for."""


def register(kind: str, handler: Handler) -> None:
    HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return HANDLERS[kind]
    except KeyError:
        raise UnknownJob(kind) from None


def rights_run(ctx: JobContext, payload: dict[str, Any]) -> None:
    """What `steward rights run` does: lapse unverified requests, carry out due erasures,
    deliver the notices due to processors."""
    with ctx.session() as session:
        deadlines.lapse_unverified(session, ctx.settings)
        erasure.run_due(ctx)
        recipients.deliver_due(session, ctx.settings)


def send_digest(session: Session, settings: Settings) -> int:
    """The privacy officers' daily digest: rights deadlines, incidents due, open alerts and
    the backups' state; how many addresses it went to."""
    backups, warning = drill.digest_lines(session, settings)
    open_alerts = alerts.digest_lines(session)
    return deadlines.digest(
        session,
        settings,
        [*backups, *open_alerts],
        send_anyway=warning or bool(open_alerts),
        incidents=clocks.digest_lines(session),
    )


def rights_digest(ctx: JobContext, payload: dict[str, Any]) -> None:
    with ctx.session() as session:
        send_digest(session, ctx.settings)


def audit_checkpoint(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Sign a checkpoint of the audit trail, kept in the database and outside it."""
    with suppress(Conflict):  # an empty trail: nothing to sign yet, which is no failure
        write_checkpoint(
            ctx.sessions,
            ctx.vault.keyring.signing_key,
            outside=ctx.settings.audit_checkpoints_file,
        )


def jobs_prune(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Delete the jobs finished more than 30 days ago."""
    with transaction(ctx.sessions) as session:
        queue.prune(session)


def calls_held_recordings(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Remove call recordings held for a corrected call form past their hour."""
    held_recordings.drop_expired(ctx.settings)


def backup_create(ctx: JobContext, payload: dict[str, Any]) -> None:
    """A new backup generation in STEWARD_BACKUP_DIR; the oldest beyond the kept number go."""
    with ctx.sessions() as session:
        good = generations.newest_good(session)
    generations.take(ctx.engine, ctx.vault.keyring, ctx.settings, good)


def backup_test(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The weekly restore test of the newest backup; its result is recorded, pass or fail."""
    drill.run(ctx, None, source="worker")


def transfer_due(ctx: JobContext, payload: dict[str, Any]) -> None:
    with ctx.session() as session:
        transfer.remind_when_due(session, ctx.settings)


def retention_sweep(ctx: JobContext, payload: dict[str, Any]) -> None:
    sweep.run(ctx, source="worker")


def accounts_stale(ctx: JobContext, payload: dict[str, Any]) -> None:
    with ctx.session() as session:
        stale.run(session, ctx.settings, ctx.policy)


def incident_notices(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Mail the people's notices of incidents that are due; queue this job again for when
    the next is due (one to retry, or one whose sender died), once per moment."""
    with ctx.session() as session:
        notices.deliver_due(session, ctx.settings)
        due = notices.next_due(session)
        if due is not None:
            key = f"{notices.JOB}@{due.isoformat()}"
            queue.enqueue(session, notices.JOB, {}, run_at=due, dedupe_key=key[:200])
            session.commit()


def watch_run(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Evaluate the watch's rules over what happened since the last run (X4)."""
    with ctx.session() as session:
        watch.run(session, ctx.settings)


register("rights.run", rights_run)
register(notices.JOB, incident_notices)
register("rights.digest", rights_digest)
register("audit.checkpoint", audit_checkpoint)
register("jobs.prune", jobs_prune)
register("retention.sweep", retention_sweep)
register("accounts.stale", accounts_stale)
register("calls.held_recordings", calls_held_recordings)
register("backup.create", backup_create)
register("backup.test", backup_test)
register("transfer.due", transfer_due)
register("watch.run", watch_run)
