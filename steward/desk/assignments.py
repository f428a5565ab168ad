"""Who works a ticket: an assignee must be an account with a role the policy gives the
support purpose, and an account leaving the desk hands its open tickets on (or back to the
queue), with an event each."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.access.gate import check_role, roles_of
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.desk.common import ADMINISTRATION, SUPPORT
from steward.desk.messages import record_change
from steward.desk.models import Ticket
from steward.identity.models import Account


def check_assignee(session: Session, account_id: str) -> None:
    found = session.execute(
        select(Account.role, Account.status).where(Account.id == account_id)
    ).first()
    if found is None or found.role not in roles_of(session, SUPPORT) or found.status != "active":
        raise Invalid("The assignee must be an active agent or admin account.")


def release_assignments(
    session: Session, actor: Actor, account_id: str, reassign_to: str | None = None
) -> int:
    """An account leaves the desk (disabled, or no longer an agent or admin): its tickets
    that are not closed go to `reassign_to` or back to the queue, with an event each.
    Nothing else changes: customers' tickets and messages stay. Takes part in the caller's
    transaction (the account change commits both); returns how many moved."""
    check_role(session, actor, "reassign tickets", ADMINISTRATION)
    if reassign_to is not None:
        if reassign_to == account_id:
            raise Invalid("Reassign the tickets to another account than the one leaving.")
        check_assignee(session, reassign_to)
    ids = list(
        session.scalars(
            select(Ticket.id).where(Ticket.assignee_id == account_id, Ticket.status != "closed")
        )
    )
    for ticket_id in ids:
        record_change(session, actor, ticket_id, "assignee", account_id, reassign_to)
    if ids:
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(assignee_id=reassign_to, updated_at=clock.now())
        )
    return len(ids)
