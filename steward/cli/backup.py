"""`steward backup`: create, verify, restore and restore-test encrypted backups (no data keys
inside)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, current_settings, fail

if TYPE_CHECKING:
    from steward.backup.service import Summary
    from steward.vault.keyring import Keyring

app = typer.Typer(
    help="Encrypted backups of every table except the data keys, and of the encrypted files.",
    no_args_is_help=True,
)

FILE = Annotated[Path, typer.Argument(help="The backup file.", metavar="FILE", show_default=False)]
NEWEST = Annotated[
    Path | None,
    typer.Argument(
        help="The backup file \\[default: the newest in STEWARD_BACKUP_DIR].",
        metavar="[FILE]",
        show_default=False,
    ),
]


def _keyring() -> "Keyring":
    import steward.models  # noqa: F401  (every table on the metadata the backup walks)
    from steward.vault.keyring import KeyFileError, Keyring

    try:
        return Keyring.load(current_settings().key_file)
    except KeyFileError as error:
        fail(error.message)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int], None]]:
    """Rows done per table on stderr, when it is a terminal."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda table, done: None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:
        task = bar.add_task(label)

        def update(table: str, done: int) -> None:
            bar.update(task, description=f"{label}: {table} ({done:,} rows)")

        yield update


@contextmanager
def _domain_errors() -> Iterator[None]:
    from steward.core.errors import DomainError

    try:
        yield
    except DomainError as error:
        fail(error.message)


def _describe(summary: "Summary") -> str:
    return (
        f"{count(len(summary.tables), 'table', 'tables')}, "
        f"{count(summary.rows, 'row', 'rows')}, {count(summary.file_count, 'file', 'files')}, "
        f"taken {summary.created_at} from {summary.dialect} at schema {summary.revision}"
    )


@app.command()
def create(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write \\[default: a new generation in STEWARD_BACKUP_DIR, of which "
            "the newest STEWARD_BACKUP_KEEP are kept].",
            metavar="[FILE]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write every table but the data keys, and the encrypted files, compressed and encrypted.

    The file is encrypted with a key derived from the key file; without that key file it
    cannot be read. It holds no data key, so it opens only with the live key store: a
    person erased after the backup stays erased when it is restored. The attachments and
    call recordings go in as they lie on disk, sealed under their owners' data keys.
    """
    from steward.backup import generations
    from steward.backup.service import create as create_backup
    from steward.core.db import make_engine, make_sessionmaker, release

    settings = current_settings()
    keyring = _keyring()
    engine = make_engine(settings.database_url)
    deleted: list[Path] = []
    try:
        with _domain_errors(), _progress("backing up") as progress:
            if file is None:
                with make_sessionmaker(engine)() as session:
                    good = generations.newest_good(session)
                file, summary, deleted = generations.take(engine, keyring, settings, good)
            else:
                summary = create_backup(engine, keyring, file, settings.files_dir, progress)
    except OSError as error:
        fail(f"cannot write {file or settings.backup_dir}: {error.strerror}")
    finally:
        release(engine)
    typer.echo(f"wrote {file}: {_describe(summary)}")
    if summary.files_missing:
        typer.echo(
            f"{count(summary.files_missing, 'file was', 'files were')} not on disk "
            f"(removed since, or lost from {settings.files_dir})"
        )
    for old in deleted:
        typer.echo(f"deleted the older {old}")


@app.command()
def verify(file: FILE) -> None:
    """Read FILE whole with the key file, checking every part and every table's count."""
    from steward.backup.service import verify as verify_backup

    keyring = _keyring()
    with _domain_errors(), _progress("verifying") as progress:
        summary = verify_backup(file, keyring, progress)
    for table, rows in summary.tables.items():
        typer.echo(f"  {table}: {rows}")
    for kind, files in summary.files.items():
        typer.echo(f"  files {kind}: {files}")
    typer.echo(f"backup intact: {_describe(summary)}")


@app.command()
def restore(
    file: FILE,
    into: Annotated[
        str | None,
        typer.Option(
            help="Database URL to restore into; it must be empty "
            "\\[default: the configured database].",
            show_default=False,
        ),
    ] = None,
    keys_from: Annotated[
        str | None,
        typer.Option(
            help="Database URL of the live key store, whose data keys (destroyed ones too) "
            "the restored data opens with \\[default: the configured database].",
            show_default=False,
        ),
    ] = None,
    files_into: Annotated[
        Path | None,
        typer.Option(
            help="Directory to write the encrypted files into; it must be empty "
            "\\[default: STEWARD_FILES_DIR].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load FILE into an empty database, with the data keys of the live key store.

    People erased since the backup was taken stay erased: their keys are destroyed in the
    live store, so their restored values read as erased.
    """
    from steward.backup.service import restore as restore_backup
    from steward.core.db import make_engine, normalise_url, release

    settings = current_settings()
    keyring = _keyring()
    target_url = into or settings.database_url
    keys_url = keys_from or settings.database_url
    target = make_engine(target_url)
    same = normalise_url(target_url) == normalise_url(keys_url)
    keys = None if same else make_engine(keys_url)
    try:
        with _domain_errors(), _progress("restoring") as progress:
            restored = restore_backup(
                file, keyring, target, keys, files_into or settings.files_dir, progress
            )
    finally:
        release(target)
        if keys is not None:
            release(keys)
    typer.echo(f"restored {file}: {_describe(restored)}")
    if keys is not None:
        typer.echo(
            f"copied {count(restored.keys_copied, 'data key', 'data keys')} from the key store"
        )
    typer.echo(
        f"wrote {count(restored.files_written, 'file', 'files')} into "
        f"{files_into or settings.files_dir}"
    )
    if restored.erased_people:
        typer.echo(
            f"{count(restored.erased_people, 'person reads', 'people read')} as erased "
            "(their data keys are destroyed in the live key store)"
        )
    if restored.files_erased:
        typer.echo(
            f"{count(restored.files_erased, 'file', 'files')} of erased people left out "
            "(they could never be opened)"
        )


@app.command("test")
def restore_test(file: NEWEST = None) -> None:
    """Restore FILE into a scratch database and directory, check it, and record the result.

    The weekly test the worker runs (X5): every table's count, the audit trail from its
    first entry, a sample of sealed values and every file opening with the live keys. The
    scratch copy (a temporary SQLite file, or a PostgreSQL database made and dropped on the
    same server, which needs CREATEDB) is gone afterwards. The result shows on /dpo and in
    the privacy officer's digest. Exits 1 when the test fails.
    """
    from steward.backup import drill
    from steward.cli.common import database

    with database() as runtime:
        result = drill.run(runtime, file, source="cli")
    if not result.passed:
        fail(f"restore test failed: {result.problem}")
    typer.echo(
        f"restore test passed: {result.backup}: {count(result.tables, 'table', 'tables')}, "
        f"{count(result.rows, 'row', 'rows')}, {count(result.files, 'file', 'files')} opened, "
        f"{count(result.values_opened, 'sealed value', 'sealed values')} opened"
    )
