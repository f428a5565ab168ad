"""Encrypted files on disk (attachments, call recordings, rights exports): sealed under the owner's data key
with the file's id as associated data, so destroying the key erases every copy of the file,
backups included, and a file moved to another record does not open."""

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from steward.core.errors import NotFound
from steward.vault.service import vault_of


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


def load(session: Session, root: Path, kind: str, file_id: str, owner_id: str) -> bytes:
    """The clear content; NotFound when the file is gone or its owner was erased."""
    path = path_of(root, kind, file_id)
    if not path.exists():
        raise NotFound("The file is no longer held.")
    clear = vault_of(session).open_bytes(
        session, owner_id, f"file:{kind}:{file_id}", path.read_bytes()
    )
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
