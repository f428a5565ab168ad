"""`steward incident contain`: containment steps on an incident from the command line (X6).

Each step named is taken in the order of the options below and recorded on the incident's
timeline, as the privacy officer given with `--by`; with no step, the steps taken so far are
listed. What is printed names ids, keys and counts, never a person."""

from datetime import date
from typing import Annotated, Any

import typer

from steward.cli.common import fail, opened
from steward.cli.incidents import app
from steward.cli.retention import Officer, _officer

Account = Annotated[str | None, typer.Option(metavar="ACCOUNT", help="An account's id or email.")]
Processor = Annotated[str | None, typer.Option(metavar="KEY", help="A processor's policy key.")]


def _hold(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    scope, _, target = value.partition(":")
    if not target:
        fail("write the hold as SCOPE:TARGET, e.g. person:ada@example.com or category:user.contact")
    return scope, target


@app.command("contain")
def contain(
    reference: Annotated[str, typer.Argument(help="The incident's reference, INC-....")],
    by: Officer,
    revoke_sessions: Account = None,
    disable_account: Account = None,
    force_reset: Account = None,
    rotate_keys: Annotated[
        bool, typer.Option("--rotate-keys", help="Rotate the master key (as `keys rotate`).")
    ] = False,
    pause_processor: Processor = None,
    resume_processor: Processor = None,
    legal_hold: Annotated[
        str | None,
        typer.Option(
            metavar="SCOPE:TARGET",
            help="A hold for the security investigation on a person, organisation or "
            "category, e.g. person:ada@example.com.",
        ),
    ] = None,
    hold_until: Annotated[
        str | None, typer.Option(help="When the hold should end, YYYY-MM-DD (then reviewed).")
    ] = None,
) -> None:
    """Contain an incident: revoke sessions, disable an account, force a new password and
    MFA, rotate the master key, pause or resume the outbox to a processor, place a hold."""
    from steward.incidents import containment, register

    hold = _hold(legal_hold)
    scope, target = hold or (None, None)
    try:
        until = date.fromisoformat(hold_until) if hold_until else None
    except ValueError:
        fail(f"'{hold_until}' is not a date; write it as YYYY-MM-DD")
    steps: list[tuple[str, dict[str, Any]]] = [
        (step, named)
        for step, named, wanted in (
            ("revoke-sessions", {"account": revoke_sessions}, revoke_sessions),
            ("disable-account", {"account": disable_account}, disable_account),
            ("force-reset", {"account": force_reset}, force_reset),
            ("rotate-keys", {}, rotate_keys),
            ("pause-processor", {"processor": pause_processor}, pause_processor),
            ("resume-processor", {"processor": resume_processor}, resume_processor),
            ("legal-hold", {"scope": scope, "target": target, "ends_on": until}, hold),
        )
        if wanted
    ]
    with opened() as (runtime, session):
        officer = _officer(session, by)
        incident_id = register.get(session, officer, reference).id
        for step, named in steps:
            done = containment.take(session, officer, incident_id, step, runtime, **named)
            typer.echo(f"{reference}: {step} done  {_detail(done.detail)}")
        if not steps:
            for done in containment.status(session, officer, incident_id).done:
                typer.echo(f"{done.at:%Y-%m-%d %H:%M} UTC  {done.step}  {_detail(done.detail)}")


def _detail(detail: dict[str, object]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(detail.items()))
