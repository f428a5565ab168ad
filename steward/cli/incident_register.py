"""`steward incident list|new|show|update|close`: the breach register (X6) for the privacy
officer at a terminal, each command naming the officer's account with `--by`. Printed:
references, titles, keys, counts and the clocks; a mistake exits 1 with one line."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from steward.cli.common import count, fail, opened
from steward.cli.incidents import app
from steward.cli.retention import Officer, _officer

if TYPE_CHECKING:
    from pydantic import BaseModel

    from steward.incidents.register import Record

Reference = Annotated[str, typer.Argument(help="The incident's reference, like INC-2026-0001.")]
LIST_FIELDS = ("kinds", "categories", "subjects", "jurisdictions")
BOOLEANS = {"yes": True, "true": True, "no": False, "false": False, "": None}


def _parsed(pairs: list[str]) -> dict[str, Any]:
    """`name=value` pairs as the register's input: lists comma-separated, yes/no for the
    decisions, an empty value to clear, circumstances as `part:value,...`."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name, value = name.strip().replace("-", "_"), value.strip()
        if not sep or not name:
            fail(f"'{pair}' is not name=value")
        if name in LIST_FIELDS:
            values[name] = [v.strip() for v in value.split(",") if v.strip()]
        elif name in ("notify_authority", "notify_people"):
            if value.lower() not in BOOLEANS:
                fail(f"{name} is yes or no (or empty to undecide)")
            values[name] = BOOLEANS[value.lower()]
        elif name == "circumstances":
            parts = [p.partition(":") for p in value.split(",") if p.strip()]
            values[name] = {k.strip(): v.strip() for k, _, v in parts}
        else:
            values[name] = value or None
    return values


def _checked(model: "type[BaseModel]", values: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        fail(f"{where}: {first['msg'].removeprefix('Value error, ')}")


def _show(found: "Record") -> None:
    from steward.incidents import register

    i = found.incident
    typer.echo(f"{i.reference}  {i.title}  ({i.status})")
    typer.echo(f"  aware at {i.aware_at.isoformat()}  id {i.id}")
    typer.echo(f"  kinds: {', '.join(register.lists(i, 'kinds')) or '-'}")
    special = f" (special: {', '.join(found.special)})" if found.special else ""
    typer.echo(f"  categories: {', '.join(register.lists(i, 'categories')) or '-'}{special}")
    typer.echo(f"  jurisdictions: {', '.join(register.lists(i, 'jurisdictions')) or 'all'}")
    typer.echo(f"  people: {i.people_count if i.people_count is not None else '?'}")
    band = f"{i.band} ({i.severity})" if i.band else "not assessed"
    typer.echo(f"  severity: {band}")
    for name, decided in (("authority", i.notify_authority), ("people", i.notify_people)):
        said = "undecided" if decided is None else "yes" if decided else "no"
        typer.echo(f"  notify {name}: {said}")
    for duty in found.duties:
        due = duty.due_at.isoformat() if duty.due_at else "without undue delay"
        typer.echo(f"  duty {duty.key}: due {due}  {duty.state.upper()}")
    open_tasks = sum(t.done_at is None for t in found.tasks)
    typer.echo(f"  tasks: {count(open_tasks, 'to do', 'to do')} of {len(found.tasks)}")


@app.command("list")
def list_incidents(
    by: Officer,
    every: Annotated[bool, typer.Option("--all", help="Closed incidents too.")] = False,
) -> None:
    """The incidents, open ones first, overdue and soonest due first."""
    from steward.incidents import register

    with opened() as (_, session):
        found = register.listing(session, _officer(session, by), closed=every)
    for item in found:
        due = item.next_due.isoformat() if item.next_due else "-"
        mark = "  OVERDUE" if item.overdue else ""
        band = item.incident.band or "not assessed"
        typer.echo(
            f"{item.incident.reference}  {item.incident.status:<6}  {band:<12}  next due "
            f"{due}{mark}  {item.incident.title}"
        )
    typer.echo(count(len(found), "incident", "incidents"))


@app.command("new")
def new_incident(
    title: Annotated[str, typer.Option(help="A few words, without anyone's name.")],
    aware_at: Annotated[
        str, typer.Option(help="When the business became aware, ISO 8601 with its zone.")
    ],
    by: Officer,
    field: Annotated[
        list[str] | None,
        typer.Option("--set", help="Any other field as name=value (see `update`)."),
    ] = None,
) -> None:
    """Record a breach; its clocks start from --aware-at."""
    from steward.incidents import register

    given = _checked(
        register.IncidentIn, {**_parsed(field or []), "title": title, "aware_at": aware_at}
    )
    with opened() as (_, session):
        made = register.record(session, _officer(session, by), given)
        typer.echo(f"recorded {made.reference} ({made.id})")


@app.command("show")
def show_incident(reference: Reference, by: Officer) -> None:
    """The record, its severity, decisions and clocks."""
    from steward.incidents import register

    with opened() as (_, session):
        officer = _officer(session, by)
        found = register.get(session, officer, reference)
        _show(register.read(session, officer, found.id))


@app.command("update")
def update_incident(
    reference: Reference,
    by: Officer,
    field: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="name=value, repeatable: title, aware_at, occurred_from, occurred_until, "
            "found_how, kinds (comma-separated), summary, systems, categories, subjects, "
            "jurisdictions, people_count, records_count, processor, processor_told_at, "
            "consequences, measures_taken, measures_proposed, data_context, identification, "
            "circumstances (confidentiality:0.5,malicious:0.5), notify_authority (yes/no), "
            "authority_reason, notify_people, people_reason, exemption (encrypted, mitigated, "
            "disproportionate). An empty value clears.",
        ),
    ],
) -> None:
    """Change fields of the record; the severity and the clocks follow."""
    from steward.incidents import register

    given = _checked(register.Fields, _parsed(field))
    with opened() as (_, session):
        officer = _officer(session, by)
        found = register.get(session, officer, reference)
        register.update(session, officer, found.id, given)
        _show(register.read(session, officer, found.id))


@app.command("close")
def close_incident(
    reference: Reference,
    by: Officer,
    note: Annotated[str, typer.Option(help="A closing note.")] = "",
) -> None:
    """Close it: refused until both decisions are recorded with their reasons."""
    from steward.incidents import register

    with opened() as (_, session):
        officer = _officer(session, by)
        found = register.get(session, officer, reference)
        register.close(session, officer, found.id, register.CloseIn(note=note))
        typer.echo(f"closed {found.reference}")
