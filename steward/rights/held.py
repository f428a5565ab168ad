"""What a legal hold (T2) covers, for everything that deletes: the retention sweep and the
erasure engine. A hold is in force until the privacy officer releases it, its end date
passed or not. A hold on a person covers their rows; on an organisation, its own rows and
its members'; on a ticket, the ticket and what hangs off it (messages, attachments, calls);
on a category, every row holding that category or a finer one.
"""

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from steward.desk.models import Membership, Ticket
from steward.policy.active import resolve
from steward.policy.schema import Policy
from steward.retention.models import LegalHold
from steward.rights import datamap
from steward.rights.datamap import Holding, holdings


def in_force(session: Session) -> list[LegalHold]:
    return list(
        session.scalars(
            select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.created_at)
        )
    )


def covers(category: str, held: str) -> bool:
    """Whether a hold on category `held` covers data of `category` (itself or finer)."""
    return category == held or category.startswith(held + ".")


def _ticket_number(hold: LegalHold) -> int:
    return int(hold.target) if hold.target.isdigit() else -1


def rows_held(
    hold: LegalHold, holding: Holding, categories: list[str]
) -> ColumnElement[bool] | None:
    """The condition on `holding`'s rows that the hold covers; None when it covers none."""
    table = holding.table
    if holding.subject is None and "request_id" in table.c:  # a request's file: its request's
        request = datamap.holding("rights_requests")
        about = rows_held(hold, request, categories)
        return (
            None
            if about is None
            else table.c.request_id.in_(select(request.table.c.id).where(about))
        )
    subject: Any = table.c[holding.subject] if holding.subject else None
    if hold.scope == "category":
        return true() if any(covers(c, hold.target) for c in categories) else None
    if hold.scope == "person":
        return subject == hold.target if subject is not None else None
    if hold.scope == "organisation":
        members = select(Membership.person_id).where(Membership.organisation_id == hold.target)
        found = [subject == hold.target, subject.in_(members)] if subject is not None else []
        if "organisation_id" in table.c:
            found.append(table.c.organisation_id == hold.target)
        return or_(*found) if found else None
    if hold.scope == "ticket":
        if table.name == "tickets":
            return table.c.id == _ticket_number(hold)
        if "ticket_id" in table.c:
            return table.c.ticket_id == _ticket_number(hold)
    return None


def person_held(session: Session, policy: Policy, person_id: str) -> list[LegalHold]:
    """The holds in force over any of the person's data: deleting them waits for these."""
    return [h for h in in_force(session) if _touches(session, policy, h, person_id)]


def _touches(session: Session, policy: Policy, hold: LegalHold, person_id: str) -> bool:
    if hold.scope == "person":
        return hold.target == person_id
    if hold.scope == "organisation":
        member = select(Membership.id).where(
            Membership.person_id == person_id, Membership.organisation_id == hold.target
        )
        return bool(session.scalar(select(exists(member))))
    if hold.scope == "ticket":
        mine = select(Ticket.id).where(
            Ticket.id == _ticket_number(hold), Ticket.requester_id == person_id
        )
        return bool(session.scalar(select(exists(mine))))
    for holding in holdings():
        if holding.subject is None:
            continue
        categories = [resolve(policy, c) or c for c in holding.columns.values()]
        if any(covers(c, hold.target) for c in categories):
            rows = select(holding.table.c[holding.subject]).where(
                holding.table.c[holding.subject] == person_id
            )
            if session.scalar(select(exists(rows))):
                return True
    return False


def describe(hold: LegalHold) -> str:
    """One line naming the hold without personal data: its scope, reason and id."""
    target = {
        "person": "a person",
        "organisation": "an organisation",
        "ticket": f"ticket #{hold.target}",
        "category": hold.target,
    }[hold.scope]
    return f"hold {hold.id[-8:]} on {target} ({hold.reason.replace('_', ' ')})"
