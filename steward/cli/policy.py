"""`steward policy`: check, render, compare and record policy files."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from steward.cli.common import count, current_settings, fail, load, report, write

if TYPE_CHECKING:
    from steward.policy.loader import Checked

app = typer.Typer(help="Check, render and compare policy files.", no_args_is_help=True)

PolicyFile = Annotated[
    Path | None,
    typer.Argument(
        help="The policy file; defaults to STEWARD_POLICY (./policy.yaml).", show_default=False
    ),
]


class Kind(StrEnum):
    privacy = "privacy"
    cookies = "cookies"


class TextFormat(StrEnum):
    md = "md"
    html = "html"


class RecordFormat(StrEnum):
    csv = "csv"
    json = "json"


class Role(StrEnum):
    controller = "controller"
    processor = "processor"


def _checked(file: Path | None) -> "Checked":
    """The policy with its warnings, or every error (and warning) printed and exit 1."""
    from steward.policy.loader import PolicyInvalid, examine, read_source

    path = file or current_settings().policy
    try:
        return examine(read_source(path), str(path))
    except PolicyInvalid as error:
        report(error)


def _warn(checked: "Checked") -> None:
    for line in checked.lines():
        typer.echo(line, err=True)


@app.command("check")
def policy_check(file: PolicyFile = None) -> None:
    """Report every problem in a policy file, each with its line: errors (exit 1) and
    warnings (printed, exit 0)."""
    checked = _checked(file)
    _warn(checked)
    policy = checked.policy
    rights = sum(1 for r in policy.rights.values() if r.offered)
    counts = [
        count(len(policy.categories), "category", "categories"),
        count(len(policy.purposes), "purpose", "purposes"),
        count(len(policy.processors), "processor", "processors"),
        count(rights, "right", "rights"),
        count(len(policy.cookies), "cookie category", "cookie categories"),
    ]
    warned = f" {count(len(checked.warnings), 'warning', 'warnings')}." if checked.warnings else ""
    typer.echo(
        f"{file or current_settings().policy}: valid. Version {policy.version}: "
        f"{', '.join(counts)}.{warned}"
    )


@app.command("render")
def policy_render(
    file: PolicyFile = None,
    kind: Annotated[Kind, typer.Option(help="Which text to write.")] = Kind.privacy,
    format: Annotated[TextFormat, typer.Option("--format", help="Markdown or HTML.")] = (
        TextFormat.md
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Write the human-readable privacy policy or cookie policy."""
    from steward.policy.document import to_html_page, to_markdown
    from steward.policy.publish import cookie_policy, privacy_policy

    policy = load(file)
    doc = privacy_policy(policy) if kind is Kind.privacy else cookie_policy(policy)
    write(to_markdown(doc) if format is TextFormat.md else to_html_page(doc), output)


@app.command("ropa")
def policy_ropa(
    file: PolicyFile = None,
    format: Annotated[RecordFormat, typer.Option("--format", help="CSV or JSON.")] = (
        RecordFormat.csv
    ),
    role: Annotated[Role, typer.Option(help="Art. 30(1) as controller, 30(2) as processor.")] = (
        Role.controller
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Write the Article 30 record of processing activities."""
    from steward.policy.ropa import record, to_csv, to_json

    policy = load(file)
    fields, rows = record(policy, role.value)
    if not rows:
        fail(
            "the policy declares no processing_for_clients, so there is no Article 30(2) "
            "record to write"
        )
    text = to_csv(fields, rows) if format is RecordFormat.csv else to_json(policy, role.value, rows)
    write(text, output)


@app.command("diff")
def policy_diff(
    old: Annotated[Path, typer.Argument(help="The earlier policy file.")],
    new: Annotated[Path, typer.Argument(help="The later policy file.")],
) -> None:
    """List what changed between two policy files, marking material changes."""
    from steward.policy.diff import diff

    changes = diff(load(old), load(new))
    if not changes:
        typer.echo("No changes.")
        return
    for change in changes:
        mark = "MATERIAL" if change.material else "minor   "
        typer.echo(f"{mark}  {change.area}: {change.description}")
    material = sum(c.material for c in changes)
    typer.echo(
        f"{len(changes)} change(s), {material} material"
        + (
            ": people must be told, and asked again where consent is the basis."
            if material
            else "."
        )
    )


@app.command("publish")
def policy_publish(
    file: Annotated[Path, typer.Argument(help="The new policy file to publish.")],
) -> None:
    """Publish a new policy: check it, record what changed, make it the active policy file
    (STEWARD_POLICY) and mail every active account holder."""
    from steward.cli.common import database
    from steward.core.errors import DomainError
    from steward.identity.policy_notices import Notice, notify_account_holders
    from steward.policy.lifecycle import mark_notified, publish
    from steward.policy.loader import PolicyInvalid

    checked = _checked(file)  # every error, exit 1, before anything changes
    _warn(checked)
    new = checked.policy
    with database() as runtime:
        settings = runtime.settings
        try:
            done = publish(runtime.sessions, settings.policy, file)
        except PolicyInvalid as error:
            report(error)
        except DomainError as error:
            fail(error.message)
        typer.echo(
            f"published version {done.version} (was {done.previous or 'none'}) as "
            f"{settings.policy}: {len(done.changes)} change(s), "
            f"{'material' if done.material else 'not material'}"
        )
        for line in done.summary.splitlines():
            typer.echo(f"  {line}")
        notice = Notice(done.version, new.effective_date.isoformat(), done.summary, done.material)
        with runtime.under(new).session() as session:
            result = notify_account_holders(session, settings, notice)
        mark_notified(runtime.sessions, done.version_id)
    typer.echo(f"notified account holders: {result.sent} sent, {result.failed} failed")
    if done.material:
        typer.echo("signed-in people will be asked to accept it before using the portal or desk")
    typer.echo("running servers and workers serve it within a second; no restart needed")
