"""`steward demo`: fill the database with a realistic demo business."""

from importlib.util import find_spec
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, current_settings, database, fail

if TYPE_CHECKING:
    from steward.demo.base import DemoResult

# One command, not a group of them: the callback does the work, and no subcommand is listed.
app = typer.Typer(short_help="Fill the database with a demo business.", subcommand_metavar="")

DISTRIBUTION = "steward-desk"  # the name Steward is published under (`steward` is another project)
TOTP_HINT = "python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""


@app.callback(invoke_without_command=True)
def demo(
    people: Annotated[
        int, typer.Option("--people", help="How many customers' people to invent.")
    ] = 60,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same data.")] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Add demo data even when the desk has tickets.")
    ] = False,
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Do nothing, quietly, when the desk already has tickets."),
    ] = False,
) -> None:
    """Fill the desk with a demo business spread over four years, in the trade of the active
    policy and only with the data it holds, with sign-in accounts for every staff role and a
    few customers (one password, printed at the end)."""
    if people < 1:
        fail("--people must be at least 1")
    if force and if_empty:
        fail("--force and --if-empty contradict each other; choose one")
    if find_spec("faker") is None:
        fail(
            f"steward demo needs Faker, which the demo extra brings: pip install '{DISTRIBUTION}[demo]'"
        )
    from rich.progress import Progress

    from steward.core.errors import DomainError
    from steward.demo import loader
    from steward.demo import requests as rights_demo

    settings = current_settings()
    if not settings.policy.exists():
        fail(f"{settings.policy} does not exist; run `steward init` first")
    with database() as runtime, runtime.session() as session:
        settings = runtime.settings
        if loader.holds_tickets(session) and not force:
            if if_empty:
                return
            fail("the desk already holds tickets; pass --force to add demo data anyway")
        try:
            with Progress(transient=True) as progress:
                task = progress.add_task("demo", total=len(loader.PHASES))

                def phase(name: str) -> None:
                    progress.update(task, description=name, completed=loader.PHASES.index(name))

                result = loader.load(
                    session, settings.files_dir, people=people, seed=seed, on_phase=phase
                )
                requests = rights_demo.load(session, seed=seed, settings=settings)
        except DomainError as error:
            fail(error.message)
    _report(result, seed, settings.public_url)
    typer.echo(f"{count(requests, 'privacy request', 'privacy requests')} wait at /dpo")


def _report(result: "DemoResult", seed: int, url: str) -> None:
    counts = result.counts
    typer.echo(
        f"demo loaded (seed {seed}), {result.trade}: "
        + ", ".join(
            count(counts.get(table, 0), one, many)
            for table, one, many in (
                ("organisations", "organisation", "organisations"),
                ("people", "person", "people"),
                ("tickets", "ticket", "tickets"),
                ("messages", "message", "messages"),
                ("calls", "call", "calls"),
                ("devices", "device", "devices"),
                ("invoices", "invoice", "invoices"),
            )
        )
    )
    created = [a for a in result.accounts if a.created]
    if created:
        typer.echo(f"\nSign in at {url}/ with the password: {result.password}")
        for account in created:
            secret = f"MFA secret {account.mfa_secret}" if account.mfa_secret else "no MFA"
            typer.echo(f"  {account.role:<16} {account.email:<32} {secret}")
        typer.echo(
            f"\nStaff need a code from an authenticator app holding their secret, or:\n  {TOTP_HINT}"
        )
    if any(not a.created for a in result.accounts):
        typer.echo(
            "\nThe demo accounts existed already; their passwords and MFA secrets are unchanged."
        )
