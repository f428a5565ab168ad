"""Backups with their encrypted files: MB/s of create, verify, restore and the restore test,
beside copying the same database file and files directory with shutil (the raw baseline:
the database's rows are few, the files nearly all the bytes), and the most memory Python held during `create` (files go in chunks, never whole).

The demo desk of `--people` customers, whose attachments and call recordings are replaced by
sealed files of `--megabytes` each. SQLite (a temporary file) and, when
STEWARD_TEST_DATABASE_URL is set, PostgreSQL (a throwaway schema; the restore test then
creates and drops a database of its own, so the role needs CREATEDB).

Run: .venv/bin/python bench/backup.py [--people N] [--megabytes N]
"""

import argparse
import os
import shutil
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kit import settings_in  # bench/kit.py, beside this script
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

import steward.models  # noqa: F401  (every table, as the CLI loads them)
from steward.backup import drill
from steward.backup.service import create, restore, verify
from steward.core.db import make_engine, make_sessionmaker, normalise_url, release, upgrade
from steward.core.runtime import Runtime
from steward.demo.loader import load
from steward.desk.models import Attachment, CallRecording
from steward.policy.service import read_active
from steward.vault import files
from steward.vault.keyring import Keyring
from steward.vault.service import Vault


def fill(runtime: Runtime, people: int, megabytes: int) -> int:
    """The demo desk, its files replaced by sealed random files; returns their bytes."""
    root = runtime.settings.files_dir
    with runtime.session() as session:
        load(session, root, people=people, seed=1)
    total = 0
    with runtime.session() as session:
        for model, kind in ((Attachment, "attachments"), (CallRecording, "recordings")):
            for file_id, owner in session.execute(select(model.id, model.owner_id)):
                data = os.urandom(megabytes << 20)
                files.store(session, root, kind, file_id, owner, data)
                total += len(data)
        session.commit()
    return total


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@contextmanager
def database_in(url: str | None, folder: Path) -> Iterator[str]:
    """A new SQLite file, or a new PostgreSQL database on the server of `url`, dropped after
    (not a schema: the restore test makes a database of its own beside it)."""
    if url is None:
        yield f"sqlite:///{folder / 'steward.db'}"
        return
    base = make_url(normalise_url(url))
    admin = make_engine(base.render_as_string(hide_password=False))
    name = f"bench_backup_{uuid.uuid4().hex[:12]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        release(admin)


def run(kind: str, url: str | None, people: int, megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as folder, database_in(url, Path(folder)) as database_url:
        here = Path(folder)
        keyring = Keyring.generate()
        settings = settings_in(here, database_url, keyring).model_copy(
            update={"backup_dir": here / "backups"}
        )
        engine = make_engine(database_url)
        upgrade(engine)
        runtime = Runtime(
            make_sessionmaker(engine),
            Vault(keyring),
            settings,
            read_active(settings.policy).policy,
        )
        size = fill(runtime, people, megabytes)
        backup = here / "backups" / "bench.backup"
        backup.parent.mkdir()
        copy = timed(lambda: shutil.copytree(settings.files_dir, here / "copy"))
        made = timed(lambda: create(engine, keyring, backup, settings.files_dir))
        stored = backup.stat().st_size / (1 << 20)
        checked = timed(lambda: verify(backup, keyring))
        target = make_engine(f"sqlite:///{here / 'restored.db'}")
        restored = timed(lambda: restore(backup, keyring, target, engine, here / "restored-files"))
        release(target)
        tested = timed(lambda: drill.run(runtime, backup, source="cli"))
        tracemalloc.start()
        create(engine, keyring, here / "again.backup", settings.files_dir)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        release(engine)
    mb = size / (1 << 20)
    print(f"{kind}: {mb:.0f} MB of files, the backup {stored:.0f} MB")
    print(f"  copy (baseline) {mb / copy:8.0f} MB/s")
    for name, seconds in (("create", made), ("verify", checked), ("restore", restored)):
        print(f"  {name:<15} {mb / seconds:8.0f} MB/s  ({copy / seconds:.2f}x the copy's speed)")
    print(f"  restore test    {tested:8.1f} s")
    print(f"  create's peak Python memory {peak / (1 << 20):.1f} MB, one file {megabytes} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=20)
    args = parser.parse_args()
    run("SQLite", None, args.people, args.megabytes)
    if url := os.environ.get("STEWARD_TEST_DATABASE_URL"):
        run("PostgreSQL", url, args.people, args.megabytes)
