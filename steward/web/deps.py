"""Dependencies shared by routes: one database session per request, opened by the app's
runtime (the vault and the active policy attached)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from steward.access.gate import Refused, record_refusal


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work; services commit it, and its unwrapped keys die with it.
    Opening a session touches no database, so it happens here; what does (keeping a refusal,
    closing) runs in a worker thread, as the route's own work does."""
    session = request.app.state.runtime.session()
    try:
        yield session
    except Refused as refused:
        await run_in_threadpool(_keep_refusal, session, refused)
        raise
    finally:
        await run_in_threadpool(session.close)


def _keep_refusal(session: Session, refused: Refused) -> None:
    session.rollback()  # nothing of the refused request is kept...
    record_refusal(session, refused)  # ...but the refusal itself is


SessionDep = Annotated[Session, Depends(get_session)]
