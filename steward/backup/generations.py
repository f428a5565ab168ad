"""The backups the worker takes: one file per run in the backup directory, named by its
moment (`steward-20310304T013000Z.backup`), of which the newest `keep` are kept. Older ones
are deleted once a new one is complete, except the newest that passed a restore test, which
stays however old, so a run of bad backups never leaves none known to be good."""

import re
from pathlib import Path

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from steward.backup.models import RestoreTest
from steward.backup.service import Summary, create
from steward.core import clock
from steward.core.settings import Settings
from steward.vault.keyring import Keyring

NAME = re.compile(r"^steward-\d{8}T\d{6}Z\.backup$")


def listing(folder: Path) -> list[Path]:
    """The generations in `folder`, newest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if NAME.match(p.name)), reverse=True)


def newest(folder: Path) -> Path | None:
    return next(iter(listing(folder)), None)


def newest_good(session: Session) -> str | None:
    """The file name of the newest backup a restore test passed (None before migration 0017
    made their table: a backup is taken before upgrading, as it should be)."""
    if not inspect(session.connection()).has_table(RestoreTest.__tablename__):
        return None
    query = (
        select(RestoreTest.backup)
        .where(RestoreTest.passed.is_(True))
        .order_by(RestoreTest.backup_taken_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def take(
    engine: Engine, keyring: Keyring, settings: Settings, good: str | None
) -> tuple[Path, Summary, list[Path]]:
    """Write a new generation, then delete those beyond `settings.backup_keep`, but never
    `good` (the newest a restore test passed). Returns the new file, what it holds and the
    files deleted."""
    folder = settings.backup_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"steward-{clock.now():%Y%m%dT%H%M%SZ}.backup"
    summary = create(engine, keyring, path, settings.files_dir)
    deleted = [p for p in listing(folder)[settings.backup_keep :] if p.name != good]
    for old in deleted:
        old.unlink(missing_ok=True)
    return path, summary, deleted
