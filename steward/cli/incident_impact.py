"""`steward incident affected`: who an incident affected, computed from the audit trail and
the data map, frozen into the incident (or only counted with `--preview`). Acts as Steward
itself; prints counts, category keys and laws, never a person."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import fail, opened
from steward.cli.incidents import app

if TYPE_CHECKING:
    from steward.incidents.impact import Counts


def _moment(text: str | None, what: str) -> datetime | None:
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{what} is not a date and time; write it like 2026-12-01T09:00Z")
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _show(counts: "Counts") -> None:
    typer.echo(f"people   {counts.people}")
    typer.echo(f"records  {counts.records}")
    if counts.sessions is not None:
        typer.echo(f"session windows {counts.sessions}")
    for key, n in counts.categories.items():
        flag = "  (special category)" if key in counts.special else ""
        typer.echo(f"category {key:<40} {n:>8}{flag}")
    for key, n in counts.jurisdictions.items():
        typer.echo(f"law      {key:<40} {n:>8}")


@app.command("affected")
def affected(
    reference: Annotated[str, typer.Argument(help="The incident's reference (or id).")],
    account: Annotated[
        str | None, typer.Option(help="A compromised account: its email address or id.")
    ] = None,
    role: Annotated[str | None, typer.Option(help="A compromised role, e.g. agent.")] = None,
    device: Annotated[
        str | None,
        typer.Option(help="A lost device: the email address or id of the account it used."),
    ] = None,
    table: Annotated[
        list[str] | None, typer.Option(help="A table exposed (repeat for several).")
    ] = None,
    backup: Annotated[bool, typer.Option(help="A backup exposed (every table).")] = False,
    export: Annotated[
        str | None, typer.Option(help="A rights export exposed: its request's reference.")
    ] = None,
    processor: Annotated[
        str | None, typer.Option(help="A processor's breach: its key in the policy.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="Window start (ISO 8601; UTC if no zone).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Window end (now if not given); a backup: when taken."),
    ] = None,
    preview: Annotated[bool, typer.Option(help="Only count; store nothing.")] = False,
) -> None:
    """Compute the people an incident affected and freeze the list into it (sealed under
    the incident's key), or with --preview only count them. Give one scope."""
    from steward.core.actor import SYSTEM
    from steward.incidents import impact

    chosen = {
        "account": account is not None,
        "role": role is not None,
        "device": device is not None,
        "table": bool(table),
        "backup": backup,
        "export": export is not None,
        "processor": processor is not None,
    }
    kinds = [kind for kind, given in chosen.items() if given]
    if len(kinds) != 1:
        fail("give one of --account, --role, --device, --table, --backup, --export, --processor")
    with opened() as (_, session):
        scope = impact.scope(
            session,
            kinds[0],
            account=account or device,
            role=role,
            since=_moment(since, "--from"),
            until=_moment(until, "--until"),
            tables=table or (),
            request=export,
            processor=processor,
        )
        if preview:
            counts = impact.preview(session, SYSTEM, reference, scope)
        else:
            frozen = impact.freeze(session, SYSTEM, reference, scope)
            counts = frozen.counts
    _show(counts)
    if not preview:
        typer.echo(f"frozen into {reference}")
