"""JSON API, /api/v1: whether the process is alive (health) and able to serve (ready), for
the proxy, the orchestrator or the monitor in front of it. Both are public and say nothing
but which check failed: no address, no setting, no personal data."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from steward.core.db import at_head
from steward.core.errors import DomainError
from steward.core.runtime import Runtime
from steward.policy.lifecycle import version_by_sha

router = APIRouter(prefix="/api/v1", tags=["operations"])


class NotReady(DomainError):
    status = 503
    title = "Not ready"


@router.get("/health")
async def health() -> dict[str, str]:
    """Alive: answers without touching the database."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "A check failed; the problem names it"}})
async def ready(request: Request) -> dict[str, Any]:
    """Ready to serve: the database answers, its schema is at this Steward's newest migration,
    and the policy this process serves is loaded and recorded there."""
    active = request.app.state.active_policy
    checks = await run_in_threadpool(_checks, request.app.state.runtime, active.sha256)
    if any(result != "ok" for result in checks.values()):
        failed = [name for name, result in checks.items() if result == "failed"]
        raise NotReady(f"Failed: {', '.join(failed)}.")
    return {"status": "ready", "checks": checks}


_PROBES: dict[str, Engine] = {}


def _probe(engine: Engine) -> Engine:
    """An engine that opens a new connection for each check: one the pool kept from before
    an outage (or a SQLite file since moved away) would answer for a database that does not."""
    key = engine.url.render_as_string(hide_password=False)
    if key not in _PROBES:
        _PROBES[key] = create_engine(engine.url, poolclass=NullPool)
    return _PROBES[key]


def _checks(runtime: Runtime[Any, Any], policy_sha256: str) -> dict[str, str]:
    try:
        with _probe(runtime.engine).connect() as connection:
            migrations = at_head(connection)
            if not migrations:  # the policy's table may not be there to ask
                return {"database": "ok", "migrations": "failed", "policy": "unknown"}
            with Session(connection) as session:
                recorded = version_by_sha(session, policy_sha256) is not None
    except SQLAlchemyError:
        return {"database": "failed", "migrations": "unknown", "policy": "unknown"}
    loaded = recorded and runtime.policy is not None
    return {"database": "ok", "migrations": "ok", "policy": "ok" if loaded else "failed"}
