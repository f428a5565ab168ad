"""The gated table: paged, gated, audited reads (and gated deletes) of a desk table whose
rows belong to a person or to an organisation, written once for every list of the desk.

A query selects (id, owner_id) of the rows wanted, in order; `page` cuts it to a page, asks
the gate once for the page's owners (people under their own state, organisations as
equipment; the reads audited in one append), loads the rows (the sealed columns only of the
rows the actor may read) and commits the audit entries with the read.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from steward.access.people import check_equipment, check_person, load_rows, people_among
from steward.access.people import readable_owners as owners_readable
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.desk.common import Page, check_paging, page_of, purpose_for

V = TypeVar("V")
Views = Callable[[list[Any], set[str]], list[V]]


def gate_row(
    session: Session,
    actor: Actor,
    model: Any,
    owner_id: str,
    columns: Sequence[str],
    *,
    action: str = "read",
    purpose: str | None = None,
) -> None:
    """Check (and audit) these sealed columns of one row: under the owner's state when a
    person owns it, as equipment when an organisation does. Raises Refused when not allowed."""
    if not columns:
        return
    purpose = purpose or purpose_for(actor)
    if people_among(session, [owner_id]):
        check_person(session, actor, model, owner_id, columns, action=action, purpose=purpose)
    else:
        check_equipment(session, actor, model, columns, action=action, purpose=purpose)


def readable_owners(
    session: Session,
    actor: Actor,
    model: Any,
    owner_ids: Iterable[str],
    columns: Sequence[str],
    purpose: str | None = None,
) -> set[str]:
    """The owners whose `columns` the actor may read, audited in one append; rows of the
    others are listed without their sealed columns instead of refusing the whole page."""
    purpose = purpose or purpose_for(actor)
    return owners_readable(session, actor, model, owner_ids, columns, purpose=purpose)


def page(
    session: Session,
    actor: Actor,
    model: Any,
    query: Select[str, str],
    columns: Sequence[str],
    views: Views[V],
    offset: int,
    limit: int,
    *,
    purpose: str | None = None,
) -> Page[V]:
    """A page of `model` rows from an ordered query of (id, owner_id), made into views given
    the ids of the rows whose sealed columns may be shown; commits the audit entries."""
    check_paging(offset, limit)
    found = page_of(session.execute(query.offset(offset).limit(limit + 1)).all(), offset, limit)
    owners = {r.owner_id for r in found.items}
    allowed = readable_owners(session, actor, model, owners, columns, purpose)
    readable = {r.id for r in found.items if r.owner_id in allowed}
    rows = load_rows(session, model, [r.id for r in found.items], readable)
    items = views(rows, readable)
    session.commit()
    return Page(items=items, next_offset=found.next_offset)


def found(session: Session, query: Select[str, str], what: str) -> tuple[str, str]:
    """(id, owner id) of the one row a query of (id, owner_id) finds, or 404."""
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound(f"There is no such {what}.")
    return row.id, row.owner_id


def opened(
    session: Session,
    actor: Actor,
    model: Any,
    row: tuple[str, str],
    columns: Sequence[str],
    *,
    action: str = "read",
    purpose: str | None = None,
) -> Any:
    """The row `row` names, loaded once the gate allows its sealed columns."""
    row_id, owner_id = row
    gate_row(session, actor, model, owner_id, columns, action=action, purpose=purpose)
    loaded = session.get(model, row_id)
    if loaded is None:  # pragma: no cover - found a moment ago in this transaction
        raise NotFound("There is no such record.")
    return loaded


def committed(
    session: Session, actor: Actor, read: Callable[[Session, Actor, str], V], row_id: str
) -> V:
    """Read back what was written (or asked for), then commit with the audit entries."""
    session.flush()
    view = read(session, actor, row_id)
    session.commit()
    return view


def held(session: Session, model: Any, row_id: str, columns: Sequence[str]) -> list[str]:
    """Which of these sealed columns of a row hold a value, asked without opening them: a
    deletion is gated for the data it removes."""
    flags = session.execute(
        select(*(getattr(model, c).is_not(None) for c in columns)).where(model.id == row_id)
    ).one()
    return [c for c, value in zip(columns, flags, strict=True) if value]


def delete_row(
    session: Session, actor: Actor, model: Any, row: tuple[str, str], columns: Sequence[str]
) -> None:
    """Delete a row, gated for the sealed columns it holds; commits."""
    row_id, owner_id = row
    gate_row(
        session, actor, model, owner_id, held(session, model, row_id, columns), action="delete"
    )
    session.execute(delete(model).where(model.id == row_id))
    session.commit()
