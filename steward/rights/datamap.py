"""The data map: every declared personal-data column, read from the models, never listed here.

A column is personal data when it is declared with a category (`personal(category)` sealed,
or a clear column with `info={"category": ...}`). A table holding one names the column of its
key owner in `__owner__`, and, when that is not the person the row is about, the person's
column in `__subject__` (a rights request is sealed under its own key but is about
`person_id`). Columns that point at a person in someone else's row (a ticket's `about_id`,
a message's `author_id`) are links: erasure masks the person there instead of deleting the
row. The rights engine walks this map, so a column declared later is covered without
touching `rights/`; a table it cannot place stops the walk with a clear error.

What else a table means to rights and retention is declared on its model too, never named
here: `__erasure__` ("tombstone", "request", "request_files": see erasure_plan.py; by
default a person's rows are deleted, or re-sealed where the law keeps them), `__files__`
(the vault.files kind of the sealed file each row owns; `__files_portable__`: the person
gave it, so a portability export carries it), `__hold_scope__` (a legal hold of
that scope names a row of this table; rows with a foreign key to it are covered too),
`__members_of__` (a hold on the row this column names covers the row's subject: an
organisation's members) and `__accounts__` (columns naming a staff account, emptied when
the account's person is erased).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, false, or_, select

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
    files: str | None = None  # the vault.files kind of the file each row owns

    @property
    def erasure(self) -> str | None:
        """What an erasure does with the rows, when the model declares it."""
        return getattr(self.model, "__erasure__", None)

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
    if not Base.metadata.info.get("complete"):
        raise MapIncomplete("the data map needs every table: import steward.models first")
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
        files = getattr(model, "__files__", None)
        found.append(Holding(model, table, owner, subject, columns, sealed, files))
    return tuple(found)


@cache
def links() -> tuple[Link, ...]:
    """Columns that point at people.id but are not the subject of their row."""
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


def models() -> list[Any]:
    """Every mapped model, in table order."""
    by_table = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}
    return [by_table[t] for t in Base.metadata.sorted_tables if t in by_table]


def declaring(attribute: str) -> list[Any]:
    """The models declaring `attribute` (`__hold_scope__`, `__members_of__`, ...)."""
    return [model for model in models() if getattr(model, attribute, None) is not None]


def scope_model(scope: str) -> Any:
    """The model whose rows a legal hold of `scope` names, or None (person, category)."""
    found = [m for m in declaring("__hold_scope__") if m.__hold_scope__ == scope]
    return found[0] if found else None


def key_value(model: Any, target: str) -> Any:
    """A hold's target as a value of the model's key (a ticket number is an int; a target
    that is no number then matches no row)."""
    (key,) = model.__table__.primary_key.columns
    if key.type.python_type is int:
        return int(target) if target.isdigit() else -1
    return target


def holding(table_name: str) -> Holding:
    for found in holdings():
        if found.name == table_name:
            return found
    raise MapIncomplete(f"{table_name} holds no declared personal data")


def link_columns(table: Table) -> list[str]:
    """Columns of `table` naming a person: a foreign key to people, or declared with
    `info={"person": True}` (an id kept without a foreign key)."""
    return [
        c.key
        for c in table.columns
        if c.info.get("person") or any(fk.column.table.name == "people" for fk in c.foreign_keys)
    ]


@dataclass(frozen=True)
class Path:
    """One way rows of a holding reach a person: `how` is "subject", a link column's name, or
    "<column>.<parent's way>" for a row following its parent."""

    holding: Holding
    how: str
    where: Any  # person id -> the SQL condition


def _direct(holding: Holding) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if holding.subject is not None:
        found.append(("subject", holding.table.c[holding.subject]))
    for name in link_columns(holding.table):
        if name != holding.subject:
            found.append((name, holding.table.c[name]))
    return found


def _reaches(columns: list[tuple[str, Any]], person_id: str) -> ColumnElement[bool]:
    return or_(false(), *[column == person_id for _, column in columns])


@cache
def paths() -> tuple[Path, ...]:
    """Every way a holding's rows reach a person, parents first. A row may come by several
    ways; callers keep the first."""
    by_name = {h.name: h for h in holdings()}
    found: list[Path] = []
    for holding in holdings():
        for how, column in _direct(holding):
            found.append(Path(holding, how, lambda p, c=column: c == p))
        for name in getattr(holding.model, "__follows__", ()):
            column = holding.table.c[name]
            (fk,) = column.foreign_keys
            parent = by_name.get(fk.column.table.name)
            if parent is None:
                raise MapIncomplete(f"{holding.name}.{name} follows a table with no personal data")
            ways = _direct(parent)

            def where(p: str, c: Any = column, t: Any = fk.column, w: Any = ways) -> Any:
                return c.in_(select(t).where(_reaches(w, p)))

            found.append(Path(holding, f"{name}.{parent.name}", where))
    return tuple(found)


def provided_by(holding: Holding) -> Any:
    """The condition "the person provided this row" (R5), or None: no row of this table is
    what a person gave us (staff write them)."""
    column = getattr(holding.model, "__provided__", holding.subject)
    if column is None:
        return None
    target = holding.table.c[column]
    (fk,) = target.foreign_keys or (None,)
    if fk is None or fk.column.table.name == "people":
        return lambda p: target == p
    parent = next(h for h in holdings() if h.name == fk.column.table.name)
    inner = provided_by(parent)
    if inner is None:
        return None
    return lambda p: target.in_(select(fk.column).where(inner(p)))
