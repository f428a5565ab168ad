"""Rows built generically from the data map: one row in every table holding declared
personal data, every declared column set to a value of its own, all about one person."""

import uuid
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Table, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.db import Base, UTCDateTime
from steward.identity.models import Account
from steward.rights.datamap import holdings
from steward.vault.fields import Sealed


def marker(table: str, column: str) -> str:
    return f"cov:{table}.{column}"


def declared_value(table: Table, name: str) -> Any:
    """The value fill() gives a declared column: its marker, cut to fit, or True."""
    column = table.c[name]
    if isinstance(column.type, Sealed):
        return marker(table.name, name)
    if isinstance(column.type, Boolean):
        return True
    return marker(table.name, name)[: getattr(column.type, "length", None) or 99]


class Filler:
    """Builds rows for `person_id`; `made[table] = primary key` of the row built there."""

    def __init__(self, session: Session, person_id: str) -> None:
        self.session, self.person_id = session, person_id
        self.account_id = session.scalar(select(Account.id).where(Account.person_id == person_id))
        self.made: dict[str, Any] = {}
        self.models = {h.name: h for h in holdings()}
        self.classes = {m.local_table.name: m.class_ for m in Base.registry.mappers}

    def _value(self, table: Table, column: Any) -> Any:
        holding = self.models.get(table.name)
        if holding and column.key in holding.columns:
            return declared_value(table, column.key)
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if target == "people":
                return self.person_id
            if target == "accounts":
                return self.account_id
            if column.nullable:
                return None
            return self.row(target)
        if holding and column.key in (holding.owner, holding.subject):
            return self.person_id
        if column.primary_key and column.default is None and isinstance(column.type, String):
            return uuid.uuid4().hex  # a key the model does not generate (a token's hash)
        if column.nullable or column.primary_key:
            return None
        if isinstance(column.type, UTCDateTime):
            return clock.now()
        if isinstance(column.type, Date):
            return clock.today()
        if isinstance(column.type, (Integer, Boolean)):
            return 0 if isinstance(column.type, Integer) else False
        if isinstance(column.type, String):
            unique = uuid.uuid4().hex[:8] if column.unique else ""  # several people's rows
            return f"cov-{unique}{table.name}"[: column.type.length or 20]
        raise AssertionError(f"fill cannot build {table.name}.{column.key}")

    def row(self, name: str) -> Any:
        if name in self.made:
            return self.made[name]
        model = self.classes[name]
        table = model.__table__
        values = {}
        for column in table.columns:
            value = self._value(table, column)
            if value is not None:
                values[column.key] = value
        instance = model(**values)
        self.session.add(instance)
        self.session.flush()
        key = next(iter(table.primary_key.columns)).key
        self.made[name] = getattr(instance, key)
        return self.made[name]


def fill(session: Session, person_id: str) -> dict[str, Any]:
    """One row per holding (people and accounts: the person's own, given every value)."""
    filler = Filler(session, person_id)
    for holding in holdings():
        if holding.name in ("people", "accounts"):
            model = holding.model
            row = session.scalar(select(model).where(holding.subject_column() == person_id))
            for column in holding.columns:
                setattr(row, column, declared_value(holding.table, column))
            filler.made[holding.name] = row.id
        else:
            filler.row(holding.name)
    session.commit()
    return filler.made
