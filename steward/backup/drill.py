"""The restore test (X5 "regular restore tests"): restore a backup into a scratch database and
an empty scratch directory beside the backups, with the live data keys, check what came back,
record the result and drop the scratch copy.

The scratch database is a file in a temporary folder of the backup directory (SQLite), or a
database created and dropped on the live server (PostgreSQL: the role needs CREATEDB). The
checks: every table holds the backup's count of rows; the audit trail verifies from its first
entry; a sample of sealed values of every table opens with the live keys; every restored file
opens. Values and files are opened to prove they can be, never kept or shown. The recorded
result holds no personal data: the backup's file name, counts, and what failed by table,
kind of file or audit entry number. The privacy officer sees the newest on /dpo and in the
daily digest, a failure as a warning.
"""

import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from steward.audit.service import verify_trail
from steward.backup import disk, erased, generations
from steward.backup.models import RestoreTest
from steward.backup.service import Restored, restore
from steward.core import clock
from steward.core.db import make_engine, make_sessionmaker, release, transaction
from steward.core.errors import DomainError, Invalid
from steward.core.runtime import Runtime
from steward.core.settings import Settings
from steward.vault import files
from steward.vault.keyring import Keyring
from steward.vault.service import Vault, vault_of

log = logging.getLogger("steward.backup")

SAMPLE = 20  # sealed values opened per table: enough to prove the keys fit, cheap to run
STALE = timedelta(days=8)  # a weekly test older than this: the worker is not running it


@dataclass(frozen=True)
class Result:
    backup: str | None
    taken_at: str | None
    passed: bool
    tables: int = 0
    rows: int = 0
    files: int = 0
    values_opened: int = 0
    problem: str | None = None


def run(runtime: Runtime[Vault, Any], path: Path | None, source: str) -> Result:
    """Restore-test `path` (default: the newest backup in the backup directory) and record
    the result; a failure is a result, never an exception."""
    started = clock.now()
    settings, keyring = runtime.settings, runtime.vault.keyring
    path = path or generations.newest(settings.backup_dir)
    try:
        if path is None:
            raise Invalid(f"no backup in {settings.backup_dir} to test")
        with _scratch(runtime.engine, settings.backup_dir) as (engine, files_dir):
            restored = restore(path, keyring, engine, runtime.engine, files_dir)
            result = _check(engine, files_dir, keyring, restored, path.name)
    except DomainError as error:
        result = Result(path.name if path else None, None, False, problem=error.message)
    except Exception as error:  # what failed by its class: messages may quote values
        log.error("restore test failed: %s", type(error).__name__)
        result = Result(path.name if path else None, None, False, problem=type(error).__name__)
    with transaction(runtime.sessions) as session:
        session.add(
            RestoreTest(
                source=source,
                started_at=started,
                finished_at=clock.now(),
                backup=result.backup,
                backup_taken_at=result.taken_at,
                passed=result.passed,
                tables=result.tables,
                rows=result.rows,
                files=result.files,
                values_opened=result.values_opened,
                problem=(result.problem or "")[:500] or None,
            )
        )
    return result


@contextmanager
def _scratch(live: Engine, beside: Path) -> Iterator[tuple[Engine, Path]]:
    """An empty database of the live one's kind and an empty files directory, gone after."""
    beside.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix=".restore-test-", dir=beside))
    database = None
    try:
        if live.dialect.name == "postgresql":
            name = f"steward_restore_test_{uuid.uuid4().hex[:12]}"
            _on_server(live, f'CREATE DATABASE "{name}"')
            database = name
            url = live.url.set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{folder / 'restored.db'}"
        engine = make_engine(url)
        try:
            yield engine, folder / "files"
        finally:
            release(engine)
    finally:
        if database is not None:
            _on_server(live, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def _on_server(live: Engine, statement: str) -> None:
    try:
        with live.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))
    except DBAPIError as error:
        raise Invalid(
            f"cannot create or drop the scratch database ({type(error.orig).__name__}): "
            "the database role needs CREATEDB"
        ) from None


def _check(
    engine: Engine, files_dir: Path, keyring: Keyring, restored: Restored, name: str
) -> Result:
    problems = []
    with engine.connect() as connection:
        for table, rows in restored.tables.items():
            expected = rows - restored.removed.get(table, 0)
            found = connection.scalar(select(func.count()).select_from(sql_table(table)))
            if found != expected:
                problems.append(f"table {table} holds {found} rows, the backup {expected}")
    sessions = make_sessionmaker(engine)
    if (trail := audit_problem(sessions, keyring)) is not None:
        problems.append(trail)
    with sessions() as session:
        Vault(keyring).attach(session)
        opened, sealed_problems = _open_sample(session)
        files_opened, file_problems = _open_files(session, files_dir)
    problems += sealed_problems + file_problems
    if not file_problems and files_opened != restored.files_written:
        problems.append(f"{files_opened} files open of {restored.files_written} restored")
    return Result(
        name,
        restored.created_at,
        not problems,
        len(restored.tables),
        restored.rows,
        files_opened,
        opened,
        "; ".join(problems) or None,
    )


def audit_problem(sessions: Any, keyring: Keyring) -> str | None:
    """The restored audit trail checked from its first entry; the one call into audit."""
    verified = verify_trail(sessions, keyring.signing_key, from_start=True)
    if verified.problem is None:
        return None
    return (
        f"the audit trail does not verify at entry {verified.problem.seq} ({verified.problem.kind})"
    )


def _erased_people() -> Any:
    """The people whose key the live store destroyed: their values are meant not to open."""
    return select(erased.KEYS.c.person_id).where(erased.KEYS.c.shredded_at.is_not(None))


def _open_sample(session: Session) -> tuple[int, list[str]]:
    """Open up to SAMPLE rows' sealed values per table, of people not erased."""
    vault, opened, failed, tables = vault_of(session), 0, 0, []
    for table, owner, sealed in erased.sealed_tables():
        query = (
            select(owner, *sealed)
            .where(owner.not_in(_erased_people()))
            .order_by(func.random())
            .limit(SAMPLE)
        )
        failed_before = failed
        for row in session.execute(query):
            for column, blob in zip(sealed, row[1:], strict=True):
                if blob is None:
                    continue
                try:
                    clear = vault.open_bytes(session, row[0], f"{table.name}.{column.key}", blob)
                except DomainError:
                    clear = None
                if clear is None:
                    failed += 1
                else:
                    opened += 1
        if failed > failed_before:
            tables.append(table.name)
    if not failed:
        return opened, []
    return opened, [f"{failed} sealed values do not open (tables {', '.join(tables)})"]


def _open_files(session: Session, root: Path) -> tuple[int, list[str]]:
    """Open every restored file with its owner's live key."""
    opened, problems = 0, []
    for found in disk.file_tables():
        query = select(found.id, found.owner).where(found.owner.not_in(_erased_people()))
        failed = 0
        for file_id, owner in session.execute(query):
            if not files.path_of(root, found.kind, file_id).exists():
                continue  # not on disk when the backup was taken
            try:
                files.load(session, root, found.kind, file_id, owner)
                opened += 1
            except DomainError:
                failed += 1
        if failed:
            problems.append(f"{failed} {found.kind} files do not open")
    return opened, problems


@dataclass(frozen=True)
class Status:
    """Backups and the newest restore test, as the privacy officer reads them."""

    scheduled: bool
    last: RestoreTest | None
    now: datetime

    @property
    def warning(self) -> str | None:
        if not self.scheduled:
            return "Scheduled backups are off (STEWARD_BACKUP_SCHEDULE), so nothing tests them."
        if self.last is not None and not self.last.passed:
            return f"The last restore test failed: {self.last.problem}."
        if self.last is not None and self.now - self.last.started_at > STALE:
            days = (self.now - self.last.started_at).days
            return f"No restore test for {days} days: is the worker running?"
        return None

    @property
    def summary(self) -> str:
        last = self.last
        if last is None:
            return "No restore test has run yet; the worker runs one each week."
        return (
            f"Last restore test: {'passed' if last.passed else 'FAILED'}, backup "
            f"{last.backup or 'none'}: {last.tables} tables, {last.rows} rows, "
            f"{last.files} files, {last.values_opened} sealed values opened."
        )


def status(session: Session, settings: Settings) -> Status:
    last = session.scalars(
        select(RestoreTest).order_by(RestoreTest.started_at.desc(), RestoreTest.id).limit(1)
    ).first()
    return Status(settings.backup_schedule != "off", last, clock.now())


def digest_lines(session: Session, settings: Settings) -> tuple[list[str], bool]:
    """The daily digest's lines on backups, and whether they warn (the digest then goes out
    even with no request open)."""
    found = status(session, settings)
    warning = found.warning
    lines = [f"WARNING: {warning}"] if warning else []
    when = f" ({found.last.started_at:%Y-%m-%d %H:%M} UTC)" if found.last else ""
    return [*lines, found.summary.removesuffix(".") + when], warning is not None
