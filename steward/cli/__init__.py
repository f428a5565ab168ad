"""The `steward` command. Thin: it parses arguments and calls domain services.

Heavy modules (FastAPI, SQLAlchemy, Pydantic) are imported inside the commands that need
them, so `steward --help` stays fast. Each group of commands has its own module.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from steward.cli import (
    accounts,
    audit,
    backup,
    demo,
    incidents,
    keys,
    mail,
    policy,
    retention,
    rights,
    transfer,
    worker,
)
from steward.cli.common import current_settings, fail, report

if TYPE_CHECKING:
    from steward.core.settings import Settings
    from steward.policy.service import ActivePolicy

app = typer.Typer(
    help="Steward: a service desk that keeps the promises of its privacy policy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(policy.app, name="policy")
app.add_typer(keys.app, name="keys")
app.add_typer(accounts.app, name="accounts")
app.add_typer(audit.app, name="audit")
app.add_typer(mail.app, name="mail")
app.add_typer(demo.app, name="demo")
app.add_typer(backup.app, name="backup")
app.add_typer(rights.app, name="rights")
app.add_typer(retention.app, name="retention")
app.add_typer(retention.holds_app, name="holds")
app.add_typer(incidents.app, name="incident")
app.add_typer(transfer.app, name="transfer")
app.command("worker")(worker.worker)

EXAMPLES = Path(__file__).parents[1] / "examples"  # in the repository, a link to examples/
DEFAULT_EXAMPLE = EXAMPLES / "houston-generator.yaml"


@app.command()
def init(
    start_from: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Policy file to copy to policy.yaml when there is none "
            "\\[default: examples/houston-generator.yaml].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create the database, the master key file and policy.yaml (from an example)."""
    import shutil

    from steward.vault.keyring import Keyring

    settings = current_settings()
    if not settings.policy.exists():
        source = start_from or DEFAULT_EXAMPLE
        if not source.is_file():
            fail(
                f"{settings.policy} does not exist and {source} cannot be copied; pass --from FILE"
            )
        shutil.copyfile(source, settings.policy)
        typer.echo(f"created {settings.policy} from {source.name}")
    elif start_from is not None:
        typer.echo(f"{settings.policy} already exists; --from ignored")
    if not settings.key_file.exists():
        Keyring.generate().save(settings.key_file)
        typer.echo(
            f"created key file {settings.key_file} (mode 0600; back it up apart from the "
            "database, never commit it)"
        )
    policy = _ready_database(settings).policy
    typer.echo(f"database ready; policy {policy.version} of {policy.controller.legal_name} active")


def _ready_database(settings: "Settings") -> "ActivePolicy":
    """Read the policy (ending the command with its problems), bring the schema to the newest
    migration and record the policy's text."""
    from steward.core.db import make_engine, make_sessionmaker, release, upgrade
    from steward.policy.loader import PolicyInvalid
    from steward.policy.service import read_active, record_version

    try:
        active = read_active(settings.policy)
    except PolicyInvalid as error:
        report(error)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        record_version(make_sessionmaker(engine), active)
    finally:
        release(engine)
    return active


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind \\[default: 127.0.0.1].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port \\[default: 8000].")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Server processes; more than one needs PostgreSQL."),
    ] = 1,
) -> None:
    """Upgrade the database and serve the web app. SIGTERM or Ctrl+C stops taking new
    requests, lets those under way finish (up to 30 s) and closes the database connections."""
    import uvicorn

    settings = current_settings()
    if not settings.policy.exists():
        fail(f"{settings.policy} does not exist; run `steward init` first")
    if workers > 1 and settings.database_url.startswith("sqlite"):
        fail("--workers above 1 needs PostgreSQL: SQLite takes one writer at a time, one process")
    target: Any
    if workers == 1:
        from steward.policy.loader import PolicyInvalid
        from steward.web.app import create_app

        try:
            target = create_app(settings)
        except PolicyInvalid as error:
            report(error)
    else:
        # Once, before the processes start; each then builds its app from the same settings
        # in the environment and finds the schema and the policy as they must be.
        _ready_database(settings)
        target = "steward.web.app:create_app"
    bind, at = host or settings.host, port or settings.port
    processes = f", {workers} processes" if workers > 1 else ""
    typer.echo(f"Steward serving on http://{bind}:{at}{processes} (Ctrl+C to stop)")
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers,
        host=bind,
        port=at,
        log_level="warning",
        access_log=False,
        # Forwarded headers are the app's to judge (STEWARD_TRUSTED_PROXIES), not uvicorn's,
        # which would otherwise believe them from 127.0.0.1.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )


GRACE_SECONDS = 30  # a request under way at shutdown gets this long to finish


def main() -> None:
    app()
