"""`steward audit`: verify the keyed audit trail and sign checkpoints of it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import current_settings, fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from steward.vault.keyring import Keyring

app = typer.Typer(
    help="Verify and checkpoint the tamper-evident audit trail.", no_args_is_help=True
)

OnProgress = Callable[[int, int], None]


@contextmanager
def _opened() -> Iterator[tuple["sessionmaker[Session]", "Keyring"]]:
    """The upgraded database and the key file named by the settings."""
    from steward.audit.service import use_key
    from steward.core.db import make_engine, make_sessionmaker, release, upgrade
    from steward.vault.keyring import KeyFileError, Keyring

    settings = current_settings()
    try:
        keyring = Keyring.load(settings.key_file)
    except KeyFileError as error:
        fail(error.message)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        use_key(engine, keyring.signing_key)
        yield make_sessionmaker(engine), keyring
    finally:
        release(engine)


@contextmanager
def _progress_bar(label: str) -> Iterator[OnProgress]:
    """A progress bar over entries on stderr, so stdout holds only the verdict."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # under cron or a pipe: the verdict only
        yield lambda done, total: None
        return
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done))

        yield update


@app.command("verify")
def audit_verify(
    from_start: Annotated[
        bool,
        typer.Option(
            "--from-start",
            help="Recompute every entry from the first, not only those after the newest "
            "valid signed checkpoint.",
        ),
    ] = False,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="The outside copy of the checkpoints to check against (a copy shipped "
            "elsewhere); default: STEWARD_AUDIT_CHECKPOINTS.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Link pending entries, recompute every MAC and link with the key file, and check the
    signed checkpoints, in the database and outside it; exit 1 naming the first break."""
    from steward.audit.service import verify_trail

    outside = checkpoints or current_settings().audit_checkpoints_file
    with _opened() as (factory, keyring), _progress_bar("verifying") as progress:
        result = verify_trail(
            factory, keyring.signing_key, progress, outside=outside, from_start=from_start
        )
    if result.problem is not None:
        typer.echo(f"audit trail broken at seq {result.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {result.entries} entries, head {result.head_link}")
    if result.from_checkpoint is not None:
        typer.echo(
            f"checked {result.checked} entries after the signed checkpoint at seq "
            f"{result.from_checkpoint}; --from-start checks them all"
        )


@app.command("checkpoint")
def audit_checkpoint() -> None:
    """Link pending entries, verify those since the last checkpoint, sign the head with the
    key file and append the checkpoint to the outside copy (STEWARD_AUDIT_CHECKPOINTS)."""
    from steward.audit.service import write_checkpoint
    from steward.core.errors import DomainError

    outside = current_settings().audit_checkpoints_file
    with _opened() as (factory, keyring), _progress_bar("verifying") as progress:
        try:
            written = write_checkpoint(factory, keyring.signing_key, progress, outside=outside)
        except DomainError as error:
            fail(error.message)
    typer.echo(f"checkpoint {written.id} signed at seq {written.seq}, link {written.link}")
