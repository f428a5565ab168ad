"""Create, verify and restore backups: every table but the data keys, streamed in batches,
then the encrypted files (disk.py).

The tables are those of `steward.core.db.Base.metadata`: callers import `steward.models`
first (backup may not import the rights domain, which sits beside it).

A backup never holds a data key. Restoring takes the keys from the live key store, so a
person erased (their key destroyed) after the backup was taken stays erased in the restored
copy: their sealed values read as erased, exactly as in the live database.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, literal, select
from sqlalchemy import table as sql_table
from sqlalchemy.engine import make_url

from steward.backup import disk, erased, sealing
from steward.backup.rows import (
    KEYS_TABLE,
    SEEDED,
    Walker,
    backed_up_tables,
    decoder,
    encoder,
    kind_of,
    target_table,
    unknown_tables,
)
from steward.backup.sealing import BackupUnreadable, Header
from steward.core import clock
from steward.core.errors import Conflict, Invalid
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey

BATCH = 1000
KEYS = cast(Table, DataKey.__table__)
OnProgress = Callable[[str, int], None]  # table name, rows done in it so far


@dataclass
class Summary:
    """What a backup holds: no personal data, only names and counts."""

    created_at: str
    revision: str | None
    dialect: str
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)  # encrypted files, per kind
    files_missing: int = 0  # rows whose file was not on disk when the backup was taken

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def file_count(self) -> int:
        return sum(self.files.values())


@dataclass
class Restored(Summary):
    keys_copied: int = 0
    erased_people: int = 0  # people in the backup whose data key the live store destroyed
    stale_values: int = 0  # their values sealed under a key replaced since: cleared
    removed: dict[str, int] = field(default_factory=dict)  # their sessions and codes: deleted
    files_written: int = 0
    files_erased: int = 0  # files of erased people: not written back


def create(
    engine: Engine,
    keyring: Keyring,
    path: Path,
    files_dir: Path,
    progress: OnProgress | None = None,
) -> Summary:
    """Write a backup of the database and of the encrypted files in `files_dir` to `path`
    (atomically, readable by the owner only)."""
    on_progress = progress or (lambda table, done: None)
    temporary = path.with_name(f".{path.name}.partial")
    with snapshot(engine) as connection:
        header = Header(
            created_at=clock.now().isoformat(),
            revision=revision_of(connection),
            dialect=engine.dialect.name,
            key_id=sealing.key_id(keyring),
            salt=sealing.new_salt(),
        )
        summary = Summary(header.created_at, header.revision, header.dialect)
        present = set(inspect(connection).get_table_names())
        unknown = unknown_tables(present)
        if unknown:
            raise Invalid(
                f"the database holds tables the models do not declare ({', '.join(unknown)}); "
                "a backup leaves nothing out, so none was written"
            )
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                writer = sealing.Writer(out, keyring, header)
                for table in backed_up_tables():
                    if table.name not in present:
                        continue
                    stored = {c["name"] for c in inspect(connection).get_columns(table.name)}
                    columns = [c for c in table.columns if c.name in stored]
                    kinds = [kind_of(c) for c in columns]
                    writer.record(
                        {"table": table.name, "columns": [c.name for c in columns], "kinds": kinds}
                    )
                    encode, count = encoder(kinds), 0
                    query = select(*columns).order_by(*table.primary_key.columns)
                    for row in connection.execution_options(yield_per=BATCH).execute(query):
                        writer.record(encode(row))
                        count += 1
                        if count % BATCH == 0:
                            on_progress(table.name, count)
                    on_progress(table.name, count)
                    writer.record({"end": table.name, "rows": count})
                    summary.tables[table.name] = count
                summary.files, summary.files_missing = disk.write(
                    connection, writer, files_dir, on_progress
                )
                writer.record({"done": summary.tables, "files": summary.files})
                writer.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return summary


def verify(path: Path, keyring: Keyring, progress: OnProgress | None = None) -> Summary:
    """Read the whole backup, checking every frame and count; raises BackupUnreadable."""
    on_progress = progress or (lambda table, done: None)
    done: dict[str, int] = {}

    def rows(name: str, batch: list[list[Any]]) -> None:
        done[name] = done.get(name, 0) + len(batch)
        on_progress(name, done[name])

    with open_readable(path) as source:
        header, _ = sealing.read_header(source)
        source.seek(0)
        walker = Walker(on_rows=rows)
        tables = walker.walk(sealing.records(source, keyring))
    return Summary(header.created_at, header.revision, header.dialect, tables, walker.files)


def restore(
    path: Path,
    keyring: Keyring,
    into: Engine,
    keys_from: Engine | None,
    files_into: Path,
    progress: OnProgress | None = None,
) -> Restored:
    """Load the backup into the empty database `into`, with the data keys of `keys_from`
    (None: the keys are already in `into`, the live key store itself), and its files into
    the empty directory `files_into`."""
    on_progress = progress or (lambda table, done: None)
    with open_readable(path) as source:
        header, _ = sealing.read_header(source)
        sealing.check_key(header, keyring)
        source.seek(0)
        records = sealing.records(source, keyring)
        _refuse_unless_empty(into, keys_copied=keys_from is not None)
        disk.refuse_unless_empty(files_into)
        _migrate_to(into, header.revision)
        restored = Restored(header.created_at, header.revision, header.dialect)
        with into.begin() as connection:
            if keys_from is not None:
                restored.keys_copied = _copy_keys(keys_from, connection, on_progress)
            unpacker = disk.Unpacker(files_into, connection)
            try:
                _load(connection, records, restored, unpacker, on_progress)
            except BaseException:
                unpacker.discard()
                raise
            restored.files_written, restored.files_erased = unpacker.written, unpacker.erased
            _reset_sequences(connection)
            restored.stale_values = erased.clear_stale_values(connection, keyring)
            restored.erased_people = _erased_people(connection)
    from steward.core.db import upgrade

    upgrade(into)
    with into.begin() as connection:
        restored.removed = erased.retire_accounts(connection)
    return restored


def _load(
    connection: Connection,
    records: Any,
    restored: Restored,
    unpacker: disk.Unpacker,
    on_progress: OnProgress,
) -> None:
    state: dict[str, Any] = {}

    def table(name: str, columns: list[str], kinds: list[str]) -> None:
        made = target_table(name, columns, kinds)
        if name in SEEDED:
            connection.execute(made.delete())
        state.update(name=name, columns=columns, decode=decoder(kinds), insert=insert(made))
        state["done"] = 0

    def rows(name: str, batch: list[list[Any]]) -> None:
        decode, columns = state["decode"], state["columns"]
        connection.execute(
            state["insert"], [dict(zip(columns, decode(r), strict=True)) for r in batch]
        )
        state["done"] += len(batch)
        on_progress(name, state["done"])

    walker = Walker(
        on_table=table,
        on_rows=rows,
        on_file=unpacker.start,
        on_bytes=unpacker.write,
        on_file_end=unpacker.end,
        batch=BATCH,
    )
    restored.tables = walker.walk(records)
    restored.files = walker.files


def _refuse_unless_empty(engine: Engine, keys_copied: bool) -> None:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        names = [t.name for t in backed_up_tables() if t.name not in SEEDED]
        if keys_copied:
            names.append(KEYS_TABLE)
        for name in names:
            probe = select(literal(1)).select_from(sql_table(name)).limit(1)
            if name in present and connection.execute(probe).first():
                raise Conflict(
                    f"the target database is not empty (table {name} holds rows): restore into "
                    "a new, empty database (do not run `steward init` on it first)"
                )


def _copy_keys(source: Engine, target: Connection, on_progress: OnProgress) -> int:
    """Every data key of the live store, shredded ones included (so erasures hold)."""
    table = KEYS
    copied = 0
    with source.connect() as connection:
        if not inspect(connection).has_table(KEYS_TABLE):
            raise Invalid("the key store named by --keys-from has no data_keys table")
        result = connection.execution_options(yield_per=BATCH).execute(
            select(table).order_by(table.c.person_id)
        )
        for batch in result.mappings().partitions(BATCH):
            target.execute(insert(table), [dict(row) for row in batch])
            copied += len(batch)
            on_progress(KEYS_TABLE, copied)
    return copied


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each serial column's sequence past the restored ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in backed_up_tables():
        column = table.autoincrement_column
        if column is not None:
            highest = func.max(column)
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            connection.execute(
                select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
            )


def _erased_people(connection: Connection) -> int:
    from steward.identity.models import Person

    people, keys = cast(Table, Person.__table__), KEYS
    query = (
        select(func.count())
        .select_from(people)
        .join(keys, keys.c.person_id == people.c.id)
        .where(keys.c.shredded_at.is_not(None))
    )
    return int(connection.execute(query).scalar_one())


def revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    return heads[0] if heads else None


def _migrate_to(engine: Engine, revision: str | None) -> None:
    """Bring the empty target to the backup's schema, so its rows fit; `upgrade` follows."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from steward.core.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if revision is None:
        raise BackupUnreadable("the backup was taken from a database without a schema")
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except CommandError:
        raise Invalid(
            f"the backup's schema ({revision}) is newer than this Steward's; "
            "restore it with the version that made it"
        ) from None
    with engine.begin() as connection:
        current = revision_of(connection)
        config.attributes["connection"] = connection
        if current is None:
            command.upgrade(config, revision)
        elif current != revision:
            script = ScriptDirectory.from_config(config)
            ahead = revision in {r.revision for r in script.iterate_revisions(current, "base")}
            (command.downgrade if ahead else command.upgrade)(config, revision)


class open_readable:
    """Opens the backup file, turning a missing or unreadable file into a clear error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Any:
        try:
            self.handle = self.path.open("rb")
        except OSError as error:
            raise Invalid(f"cannot read {self.path}: {error.strerror}") from None
        return self.handle

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


class snapshot:
    """One connection seeing the database as of one moment, for every table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        if self.engine.dialect.name == "postgresql":
            self.connection = self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            )
            self.connection.begin()
        else:
            self.connection = self.engine.connect()
            self.connection.exec_driver_sql("BEGIN")  # a read transaction: WAL snapshot
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.rollback()
        self.connection.close()


def database_name(url: str) -> str:
    """A URL to show: no password."""
    return make_url(url).render_as_string(hide_password=True)
