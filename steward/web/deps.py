"""Dependencies shared by routes: one database session per request, with the vault attached."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work; services commit it, and its unwrapped keys die with it."""
    with request.app.state.sessions() as session:
        request.app.state.vault.attach(session)
        session.info["policy"] = request.app.state.active_policy.policy
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
