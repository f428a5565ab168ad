"""What the commands share: settings, failing with one line, loading a policy, writing out."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from steward.core.settings import Settings
    from steward.policy.loader import PolicyInvalid
    from steward.policy.schema import Policy


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def current_settings() -> "Settings":
    from steward.core.settings import get_settings

    return get_settings()


def report(error: "PolicyInvalid") -> NoReturn:
    for line in error.lines():
        typer.echo(line, err=True)
    raise typer.Exit(1)


def load(path: Path | None) -> "Policy":
    """Load a policy or print every problem and exit 1."""
    from steward.policy.loader import PolicyInvalid, load_policy

    try:
        return load_policy(path or current_settings().policy)
    except PolicyInvalid as error:
        report(error)


def write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    typer.echo(f"wrote {output}", err=True)


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
