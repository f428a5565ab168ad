"""`steward incident report REF [--json]` and `steward incident notify REF`: the authority's
report of an incident and the people's notices (X6). What is printed names the reference,
counts, category and processor keys, never a person."""

from typing import Annotated

import typer

from steward.cli.common import count, opened
from steward.cli.incidents import app


@app.command("report")
def report_command(
    reference: Annotated[str, typer.Argument(help="The incident's reference, e.g. INC-2026-0001.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    law: Annotated[
        str | None, typer.Option("--law", help="The law it goes under (default: first due).")
    ] = None,
) -> None:
    """The report to the supervisory authority (GDPR Art. 33(3)) and the phases sent."""
    import json
    from dataclasses import asdict

    from steward.core import clock
    from steward.core.actor import SYSTEM
    from steward.incidents import register, report

    with opened() as (_, session):
        found = report.build(session, SYSTEM, register.get(session, SYSTEM, reference), law)
    if as_json:
        data = {**asdict(found), "late": found.late(clock.now()), "missing": found.missing()}
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    typer.echo(f"{found.reference}: {found.title}")
    typer.echo(f"law: {found.law or '-'}  (the incident's: {', '.join(found.laws) or '-'})")
    typer.echo(f"to: {found.authority}")
    due = found.due_at.isoformat() if found.due_at else "no deadline of its own"
    typer.echo(f"aware: {found.aware_at.isoformat()}  due: {due}")
    typer.echo(f"kinds: {', '.join(found.kinds) or '-'}")
    typer.echo(f"categories: {', '.join(c.key for c in found.categories) or '-'}")
    typer.echo(f"people: {found.people if found.people is not None else '-'}")
    typer.echo(f"records: {found.records if found.records is not None else '-'}")
    typer.echo(f"contact: {found.dpo['role']}, {found.dpo['email']}")
    typer.echo(f"missing: {', '.join(found.missing()) or 'nothing'}")
    for phase in found.phases:
        typer.echo(f"phase {phase.phase} sent {phase.at.isoformat()}")
    if found.late(clock.now()):
        typer.echo(f"late: past {found.deadline_hours} hours of awareness")


@app.command("notify")
def notify(
    reference: Annotated[str, typer.Argument(help="The incident's reference, e.g. INC-2026-0001.")],
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking.")] = False,
    client: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            help="A client controller to tell, by its name in processing_for_clients "
            "(we are its processor); repeat for each.",
        ),
    ] = None,
) -> None:
    """Tell the people affected: queue a notice to each person on the frozen list not told
    yet (the erased are skipped), to the recipients of the data involved and to each
    --client, then mail what is due. Running it again mails nobody twice."""
    from steward.core.actor import SYSTEM
    from steward.incidents import notices, register
    from steward.rights import recipients

    with opened() as (runtime, session):
        incident = register.get(session, SYSTEM, reference)
        counts = notices.tally(session, runtime.vault, SYSTEM, incident)
        if counts.to_send and not yes:
            typer.confirm(
                f"Send the notice to {count(counts.to_send, 'person', 'people')}?", abort=True
            )
        sent = notices.send(session, runtime.vault, SYSTEM, incident, client or [])
        session.commit()
        typer.echo(f"queued: {count(sent.queued, 'notice', 'notices')}")
        typer.echo(f"skipped (erased): {count(sent.skipped, 'person', 'people')}")
        if sent.recipients:
            typer.echo(f"recipients told: {', '.join(sent.recipients)}")
        if sent.unreachable:
            typer.echo(f"recipients with no contact: {', '.join(sent.unreachable)}")
        if sent.clients:
            typer.echo(f"clients told: {', '.join(sent.clients)}")
        if sent.clients_unreachable:
            typer.echo(f"clients with no email address: {', '.join(sent.clients_unreachable)}")
        done = notices.deliver_due(session, runtime.settings)
        typer.echo(f"mailed: {done.mailed}, to retry: {done.failed}, not mailed: {done.unmailed}")
        told = recipients.deliver_due(session, runtime.settings)
        typer.echo(f"notices to recipients: {told.delivered} delivered, {told.failed} to retry")
