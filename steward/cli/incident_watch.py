"""`steward incident alerts` (list the watch's alerts) and `steward incident watch` (run the
rules now, as the worker does every 5 minutes). What is printed names rules, account ids,
address fingerprints and counts, never a person."""

from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, opened
from steward.cli.incidents import app

if TYPE_CHECKING:
    from steward.incidents.watch import AlertView


def _line(alert: "AlertView") -> str:
    from steward.incidents.watch import describe, responded

    text = (
        f"{alert.id}  {alert.status:<9} {alert.rule:<19} "
        f"{alert.window_from:%Y-%m-%d %H:%M}-{alert.window_until:%H:%M} UTC  {describe(alert)}"
    )
    return text + (f". {responded(alert)}" if alert.responded_at else "")


@app.command("alerts")
def alerts(
    everything: Annotated[
        bool, typer.Option("--all", help="Also the alerts dismissed or made incidents.")
    ] = False,
) -> None:
    """The watch's alerts, newest first: open ones, or all with --all."""
    from steward.core.actor import SYSTEM
    from steward.incidents import alerts

    with opened() as (_, session):
        found = alerts.listing(session, SYSTEM, everything=everything, limit=1000)
    if not found:
        typer.echo("no alerts" if everything else "no open alerts")
    for alert in found:
        typer.echo(_line(alert))


@app.command("watch")
def run_watch() -> None:
    """Run the watch's rules now over what happened since they last ran; raise, mail and
    respond to what they find."""
    from steward.incidents import watch

    with opened() as (runtime, session):
        result = watch.run(session, runtime.settings)
    typer.echo(
        f"looked at {result.looked_from:%Y-%m-%d %H:%M} to {result.looked_until:%Y-%m-%d %H:%M} "
        f"UTC: {count(len(result.raised), 'new alert', 'new alerts')}"
    )
    for alert in result.raised:
        typer.echo(_line(alert))
