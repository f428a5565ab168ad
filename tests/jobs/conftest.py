"""Fixtures for the worker's tests: a job context on the test's database, kinds of job added
for a test only, and a look at the jobs table."""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from steward.audit.service import record
from steward.core.actor import SYSTEM
from steward.core.db import make_engine, make_sessionmaker, release, transaction
from steward.core.settings import Settings
from steward.jobs import handlers
from steward.jobs.handlers import Handler, JobContext
from steward.jobs.models import Job
from steward.policy.service import read_active
from steward.vault.keyring import Keyring
from steward.vault.service import Vault


@pytest.fixture
def ctx(identity_settings: Settings) -> Iterator[JobContext]:
    """What `steward worker` builds: sessions, vault, settings, active policy."""
    engine = make_engine(identity_settings.database_url)
    yield JobContext(
        make_sessionmaker(engine),
        Vault(Keyring.load(identity_settings.key_file)),
        identity_settings,
        read_active(identity_settings.policy).policy,
    )
    release(engine)


@pytest.fixture
def kind() -> Iterator[Callable[[str, Handler], str]]:
    """Register a kind of job for this test only; returns the kind."""
    added: list[str] = []

    def add(name: str, handler: Handler) -> str:
        handlers.register(name, handler)
        added.append(name)
        return name

    yield add
    for name in added:
        handlers.HANDLERS.pop(name, None)


def jobs(ctx: JobContext, kind: str | None = None) -> list[Job]:
    """The jobs (of `kind`), oldest first."""
    with ctx.sessions() as session:
        query = select(Job).order_by(Job.created_at, Job.id)
        if kind is not None:
            query = query.where(Job.kind == kind)
        return list(session.scalars(query))


def one_job(ctx: JobContext, kind: str) -> Job:
    [found] = jobs(ctx, kind)
    return found


def something_audited(ctx: JobContext) -> None:
    """One entry in the audit trail, so a checkpoint has something to sign."""
    with transaction(ctx.sessions) as session:
        record(session, SYSTEM, "read")
