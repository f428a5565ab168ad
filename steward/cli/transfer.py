"""`steward transfer`: announce the business transfer the policy names, follow it, run it on
the date (the new owner's encrypted archive), verify an archive with the new owner's key,
and make such a key pair. What is printed is counts, ids and digests, never a person."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, fail, opened

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from steward.core.actor import Actor
    from steward.transfer.models import Transfer

app = typer.Typer(
    help="Business transfer: tell account holders, then hand the data to the new owner.",
    no_args_is_help=True,
)

By = Annotated[str, typer.Option("--by", help="Your admin account's email address.")]


def _admin(session: "Session", email: str) -> "Actor":
    from steward.identity.common import actor_of, load_account, login_index
    from steward.identity.models import Account

    account = load_account(session, Account.login_index == login_index(session, email))
    if account is None or account.role != "admin" or account.status != "active":
        fail(f"{email} is not an active admin's account")
    return actor_of(account)


def _describe(transfer: "Transfer") -> None:
    typer.echo(
        f"transfer {transfer.id} to {transfer.new_controller} on {transfer.transfer_date}: "
        f"{transfer.status}"
    )
    typer.echo(
        f"announced {transfer.announced_at:%Y-%m-%d %H:%M} UTC under policy version "
        f"{transfer.policy_version}; told {transfer.told} ({transfer.told_failed} failed)"
    )
    if transfer.run_at is not None:
        typer.echo(
            f"run {transfer.run_at:%Y-%m-%d %H:%M} UTC for key {transfer.recipient_key_id}: "
            f"{count(transfer.people_included or 0, 'person', 'people')}, "
            f"{count(transfer.rows or 0, 'row', 'rows')}, "
            f"{count(transfer.files or 0, 'file', 'files')}; left out "
            f"{transfer.people_erased} erased, {transfer.people_objected} objecting"
        )
        typer.echo(f"archive {transfer.archive_name} sha256 {transfer.archive_sha256}")


@app.command()
def announce(by: By) -> None:
    """Record the transfer the active policy's `transfer:` section names and mail every
    active account holder: the date, the new owner, and how to object or have their data
    erased before it. Their privacy center shows it too."""
    from steward.transfer import service

    with opened() as (runtime, session):
        transfer = service.announce(session, runtime.settings, _admin(session, by))
        typer.echo(
            f"announced the transfer to {transfer.new_controller} on {transfer.transfer_date}: "
            f"{transfer.told} sent, {transfer.told_failed} failed"
        )


@app.command()
def status(by: By) -> None:
    """The transfer: announced or done, people told, objections and erasures so far."""
    from steward.transfer import service

    with opened() as (_, session):
        found = service.status(session, _admin(session, by))
        if found.transfer is None:
            typer.echo("no transfer announced")
            return
        _describe(found.transfer)
        typer.echo(
            f"told: {found.told}; objected: {found.objected}; erased or erasing: {found.erased}"
        )
        if found.due:
            typer.echo("the date has come: run it with `steward transfer run`")


@app.command()
def run(
    by: By,
    public_key: Annotated[
        Path,
        typer.Option(
            "--public-key", help="The new owner's public key (PEM, X25519).", exists=False
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the archive [default: STEWARD_BACKUP_DIR]."),
    ] = None,
) -> None:
    """On or after the date: write the whole data set as one archive only the new owner's
    private key opens, leaving out people erased and (as the policy says) people who
    objected; the transfer is recorded and audited."""
    from steward.transfer import service

    try:
        pem = public_key.read_bytes()
    except OSError as error:
        fail(f"cannot read {public_key}: {error.strerror}")
    with opened() as (runtime, session):
        transfer = service.run(
            session,
            runtime.settings,
            _admin(session, by),
            pem,
            out,
        )
        _describe(transfer)


@app.command()
def verify(
    archive_file: Annotated[Path, typer.Argument(metavar="ARCHIVE", help="The archive.")],
    key: Annotated[Path, typer.Option("--key", help="The new owner's private key (PEM).")],
    people: Annotated[
        bool, typer.Option("--people", help="Also list the ids of the people in it.")
    ] = False,
) -> None:
    """Open an archive with the new owner's private key and read all of it: every part and
    count, and every sealed value and file opened with the keys it carries. Exits 1 with
    the reason when the key is wrong or the archive damaged."""
    import steward.models  # noqa: F401  (the data map: which columns are sealed)
    from steward.core.errors import DomainError
    from steward.transfer import archive

    try:
        pem = key.read_bytes()
    except OSError as error:
        fail(f"cannot read {key}: {error.strerror}")
    try:
        found = archive.verify(archive_file, pem)
    except DomainError as error:
        fail(error.message)
    typer.echo(
        f"{archive_file}: good; for {found.header.new_controller}, made "
        f"{found.header.created_at} at schema {found.header.revision}: "
        f"{count(len(found.people), 'person', 'people')}, {count(found.rows, 'row', 'rows')}, "
        f"{count(sum(found.files.values()), 'file', 'files')}; opened "
        f"{count(found.sealed_values, 'sealed value', 'sealed values')} and "
        f"{count(found.files_opened, 'file', 'files')}"
    )
    if people:
        for person_id in found.people:
            typer.echo(person_id)


@app.command()
def keygen(
    name: Annotated[
        Path, typer.Argument(help="Writes NAME.key (private, mode 0600) and NAME.pub.")
    ],
) -> None:
    """Make a new owner's X25519 key pair: the new owner keeps NAME.key and gives NAME.pub."""
    import os

    from steward.transfer.archive import key_id, load_public_key, new_key_pair

    private, public = new_key_pair()
    private_path, public_path = name.with_suffix(".key"), name.with_suffix(".pub")
    for path in (private_path, public_path):
        if path.exists():
            fail(f"{path} exists already; choose another name")
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private)
        public_path.write_bytes(public)
    except OSError as error:
        fail(f"cannot write {name}: {error.strerror}")
    typer.echo(f"wrote {private_path} (keep it secret) and {public_path} (give it)")
    typer.echo(f"key id {key_id(load_public_key(public))}")
