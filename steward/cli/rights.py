"""`steward rights`: the rights requests queue, one request's timeline, the periodic run
(lapse unverified requests, carry out erasures whose grace is over, deliver notices to
recipients) and the privacy officer's daily digest. Nothing printed holds personal data."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from steward.cli.common import count, opened

app = typer.Typer(
    help="Rights requests: list, show, run the due work, mail the digest.", no_args_is_help=True
)


def _when(moment: object) -> str:
    """An operator's time: UTC, and saying so (the pages show the viewer's own zone)."""
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


@app.command("list")
def list_requests(
    every: Annotated[
        bool, typer.Option("--all", help="Closed requests too, not only the open ones.")
    ] = False,
) -> None:
    """The requests, soonest due first, with overdue and due-soon marked."""
    from steward.core.actor import SYSTEM
    from steward.rights import queries

    with opened() as (_, session):
        items = queries.queue(session, SYSTEM, include_closed=every)
    if not items:
        typer.echo("no open requests" if not every else "no requests")
        return
    for found in items:
        mark = "OVERDUE" if found.overdue else "due soon" if found.due_soon else ""
        typer.echo(
            f"{found.reference}  {found.kind:<18} {found.status:<10} "
            f"due {_when(found.due_at)}  {mark}".rstrip()
        )
    typer.echo(count(len(items), "request", "requests"))


@app.command("show")
def show(
    reference: Annotated[str, typer.Argument(help="The request's reference, PR-....")],
) -> None:
    """One request: its kind, status, dates and timeline (no contact details)."""
    from steward.rights import queries
    from steward.rights.common import by_reference

    with opened() as (_, session):
        request = by_reference(session, reference)
        found = queries.item(session, request)
        steps = queries.timeline(session, request.id)
    typer.echo(f"{found.reference}  {found.kind}  ({found.channel})")
    typer.echo(f"status     {found.status}{f' ({found.outcome})' if found.outcome else ''}")
    typer.echo(f"received   {_when(found.received_at)}")
    typer.echo(f"verified   {_when(found.verified_at)}")
    typer.echo(f"due        {_when(found.due_at)}{'  OVERDUE' if found.overdue else ''}")
    typer.echo(f"completed  {_when(found.completed_at)}")
    typer.echo("timeline:")
    for step in steps:
        note = f"  {step.note}" if step.note else ""
        typer.echo(f"  {_when(step.at)}  {step.step}{note}")


@contextmanager
def _erasure_progress() -> Iterator[Callable[[str, str, int], None]]:
    """A spinner with rows erased per request and table on stderr (a terminal only)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda reference, table, done: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"))
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(reference: str, table: str, done: int) -> None:
            if reference not in tasks:
                tasks[reference] = bar.add_task(f"erasing {reference}", total=None)
            task = tasks[reference]
            bar.update(task, advance=done, description=f"erasing {reference}: {table}")  # type: ignore[arg-type]

        yield update


@app.command("run")
def run() -> None:
    """Lapse unverified requests, carry out due erasures, deliver notices. Run it often.

    Erasures whose grace is over go in batches and resume after a crash; notices to
    recipients are retried with back-off."""
    from steward.rights import deadlines, erasure, recipients

    with opened() as (runtime, session):
        settings = runtime.settings
        lapsed = deadlines.lapse_unverified(session, settings)
        typer.echo(f"lapsed: {count(lapsed, 'request', 'requests')}")
        with _erasure_progress() as progress:
            erased = erasure.run_due(runtime, progress=progress)
        typer.echo(f"erased: {count(erased, 'request', 'requests')}")
        sent = recipients.deliver_due(session, settings)
        typer.echo(
            f"notices to recipients: {sent.delivered} delivered, {sent.failed} to retry, "
            f"{sent.given_up} given up"
        )


@app.command("digest")
def digest() -> None:
    """Mail the privacy officers the digest of open requests and incidents due. Run it daily.

    It goes to every active privacy officer and the policy's privacy contact, and names
    references, kinds and due dates only, then the newest restore test of the backups and the
    count of open security alerts; it goes out with no request open when that test failed or
    is overdue, or an alert is open."""
    from steward.jobs.handlers import send_digest

    with opened() as (runtime, session):
        sent = send_digest(session, runtime.settings)
    typer.echo(f"digest mailed to {count(sent, 'address', 'addresses')}")
