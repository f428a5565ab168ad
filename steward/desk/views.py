"""Saved views (an agent's named queue filters) and canned replies (texts agents reuse).

A saved view is its owner's alone: others neither see nor delete it. It keeps the queue's
filters (status, priority, channel, assignee, organisation, requester), never search words:
those may name a person, and a saved view is stored in clear. Canned replies are shared by
all staff; agents and admins write them. Neither holds personal data, so neither goes
through the gate; the card-number guard still checks every text typed into them (D4).
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.desk.common import SUPPORT
from steward.desk.models import CannedReply, SavedView
from steward.desk.tickets import FILTER_FIELDS, TicketFilter, checked_filter

SAVED = tuple(f for f in FILTER_FIELDS if f != "text")
MAX_VIEWS = 100
MAX_REPLIES = 1000


@dataclass(frozen=True)
class SavedViewInfo:
    id: str
    name: str
    filters: dict[str, str]
    created_at: datetime

    @property
    def ticket_filter(self) -> TicketFilter:
        return TicketFilter(**self.filters)


@dataclass(frozen=True)
class CannedReplyInfo:
    id: str
    title: str
    body: str
    created_at: datetime


def _info(row: SavedView) -> SavedViewInfo:
    return SavedViewInfo(row.id, row.name, json.loads(row.filters), row.created_at)


def _own_account(actor: Actor) -> str:
    if actor.account_id is None:
        raise Invalid("Only a signed-in account has saved views.")
    return actor.account_id


def list_views(session: Session, actor: Actor) -> list[SavedViewInfo]:
    """The actor's own saved views, by name."""
    check_role(session, actor, "use saved views", SUPPORT)
    rows = session.scalars(
        select(SavedView)
        .where(SavedView.account_id == _own_account(actor))
        .order_by(SavedView.name, SavedView.id)
    )
    return [_info(row) for row in rows]


def create_view(
    session: Session, actor: Actor, name: str, filters: dict[str, str | None]
) -> SavedViewInfo:
    """Save a named queue filter for the actor. Commits."""
    check_role(session, actor, "use saved views", SUPPORT)
    account_id = _own_account(actor)
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise Invalid("Give the view a name of at most 100 characters.")
    if "text" in filters:
        raise Invalid(
            "A saved view keeps filters, not search words: those may name a person, and "
            "saved views are stored in clear."
        )
    unknown = set(filters) - set(SAVED)
    if unknown:
        raise Invalid(f"A saved view filters by: {', '.join(SAVED)}.")
    kept = {k: v for k, v in filters.items() if v}
    checked_filter(actor, TicketFilter(**kept))  # the same checks as the queue's filters
    encoded = json.dumps(kept, sort_keys=True)
    if len(encoded) > 1000:
        raise Invalid("These filters are too long to save.")
    mine = SavedView.account_id == account_id
    if session.scalar(select(SavedView.id).where(mine, SavedView.name == name)):
        raise Conflict("You already have a view with this name.")
    if (session.scalar(select(func.count()).select_from(SavedView).where(mine)) or 0) >= MAX_VIEWS:
        raise Conflict(f"Keep at most {MAX_VIEWS} saved views; delete one first.")
    row = SavedView(account_id=account_id, name=name, filters=encoded, created_at=clock.now())
    session.add(row)
    session.flush()
    info = _info(row)
    session.commit()
    return info


def delete_view(session: Session, actor: Actor, view_id: str) -> None:
    """Delete one of the actor's own views; another's is not found. Commits."""
    check_role(session, actor, "use saved views", SUPPORT)
    row = session.get(SavedView, view_id) if len(view_id) <= 36 else None
    if row is None or row.account_id != actor.account_id:
        raise NotFound("There is no such saved view.")
    session.delete(row)
    session.commit()


def _canned(row: CannedReply) -> CannedReplyInfo:
    return CannedReplyInfo(row.id, row.title, row.body, row.created_at)


def _clean_reply(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join(title.split()), body.strip()
    if not title or len(title) > 100:
        raise Invalid("Give the reply a title of at most 100 characters.")
    if not body or len(body) > 4000:
        raise Invalid("Write the reply's text, at most 4,000 characters.")
    return title, body


def list_canned(
    session: Session, actor: Actor, *, offset: int = 0, limit: int | None = None
) -> list[CannedReplyInfo]:
    """Canned replies by title (every one, or `limit` from `offset`): for all staff."""
    check_role(session, actor, "see canned replies", "staff")
    query = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
    rows = session.scalars(query.offset(offset).limit(limit))
    return [_canned(row) for row in rows]


def create_canned(session: Session, actor: Actor, title: str, body: str) -> CannedReplyInfo:
    check_role(session, actor, "write canned replies", SUPPORT)
    title, body = _clean_reply(title, body)
    if (session.scalar(select(func.count()).select_from(CannedReply)) or 0) >= MAX_REPLIES:
        raise Conflict(f"Keep at most {MAX_REPLIES} canned replies; delete one first.")
    row = CannedReply(title=title, body=body, created_at=clock.now())
    session.add(row)
    session.flush()
    info = _canned(row)
    session.commit()
    return info


def _find_canned(session: Session, reply_id: str) -> CannedReply:
    row = session.get(CannedReply, reply_id) if len(reply_id) <= 36 else None
    if row is None:
        raise NotFound("There is no such canned reply.")
    return row


def update_canned(
    session: Session,
    actor: Actor,
    reply_id: str,
    *,
    title: str | None = None,
    body: str | None = None,
) -> CannedReplyInfo:
    check_role(session, actor, "write canned replies", SUPPORT)
    row = _find_canned(session, reply_id)
    row.title, row.body = _clean_reply(
        row.title if title is None else title, row.body if body is None else body
    )
    session.flush()
    info = _canned(row)
    session.commit()
    return info


def delete_canned(session: Session, actor: Actor, reply_id: str) -> None:
    check_role(session, actor, "write canned replies", SUPPORT)
    session.delete(_find_canned(session, reply_id))
    session.commit()
