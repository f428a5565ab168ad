"""Rows to and from backup records: tables, their columns, values by kind, and the walk.

A backup's records are JSON values: `{"table", "columns", "kinds"}` opens a table, each row
is a list of values in column order, `{"end", "rows"}` closes the table; the encrypted files
follow (see disk.py), and `{"done", "files"}` holding every table's and kind of file's count
ends the file. Values JSON cannot hold are written by their column's
kind: bytes in base64, moments and dates in ISO 8601, decimals as text.
"""

import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, LargeBinary, MetaData, Table
from sqlalchemy.types import NullType, TypeEngine

from steward.backup.sealing import BackupUnreadable
from steward.core.db import Base

KEYS_TABLE = "data_keys"  # never in a backup: restored from the live key store
SEEDED = frozenset(
    {"audit_head", "shared_state"}
)  # a migration fills these; a restore replaces them


def backed_up_tables() -> list[Table]:
    """Every table of the models, parents before children, except the data keys. The caller
    imports `steward.models` first (the CLI does); `unknown_tables` catches a caller that
    did not, so that no table is ever left out silently."""
    return [t for t in Base.metadata.sorted_tables if t.name != KEYS_TABLE]


def unknown_tables(present: set[str]) -> list[str]:
    """Tables in the database that the models do not declare (migrations' own aside)."""
    known = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    return sorted(present - known)


def kind_of(column: Column[Any]) -> str:
    """How a column's values are written: by its Python type, or its implementation's (a
    TypeDecorator such as Sealed says only `object`)."""
    python_type: type = object
    for candidate in (column.type, getattr(column.type, "impl_instance", None)):
        try:
            python_type = candidate.python_type if candidate is not None else object
        except NotImplementedError:
            continue
        if python_type is not object:
            break
    for kind, cls in (
        ("bytes", bytes),
        ("datetime", datetime),
        ("date", date),
        ("decimal", Decimal),
    ):
        if issubclass(python_type, cls):
            return kind
    return "json"


def encoder(kinds: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
    convert = [_ENCODE.get(kind) for kind in kinds]

    def encode(row: Sequence[Any]) -> list[Any]:
        return [v if f is None or v is None else f(v) for f, v in zip(convert, row, strict=True)]

    return encode


def decoder(kinds: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
    convert = [_DECODE.get(kind) for kind in kinds]

    def decode(row: Sequence[Any]) -> list[Any]:
        return [v if f is None or v is None else f(v) for f, v in zip(convert, row, strict=True)]

    return decode


_ENCODE: dict[str, Callable[[Any], Any]] = {
    "bytes": lambda v: base64.b64encode(v).decode(),
    "datetime": lambda v: v.isoformat(),
    "date": lambda v: v.isoformat(),
    "decimal": str,
}
_DECODE: dict[str, Callable[[Any], Any]] = {
    "bytes": base64.b64decode,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
}
_FALLBACK: dict[str, TypeEngine[Any]] = {
    "bytes": LargeBinary(),
    "datetime": DateTime(timezone=True),
    "date": Date(),
}


def target_table(name: str, columns: Sequence[str], kinds: Sequence[str]) -> Table:
    """A table to insert a backup's rows into: the models' column types where the models
    know the column (so values bind as the app writes them), else a type from the kind."""
    known = {t.name: t for t in backed_up_tables()}.get(name)
    made = []
    for column, kind in zip(columns, kinds, strict=True):
        if known is not None and column in known.c:
            made.append(Column(column, known.c[column].type))
        else:
            made.append(Column(column, _FALLBACK.get(kind, NullType())))
    return Table(name, MetaData(), *made)


@dataclass
class Walker:
    """Checks a backup's records as they stream by and hands each table's rows on, then
    each file's bytes (a `{"file", "id", "size"}` record, then parts of raw bytes adding up
    to its size)."""

    on_table: Callable[[str, list[str], list[str]], None] = lambda name, columns, kinds: None
    on_rows: Callable[[str, list[list[Any]]], None] = lambda name, rows: None
    on_file: Callable[[str, str, int], None] = lambda kind, file_id, size: None
    on_bytes: Callable[[bytes], None] = lambda data: None
    on_file_end: Callable[[], None] = lambda: None
    batch: int = 1000
    files: dict[str, int] = field(default_factory=dict)  # files per kind, once walked

    def walk(self, records: Iterable[Any]) -> dict[str, int]:
        counts: dict[str, int] = {}
        current: str | None = None
        width = 0
        pending: list[list[Any]] = []
        left = -1  # bytes still to come of the current file; -1: not in a file
        for record in records:
            if left >= 0:
                if not isinstance(record, bytes):
                    raise BackupUnreadable("the backup's contents are malformed (a short file)")
                data = record
                if len(data) > left:
                    raise BackupUnreadable("the backup's contents are malformed (a long file)")
                self.on_bytes(data)
                left -= len(data)
                if left == 0:
                    left = self._end_file()
            elif isinstance(record, list):
                if current is None or len(record) != width:
                    raise BackupUnreadable("the backup's contents are malformed (a stray row)")
                pending.append(record)
                counts[current] += 1
                if len(pending) >= self.batch:
                    self.on_rows(current, pending)
                    pending = []
            elif isinstance(record, dict) and "table" in record and current is None:
                current, columns, kinds = record["table"], record["columns"], record["kinds"]
                if current in counts or len(columns) != len(kinds):
                    raise BackupUnreadable("the backup's contents are malformed (a table twice)")
                counts[current], width = 0, len(columns)
                self.on_table(current, columns, kinds)
            elif isinstance(record, dict) and current is not None and record.get("end") == current:
                if pending:
                    self.on_rows(current, pending)
                    pending = []
                if record["rows"] != counts[current]:
                    raise BackupUnreadable(f"table {current} lost rows in the backup")
                current = None
            elif isinstance(record, dict) and "file" in record and current is None:
                kind, size = record["file"], record["size"]
                self.files[kind] = self.files.get(kind, 0) + 1
                self.on_file(kind, record["id"], size)
                left = size if size > 0 else self._end_file()
            elif isinstance(record, dict) and "done" in record and current is None:
                if record["done"] != counts or record.get("files", {}) != self.files:
                    raise BackupUnreadable("the backup's table list does not match its summary")
                return counts
            else:
                raise BackupUnreadable("the backup's contents are malformed")
        raise BackupUnreadable("the backup ends before its summary")

    def _end_file(self) -> int:
        self.on_file_end()
        return -1
