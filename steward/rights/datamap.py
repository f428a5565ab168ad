"""The data map: every declared personal-data column, read from the models, never listed here.

A column is personal data when it is declared with a category (`personal(category)` sealed,
or a clear column with `info={"category": ...}`). A table holding one names the column of its
key owner in `__owner__`, and, when that is not the person the row is about, the person's
column in `__subject__` (a rights request is sealed under its own key but is about
`person_id`). Columns that point at a person in someone else's row (a ticket's `about_id`,
a message's `author_id`) are links: erasure masks the person there instead of deleting the
row. The rights engine walks this map, so a column declared later is covered without
touching `rights/`; a table it cannot place stops the walk with a clear error.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Table

from steward.core.db import Base
from steward.core.errors import DomainError


class MapIncomplete(DomainError):
    status = 500
    title = "Data map incomplete"


@dataclass(frozen=True)
class Holding:
    """One table's personal data: which columns, of which category, whose."""

    model: Any
    table: Table
    owner: str  # the column naming whose data key seals the row
    subject: str | None  # the column naming the person the row is about; None: no person
    columns: dict[str, str]  # declared column -> category
    sealed: frozenset[str]

    @property
    def name(self) -> str:
        return self.table.name

    def subject_column(self) -> Column[Any]:
        if self.subject is None:
            raise MapIncomplete(f"{self.name} names no person its rows are about")
        return self.table.c[self.subject]


@dataclass(frozen=True)
class Link:
    """A column in a row that names a person other than the row's subject."""

    table: Table
    column: str


def _declared(table: Table) -> dict[str, str]:
    return {c.key: c.info["category"] for c in table.columns if c.info.get("category")}


@cache
def holdings() -> tuple[Holding, ...]:
    """Every table holding declared personal data, in dependency order (parents first)."""
    import steward.models  # noqa: F401  (every table, so the map is whole)

    by_table = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}
    found = []
    for table in Base.metadata.sorted_tables:
        model = by_table.get(table)
        columns = _declared(table)
        if model is None or not columns:
            continue
        owner = getattr(model, "__owner__", None)
        if owner is None or owner not in table.c:
            raise MapIncomplete(f"{table.name} holds personal data but names no owner column")
        subject = getattr(model, "__subject__", owner)
        if subject is not None and subject not in table.c:
            raise MapIncomplete(f"{table.name}.__subject__ names no column")
        sealed = frozenset(c.key for c in table.columns if c.info.get("encrypted"))
        found.append(Holding(model, table, owner, subject, columns, sealed))
    return tuple(found)


@cache
def links() -> tuple[Link, ...]:
    """Columns that point at people.id but are not the subject of their row."""
    import steward.models  # noqa: F401

    subjects = {(h.table.name, h.subject) for h in holdings()}
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == "people":
            continue
        for column in table.columns:
            points_at_people = any(fk.column.table.name == "people" for fk in column.foreign_keys)
            if points_at_people and (table.name, column.key) not in subjects:
                found.append(Link(table, column.key))
    return tuple(found)


def holding(table_name: str) -> Holding:
    for found in holdings():
        if found.name == table_name:
            return found
    raise MapIncomplete(f"{table_name} holds no declared personal data")
