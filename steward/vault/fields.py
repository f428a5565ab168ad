"""Encrypted personal-data columns, transparent to the code that uses the models.

A column declared with `personal(category)` holds, in the database, the value sealed under
its owner's data key with the table, column and owner id as associated data; in Python it
holds the clear text, or ERASED once the owner's key is destroyed. Each model names the
attribute that holds the owner's person id in `__owner__`.
"""

from functools import cache
from typing import Any

from sqlalchemy import LargeBinary, String, event, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.types import TypeDecorator

from steward.core.cards import refuse_card_number
from steward.core.db import Base
from steward.core.ids import new_id
from steward.vault.models import DataKey
from steward.vault.service import Erased, Vault

_PENDING = "steward.vault.pending"
_WRAPPED = "_vault_wrapped_key"
_MASTER = "_vault_master_key_id"


class Sealed(TypeDecorator[bytes]):
    """Refuses anything but sealed bytes: clear text never reaches the database."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None or isinstance(value, bytes):
            return value
        raise TypeError("an encrypted column received clear text outside a vault session")


def personal(category: str, *, nullable: bool = True) -> Mapped[Any]:
    """A personal-data column of `category`, stored encrypted."""
    return mapped_column(Sealed, nullable=nullable, info={"category": category, "encrypted": True})


def user_text(length: int, *, nullable: bool = True) -> Mapped[Any]:
    """A clear-text column people type into (a make, a model, a title): checked for card
    numbers like every encrypted column."""
    return mapped_column(String(length), nullable=nullable, info={"user_text": True})


def _refuse_card_numbers(instances: list[object]) -> None:
    """D4: a full card number never reaches the database, whichever field it came through."""
    for instance in instances:
        table = getattr(type(instance), "__table__", None)
        if table is None:
            continue
        for column in table.columns:
            if column.info.get("encrypted") or column.info.get("user_text"):
                value = instance.__dict__.get(column.key)
                if isinstance(value, str) and not isinstance(value, Erased):
                    refuse_card_number(value, column.key)


def encrypted_columns(instance: object) -> tuple[str, ...]:
    return _encrypted_columns_of(getattr(type(instance), "__table__", None))


@cache
def _encrypted_columns_of(table: Any) -> tuple[str, ...]:
    """Asked for every row loaded and every object flushed: worked out once per table."""
    if table is None:
        return ()
    return tuple(c.key for c in table.columns if c.info.get("encrypted"))


def _owner(instance: Any) -> str:
    name = type(instance).__owner__
    if name == "id" and instance.id is None:
        instance.id = new_id()  # the owner id is part of the ciphertext, so it must exist now
    owner = getattr(instance, name)
    if owner is None:
        raise ValueError(f"{type(instance).__name__}.{name} must be set before saving")
    return str(owner)


def _vault(session: Session | None) -> Vault:
    vault = session.info.get("vault") if session is not None else None
    if not isinstance(vault, Vault):
        raise RuntimeError("personal data needs a session opened through the vault")
    return vault


def _context(instance: object, column: str) -> str:
    return f"{type(instance).__tablename__}.{column}"  # type: ignore[attr-defined]


@event.listens_for(Session, "before_flush")
def _seal_changed_values(session: Session, _context_: Any, _instances: Any) -> None:
    pending: list[tuple[object, str, str]] = session.info.setdefault(_PENDING, [])
    new = set(session.new)  # session.new builds a fresh set on every call
    _refuse_card_numbers([*new, *session.dirty])
    changed = [i for i in [*new, *session.dirty] if encrypted_columns(i)]
    if not changed:
        return
    vault = _vault(session)
    for instance in new:
        if getattr(type(instance), "__owner__", None) == "id":
            vault.known_new(session, _owner(instance))  # a new person: no key to look for
    vault.preload(session, [_owner(i) for i in changed])
    for instance in changed:
        for column in encrypted_columns(instance):
            value = getattr(instance, column)
            if isinstance(value, str) and not isinstance(value, Erased):
                if instance not in new and not get_history(instance, column).added:
                    continue
                sealed = vault.seal(session, _owner(instance), _context(instance, column), value)
                setattr(instance, column, sealed)
                pending.append((instance, column, value))


@event.listens_for(Session, "after_flush_postexec")
def _restore_clear_values(session: Session, _context_: Any) -> None:
    for instance, column, value in session.info.pop(_PENDING, []):
        set_committed_value(instance, column, value)


@event.listens_for(Base, "load", propagate=True)
def _open_loaded_values(instance: object, context: Any) -> None:
    _open(instance, context)


@event.listens_for(Base, "refresh", propagate=True)
def _open_refreshed_values(instance: object, context: Any, _attrs: Any) -> None:
    _open(instance, context)


def _open(instance: object, context: Any) -> None:
    columns = encrypted_columns(instance)
    if not columns:
        return
    session = context.session
    vault = _vault(session)
    wrapped = instance.__dict__.get(_WRAPPED)
    if wrapped is not None or _WRAPPED in instance.__dict__:
        vault.accept(session, _owner(instance), wrapped, instance.__dict__.get(_MASTER))
    for column in columns:
        blob = instance.__dict__.get(column)
        if isinstance(blob, bytes):
            clear = vault.open(session, _owner(instance), _context(instance, column), blob)
            set_committed_value(instance, column, clear)


@event.listens_for(Base, "after_mapper_constructed", propagate=True)
def _load_the_owners_key_with_each_row(mapper: Any, cls: type) -> None:
    """Rows with sealed columns carry their owner's wrapped data key in the same query,
    so reading many people's rows costs no query per person."""
    owner = getattr(cls, "__owner__", None)
    table = getattr(cls, "__table__", None)
    if owner is None or table is None or not any(c.info.get("encrypted") for c in table.c):
        return
    owner_column = table.c[owner]
    for name, column in ((_WRAPPED, DataKey.wrapped), (_MASTER, DataKey.master_key_id)):
        subquery = select(column).where(DataKey.person_id == owner_column).scalar_subquery()
        mapper.add_property(name, column_property(subquery))
