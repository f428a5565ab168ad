"""Dependencies shared by routes: one database session per request, opened by the app's
runtime (the vault and the active policy attached)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from steward.access.gate import Refused, record_refusal


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work; services commit it, and its unwrapped keys die with it."""
    with request.app.state.runtime.session() as session:
        try:
            yield session
        except Refused as refused:
            session.rollback()  # nothing of the refused request is kept...
            record_refusal(session, refused)  # ...but the refusal itself is
            raise


SessionDep = Annotated[Session, Depends(get_session)]
