"""The `steward` command. Thin: it parses arguments and calls domain services.

Heavy modules (FastAPI, SQLAlchemy, Pydantic) are imported inside the commands that need
them, so `steward --help` stays fast.
"""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from steward.core.settings import Settings
    from steward.policy.loader import PolicyInvalid
    from steward.policy.schema import Policy

app = typer.Typer(
    help="Steward: a service desk that keeps the promises of its privacy policy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(help="Check, render and compare policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEFAULT_EXAMPLE = EXAMPLES / "houston-generator.yaml"

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


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings() -> "Settings":
    from steward.core.settings import get_settings

    return get_settings()


def _report(error: "PolicyInvalid") -> NoReturn:
    for line in error.lines():
        typer.echo(line, err=True)
    raise typer.Exit(1)


def _load(path: Path | None) -> "Policy":
    """Load a policy or print every problem and exit 1."""
    from steward.policy.loader import PolicyInvalid, load_policy

    try:
        return load_policy(path or _settings().policy)
    except PolicyInvalid as error:
        _report(error)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    typer.echo(f"wrote {output}", err=True)


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
    import base64
    import os
    import shutil

    from steward.core.db import make_engine, make_sessionmaker, upgrade
    from steward.policy.loader import PolicyInvalid
    from steward.policy.service import read_active, record_version

    settings = _settings()
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
        key = base64.b64encode(os.urandom(32)) + b"\n"
        fd = os.open(settings.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        typer.echo(
            f"created master key {settings.key_file} (mode 0600; back it up, never commit it)"
        )
    try:
        active = read_active(settings.policy)
    except PolicyInvalid as error:
        _report(error)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        record_version(make_sessionmaker(engine), active)
    finally:
        engine.dispose()
    policy = active.policy
    typer.echo(f"database ready; policy {policy.version} of {policy.controller.legal_name} active")


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind \\[default: 127.0.0.1].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port \\[default: 8000].")] = None,
) -> None:
    """Upgrade the database and serve the web app."""
    import uvicorn

    from steward.policy.loader import PolicyInvalid
    from steward.web.app import create_app

    settings = _settings()
    if not settings.policy.exists():
        fail(f"{settings.policy} does not exist; run `steward init` first")
    try:
        web = create_app(settings)
    except PolicyInvalid as error:
        _report(error)
    bind, at = host or settings.host, port or settings.port
    typer.echo(f"Steward serving on http://{bind}:{at} (Ctrl+C to stop)")
    uvicorn.run(web, host=bind, port=at, log_level="warning", access_log=False)


@policy_app.command("check")
def policy_check(file: PolicyFile = None) -> None:
    """Report every problem in a policy file, each with its line; exit 1 if there are any."""
    policy = _load(file)
    rights = sum(1 for r in policy.rights.values() if r.offered)
    counts = [
        _count(len(policy.categories), "category", "categories"),
        _count(len(policy.purposes), "purpose", "purposes"),
        _count(len(policy.processors), "processor", "processors"),
        _count(rights, "right", "rights"),
        _count(len(policy.cookies), "cookie category", "cookie categories"),
    ]
    typer.echo(
        f"{file or _settings().policy}: valid. Version {policy.version}: {', '.join(counts)}."
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@policy_app.command("render")
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

    policy = _load(file)
    doc = privacy_policy(policy) if kind is Kind.privacy else cookie_policy(policy)
    _write(to_markdown(doc) if format is TextFormat.md else to_html_page(doc), output)


@policy_app.command("ropa")
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

    policy = _load(file)
    fields, rows = record(policy, role.value)
    if not rows:
        fail(
            "the policy declares no processing_for_clients, so there is no Article 30(2) "
            "record to write"
        )
    text = to_csv(fields, rows) if format is RecordFormat.csv else to_json(policy, role.value, rows)
    _write(text, output)


@policy_app.command("diff")
def policy_diff(
    old: Annotated[Path, typer.Argument(help="The earlier policy file.")],
    new: Annotated[Path, typer.Argument(help="The later policy file.")],
) -> None:
    """List what changed between two policy files, marking material changes."""
    from steward.policy.diff import diff

    changes = diff(_load(old), _load(new))
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


def main() -> None:
    app()
