"""`steward keys`: rotate the master key that wraps every person's data key."""

from typing import Annotated

import typer

from steward.cli.common import current_settings, fail

app = typer.Typer(help="Manage the master key.", no_args_is_help=True)


@app.command()
def rotate(
    batch: Annotated[int, typer.Option(min=1, help="Data keys re-wrapped per transaction.")] = 500,
) -> None:
    """Re-wrap every data key under a new master key. Data is not re-encrypted.

    Safe to interrupt and run again: the key file keeps the old key beside the new one until
    every data key is re-wrapped, and a second run carries on where the first stopped.
    Running servers and workers read the new key file within a second, without a restart; on
    several machines, copy the new key file to each before rotating.
    """
    from rich.progress import Progress, TaskID

    from steward.core.db import make_engine, make_sessionmaker, release, upgrade
    from steward.vault.keyring import KeyFileError
    from steward.vault.rotation import rotate as rotate_keys

    settings = current_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with Progress(transient=True) as progress:
            task: list[TaskID] = []

            def started(key_id: str, resumed: bool, pending: int) -> None:
                if resumed:
                    progress.console.print(f"resuming the rotation to master key {key_id}")
                else:
                    progress.console.print(
                        f"new master key {key_id} written to {settings.key_file}"
                    )
                task.append(progress.add_task("re-wrapping data keys", total=pending))

            rotated = rotate_keys(
                settings.key_file,
                make_sessionmaker(engine),
                batch,
                started=started,
                advanced=lambda done: progress.advance(task[0], done),
            )
    except KeyFileError as error:
        fail(error.message)
    finally:
        release(engine)
    typer.echo(
        f"rotated: {rotated.rewrapped} data key(s) now wrapped by {rotated.key_id}; "
        "the old master key is gone from the key file"
    )
