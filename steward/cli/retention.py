"""`steward retention` (plan, run, stale) and `steward holds` (list, add, release).

What is printed names categories, counts and hold ids, never a person."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, fail, opened

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from steward.core.actor import Actor
    from steward.retention.models import RetentionRun

app = typer.Typer(
    help="Retention: what the policy's periods remove now and soon, and removing it.",
    no_args_is_help=True,
)
holds_app = typer.Typer(
    help="Legal holds: what must not be deleted, and why.", no_args_is_help=True
)


@app.command("plan")
def plan() -> None:
    """What a run would delete or anonymise now, and what comes due in the next 30 days,
    per category and action. Changes nothing."""
    from steward.retention import sweep

    with opened() as (runtime, session):
        found = sweep.plan(session, runtime.policy)
    if found.empty:
        typer.echo("nothing is due now or in the next 30 days")
    else:
        typer.echo(f"{'category':<40} {'action':<10} {'now':>8} {'30 days':>8}")
        for category, action, now, soon in found.lines():
            typer.echo(f"{category:<40} {action:<10} {now:>8} {soon:>8}")
        typer.echo(f"{'people wiped':<51} {found.now.people:>8} {found.soon.people:>8}")
    for hold_id, rows in sorted(found.now.held.items()):
        typer.echo(f"hold {hold_id} keeps {count(rows, 'row', 'rows')} that are due")
    if found.now.people_held:
        typer.echo(
            f"holds keep {count(found.now.people_held, 'person', 'people')} from being wiped"
        )


def _report(run: "RetentionRun") -> None:
    import json

    counts: dict[str, dict[str, int]] = json.loads(run.counts)
    for category in sorted(counts):
        for action, rows in sorted(counts[category].items()):
            typer.echo(f"{category:<40} {action:<10} {rows:>8}")
    typer.echo(f"people wiped: {run.people_wiped}")
    for hold_id, rows in sorted(json.loads(run.held).items()):
        typer.echo(f"hold {hold_id} kept {count(rows, 'row', 'rows')}")
    if run.flagged_holds:
        typer.echo(
            f"{count(run.flagged_holds, 'hold is', 'holds are')} past the end date: review "
            "them with `steward holds list`"
        )
    typer.echo(f"run {run.id} {run.status} in {(run.duration_ms or 0) / 1000:.1f} s")


@app.command("run")
def run(
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 1000,
) -> None:
    """Delete and anonymise what is due, in batches (each its own transaction), skipping
    what a legal hold covers. Safe to stop at any moment and run again."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from steward.retention import sweep

    with opened() as (runtime, session):
        policy = runtime.policy
        total = sweep.due_now(session, policy)
        session.close()
        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(
            *columns, console=console, transient=True, disable=not console.is_terminal
        ) as bar:
            task = bar.add_task("retention", total=total or None)

            def advance(what: str, done: int) -> None:
                bar.update(task, advance=done, description=what)

            report = sweep.run(runtime, progress=advance, batch=batch)
    _report(report)


@app.command("stale")
def stale() -> None:
    """Warn the accounts unused for nearly the policy's `stale_accounts` period and close
    those past it (their data then goes by the rules that run from account closure)."""
    from steward.retention import stale as stale_accounts

    with opened() as (runtime, session):
        result = stale_accounts.run(session, runtime.settings, runtime.policy)
    typer.echo(
        f"warned: {count(result.warned, 'account', 'accounts')}; "
        f"closed: {count(result.closed, 'account', 'accounts')}"
    )


def _officer(session: "Session", email: str) -> "Actor":
    from steward.identity.common import actor_of, load_account, login_index
    from steward.identity.models import Account
    from steward.rights.common import OFFICER_ROLES

    account = load_account(session, Account.login_index == login_index(session, email))
    if account is None or account.role not in OFFICER_ROLES or account.status != "active":
        fail(f"{email} is not an active privacy officer's account")
    return actor_of(account)


Officer = Annotated[str, typer.Option("--by", help="Your privacy officer account's email address.")]


@holds_app.command("list")
def list_holds(
    by: Officer,
    every: Annotated[bool, typer.Option("--all", help="Released holds too.")] = False,
) -> None:
    """The holds in force, those past their end date (to review) first."""
    from steward.retention import holds

    with opened() as (_, session):
        found = holds.listing(session, _officer(session, by), released=every)
    if not found:
        typer.echo("no holds in force" if not every else "no holds")
        return
    for hold in found:
        until = f"until {hold.ends_on}" if hold.ends_on else "no end date"
        state = (
            "released"
            if hold.released_at
            else "REVIEW: past its end date"
            if hold.needs_review
            else "in force"
        )
        typer.echo(f"{hold.id}  {hold.summary}  {until}  {state}")
    typer.echo(count(len(found), "hold", "holds"))


@holds_app.command("add")
def add_hold(
    scope: Annotated[str, typer.Argument(help="person, ticket, organisation or category.")],
    target: Annotated[
        str,
        typer.Argument(
            help="The person's email address or id, the ticket number, the organisation's id, "
            "or the policy category key."
        ),
    ],
    reason: Annotated[
        str, typer.Option(help="legal_obligation, legal_claim, dispute or security_investigation.")
    ],
    by: Officer,
    until: Annotated[
        str | None, typer.Option(help="When it should end, YYYY-MM-DD (it is then reviewed).")
    ] = None,
) -> None:
    """Put a hold in force: nothing it covers is deleted until it is released."""
    from steward.retention import holds

    try:
        ends_on = date.fromisoformat(until) if until else None
    except ValueError:
        fail(f"'{until}' is not a date; write it as YYYY-MM-DD")
    with opened() as (_, session):
        placed = holds.place(session, _officer(session, by), scope, target, reason, ends_on)
        session.commit()
    typer.echo(f"placed {placed.id}: {placed.summary}")


@holds_app.command("release")
def release_hold(
    hold_id: Annotated[str, typer.Argument(help="The hold's id, as `holds list` shows it.")],
    by: Officer,
) -> None:
    """Release a hold: what it covered is swept again by its rules."""
    from steward.retention import holds

    with opened() as (_, session):
        released = holds.release(session, _officer(session, by), hold_id)
        session.commit()
    typer.echo(f"released {released.id}: {released.summary}")
