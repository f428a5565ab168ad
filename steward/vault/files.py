"""Encrypted files on disk (attachments, call recordings, rights exports): sealed under the owner's data key
with the file's id as associated data, so destroying the key erases every copy of the file,
backups included, and a file moved to another record does not open.

A file too large to hold in memory (a rights export) is written and read as a stream: parts
of about 1 MiB, each sealed on its own and bound to its position and to whether it is the
last (`Sealing`, `parts`), so a part altered, moved, dropped or cut off does not open.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from steward.core.errors import NotFound
from steward.vault.crypto import Unreadable
from steward.vault.service import vault_of

PART = 1 << 20
STREAMED = b"\x02"  # a streamed file's first byte; a file sealed whole starts with \x01
Seal = Callable[[bytes, str], bytes]  # (data, context) -> sealed, and back


class Sealing:
    """A write-only binary stream sealing what it is given in parts as they fill; `close`
    writes the last part. `written` counts the clear bytes."""

    def __init__(self, out: IO[bytes], seal: Seal, part: int = PART) -> None:
        self.out, self.seal, self.part = out, seal, part
        self.buffer = bytearray()
        self.index = self.written = 0

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.written += len(data)
        while len(self.buffer) > self.part:  # more than a part: the last is written at close
            self._part(bytes(self.buffer[: self.part]), last=False)
            del self.buffer[: self.part]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: a part is written when it is full."""

    def close(self) -> None:
        self._part(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _part(self, data: bytes, last: bool) -> None:
        sealed = self.seal(data, f"{self.index}:{int(last)}")
        self.out.write(bytes([last]) + len(sealed).to_bytes(4, "big") + sealed)
        self.index += 1


def parts(source: IO[bytes], open_: Seal) -> Iterator[bytes]:
    """The clear parts of what `Sealing` wrote; Unreadable when a part was altered, moved,
    dropped or the stream cut off before its last part."""
    index = 0
    while head := source.read(5):
        if len(head) < 5:
            break
        last = head[0] == 1
        yield open_(source.read(int.from_bytes(head[1:], "big")), f"{index}:{int(last)}")
        if last:
            return
        index += 1
    raise Unreadable("the sealed stream is cut off")


def path_of(root: Path, kind: str, file_id: str) -> Path:
    """Where a file of `kind` is kept (a backup carries it from here, sealed as it is)."""
    return root / kind / file_id[:2] / file_id


def store(
    session: Session, root: Path, kind: str, file_id: str, owner_id: str, data: bytes
) -> None:
    """Write the sealed file atomically: a crash leaves the old file or none, never half."""
    sealed = vault_of(session).seal_bytes(session, owner_id, f"file:{kind}:{file_id}", data)
    path = path_of(root, kind, file_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    partial.write_bytes(sealed)
    os.replace(partial, path)


@contextmanager
def store_stream(
    session: Session, root: Path, kind: str, file_id: str, owner_id: str
) -> Iterator[Sealing]:
    """A stream to write the file through, sealed part by part under the owner's key; the
    file appears, atomically, only when the block ends without an error."""
    context = f"file:{kind}:{file_id}"
    key = vault_of(session).sealing_key(session, owner_id)
    path = path_of(root, kind, file_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    try:
        with partial.open("wb") as out:
            out.write(STREAMED)
            sealing = Sealing(out, lambda data, part: key.seal(data, f"{context}:{part}"))
            yield sealing
            sealing.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def stream(session: Session, root: Path, kind: str, file_id: str, owner_id: str) -> Iterator[bytes]:
    """The clear content in parts, read from disk as they are sent; the owner's key is
    unwrapped now, so the parts can be read after the session ends. NotFound when the file
    is gone or its owner was erased."""
    path = path_of(root, kind, file_id)
    if not path.exists():
        raise NotFound("The file is no longer held.")
    context = f"file:{kind}:{file_id}"
    with path.open("rb") as probe:
        streamed = probe.read(1) == STREAMED
    if not streamed:
        return iter([load(session, root, kind, file_id, owner_id)])
    key = vault_of(session).opening_key(session, owner_id)
    if key is None:
        raise NotFound("The file was erased.")

    def read() -> Iterator[bytes]:
        with path.open("rb") as source:
            source.read(1)
            yield from parts(source, lambda data, part: key.open(data, f"{context}:{part}"))

    return read()


def load(session: Session, root: Path, kind: str, file_id: str, owner_id: str) -> bytes:
    """The clear content; NotFound when the file is gone or its owner was erased."""
    path = path_of(root, kind, file_id)
    if not path.exists():
        raise NotFound("The file is no longer held.")
    blob = path.read_bytes()
    if blob[:1] == STREAMED:
        return b"".join(stream(session, root, kind, file_id, owner_id))
    clear = vault_of(session).open_bytes(session, owner_id, f"file:{kind}:{file_id}", blob)
    if clear is None:
        raise NotFound("The file was erased.")
    return clear


def remove(root: Path, kind: str, file_id: str) -> None:
    path_of(root, kind, file_id).unlink(missing_ok=True)


def stored_ids(root: Path, kind: str, written_before: datetime) -> list[str]:
    """The ids of the files of `kind` on disk written before a moment (to find those whose
    record is gone)."""
    folder = root / kind
    if not folder.is_dir():
        return []
    cutoff = written_before.timestamp()
    return [
        p.name
        for p in folder.glob("*/*")
        if p.is_file() and p.suffix != ".partial" and p.stat().st_mtime < cutoff
    ]
