"""The encrypted files on disk in a backup: each file a table's row owns (`__files__` on the
model: attachments, call recordings, rights files), carried as it lies on disk, sealed under
its owner's data key, so a backup holds no key for files either.

A file goes into the backup in parts of 1 MiB (raw, sealed already), never whole in memory, and comes back out of it the
same way, written under a temporary name and renamed when complete. A restore writes back no
file of a person whose data key the live store has destroyed: it could never be opened.
Call recordings held for a refused call form (an hour at most) are no row's and are left out.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from sqlalchemy import Column, Connection, Table, select

from steward.backup.sealing import BackupUnreadable, Writer
from steward.core.db import Base
from steward.core.errors import Conflict
from steward.vault.files import path_of
from steward.vault.models import DataKey

CHUNK = 1 << 20  # bytes of a file per part of the backup
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # kinds and ids: never a path of their own


class FileTable(NamedTuple):
    table: Table
    kind: str  # the vault.files kind of the rows' files
    id: Column[Any]
    owner: Column[Any]  # whose data key seals the file


def file_tables() -> list[FileTable]:
    """Every table whose rows each own an encrypted file, by table name."""
    found = []
    for mapper in Base.registry.mappers:
        kind = getattr(mapper.class_, "__files__", None)
        if kind is not None:
            table = cast(Table, mapper.local_table)
            owner = mapper.get_property(mapper.class_.__owner__).columns[0]
            found.append(FileTable(table, kind, table.c.id, owner))
    return sorted(found, key=lambda item: item.table.name)


def write(
    connection: Connection,
    writer: Writer,
    root: Path,
    on_progress: Callable[[str, int], None],
    keep: Callable[[str, str, str], bool] | None = None,
) -> tuple[dict[str, int], int]:
    """Put the file of every row the snapshot holds into the backup (of those `keep` keeps,
    asked with the table's name, the file's id and its owner's); returns the files per kind
    and how many rows' files were not on disk (removed since the snapshot, or lost)."""
    written: dict[str, int] = {}
    missing = 0
    for found in file_tables():
        rows = connection.execution_options(yield_per=1000).execute(
            select(found.id, found.owner).order_by(found.id)
        )
        for file_id, owner in rows:
            if keep is not None and not keep(found.table.name, file_id, str(owner)):
                continue
            try:
                handle = path_of(root, found.kind, file_id).open("rb")
            except FileNotFoundError:
                missing += 1
                continue
            with handle:  # a file replaced meanwhile: this open one is read whole, as it was
                size = os.fstat(handle.fileno()).st_size
                writer.record({"file": found.kind, "id": file_id, "size": size})
                for chunk in _chunks(handle, size):
                    writer.data(chunk)
            written[found.kind] = written.get(found.kind, 0) + 1
            on_progress(f"files: {found.kind}", written[found.kind])
    return written, missing


def _chunks(handle: IO[bytes], size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            raise BackupUnreadable("a file shrank while it was backed up; take the backup again")
        left -= len(chunk)
        yield chunk


def refuse_unless_empty(root: Path) -> None:
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise Conflict(
            f"the target files directory {root} is not empty: restore the files into a new, "
            "empty directory (--files-into)"
        )


class Unpacker:
    """Writes a backup's files into an empty directory, as the walk hands them over."""

    def __init__(self, root: Path, connection: Connection) -> None:
        self.root = root
        self.connection = connection
        self.written = 0
        self.erased = 0  # files of people erased since the backup: not written
        self._erased_ids: set[tuple[str, str]] | None = None
        self._kinds = {found.kind for found in file_tables()}
        self._handle: IO[bytes] | None = None
        self._target = self._partial = root

    def start(self, kind: str, file_id: str, size: int) -> None:
        if kind not in self._kinds or not _SAFE.match(file_id):
            raise BackupUnreadable("the backup's contents are malformed (a file's name)")
        if (kind, file_id) in self._erased():
            self.erased += 1
            return
        self._target = path_of(self.root, kind, file_id)
        self._target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._partial = self._target.with_suffix(".partial")
        descriptor = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle = os.fdopen(descriptor, "wb")

    def write(self, data: bytes) -> None:
        if self._handle is not None:
            self._handle.write(data)

    def end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            os.replace(self._partial, self._target)
            self.written += 1

    def discard(self) -> None:
        """Remove every file written: the directory was empty before the restore began."""
        if self._handle is not None:
            self._handle.close()
        if self.root.is_dir():
            for child in self.root.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()

    def _erased(self) -> set[tuple[str, str]]:
        """(kind, id) of the files whose owner's data key is destroyed in the live store."""
        if self._erased_ids is None:
            keys = cast(Table, DataKey.__table__)
            gone = select(keys.c.person_id).where(keys.c.shredded_at.is_not(None))
            self._erased_ids = {
                (found.kind, file_id)
                for found in file_tables()
                for file_id in self.connection.scalars(
                    select(found.id).where(found.owner.in_(gone))
                )
            }
        return self._erased_ids
