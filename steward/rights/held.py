"""What a legal hold (T2) covers, for everything that deletes: the retention sweep and the
erasure engine. A hold is in force until the privacy officer releases it, its end date
passed or not. A hold on a person covers their rows; on an organisation, its own rows and
its members'; on a ticket, the ticket and what hangs off it (messages, attachments, calls);
on a category, every row holding that category or a finer one. Which table a scope names
(`__hold_scope__`) and who its members are (`__members_of__`) is declared on the models.
"""

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from steward.policy.active import resolve
from steward.policy.schema import Policy
from steward.retention.models import LegalHold
from steward.rights import datamap
from steward.rights.datamap import Holding, declaring, holdings, key_value, scope_model


def in_force(session: Session) -> list[LegalHold]:
    return list(
        session.scalars(
            select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.created_at)
        )
    )


def covers(category: str, held: str) -> bool:
    """Whether a hold on category `held` covers data of `category` (itself or finer)."""
    return category == held or category.startswith(held + ".")


def _members(hold: LegalHold) -> list[Any]:
    """For a hold on a group (an organisation): each members table, its member column and
    its group column."""
    scoped = scope_model(hold.scope)
    if scoped is None:
        return []
    found = []
    for model in declaring("__members_of__"):
        column = model.__table__.c[model.__members_of__]
        if any(fk.column.table is scoped.__table__ for fk in column.foreign_keys):
            subject = model.__table__.c[getattr(model, "__subject__", model.__owner__)]
            found.append((model, subject, column))
    return found


def _naming(table: Any, scoped: Any) -> list[Any]:
    """The columns of `table` naming a row of the scope's table: its key there, or a
    foreign key to it elsewhere."""
    if table is scoped.__table__:
        return list(table.primary_key.columns)
    return [
        c
        for c in table.columns
        if any(fk.column.table is scoped.__table__ for fk in c.foreign_keys)
    ]


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
    scoped = scope_model(hold.scope)
    if scoped is None:
        return None
    target = key_value(scoped, hold.target)
    found = []
    if subject is not None:
        for _, member, group in _members(hold):
            found += [subject == target, subject.in_(select(member).where(group == target))]
    found += [column == target for column in _naming(table, scoped)]
    return or_(*found) if found else None


def person_held(session: Session, policy: Policy, person_id: str) -> list[LegalHold]:
    """The holds in force over any of the person's data: deleting them waits for these."""
    return [h for h in in_force(session) if _touches(session, policy, h, person_id)]


def _touches(session: Session, policy: Policy, hold: LegalHold, person_id: str) -> bool:
    if hold.scope == "person":
        return hold.target == person_id
    scoped = scope_model(hold.scope)
    if scoped is not None:
        target = key_value(scoped, hold.target)
        members = _members(hold)
        if members:  # a group: the person is one of its members
            return any(
                session.scalar(select(exists().where(member == person_id, group == target)))
                for _, member, group in members
            )
        table = scoped.__table__
        (key,) = table.primary_key.columns
        subject = table.c[getattr(scoped, "__subject__", scoped.__owner__)]
        mine = select(key).where(key == target, subject == person_id)
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
