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
    from rich.progress import Progress
    from sqlalchemy import func, select

    from steward.core.db import make_engine, make_sessionmaker, release, transaction, upgrade
    from steward.core.shared import KEYS, announce
    from steward.vault.keyring import KeyFileError, Keyring
    from steward.vault.models import DataKey
    from steward.vault.service import Vault

    settings = current_settings()
    try:
        keyring = Keyring.load(settings.key_file)
    except KeyFileError as error:
        fail(error.message)
    if len(keyring.master_keys) == 1:
        keyring = keyring.with_new_master()
        keyring.save(settings.key_file)
        typer.echo(f"new master key {keyring.current_id} written to {settings.key_file}")
    else:
        typer.echo(f"resuming the rotation to master key {keyring.current_id}")
    vault = Vault(keyring)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        # From this commit on, every process wraps under the new key; a key being wrapped
        # under the old one now is committed first (the announcement waits) and re-wrapped below.
        with transaction(sessions) as session:
            announce(session, KEYS, keyring.current_id)
        old = DataKey.master_key_id.is_not(None) & (DataKey.master_key_id != keyring.current_id)
        with transaction(sessions) as session:
            pending = session.scalar(select(func.count()).where(old)) or 0
        with Progress(transient=True) as progress:
            task = progress.add_task("re-wrapping data keys", total=pending)
            while True:
                with transaction(sessions) as session:
                    done = vault.rewrap_batch(session, batch)
                if not done:
                    break
                progress.advance(task, done)
        keyring.only_current().save(settings.key_file)
        with transaction(sessions) as session:  # processes drop the retired key too
            announce(session, KEYS, keyring.current_id)
    finally:
        release(engine)
    typer.echo(
        f"rotated: {pending} data key(s) now wrapped by {keyring.current_id}; "
        "the old master key is gone from the key file"
    )
