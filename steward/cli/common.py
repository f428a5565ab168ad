"""What the commands share: settings, failing with one line, loading a policy, writing out."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    import steward.models  # noqa: F401  (every table: the data map and backups walk them)
    from steward.core.runtime import Runtime
    from steward.core.settings import Settings
    from steward.policy.loader import PolicyInvalid
    from steward.policy.schema import Policy
    from steward.vault.service import Vault


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def current_settings() -> "Settings":
    """The settings from the environment; a wrong value ends the command with its name."""
    from pydantic import ValidationError

    from steward.core.settings import get_settings

    try:
        return get_settings()
    except ValidationError as error:
        problems = [
            f"STEWARD_{'_'.join(map(str, e['loc'])).upper()}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        ]
        fail("; ".join(problems))


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


@contextmanager
def database() -> Iterator["Runtime[Vault, Policy]"]:
    """The runtime: the upgraded database's sessions, the vault, the settings and the active
    policy; a bad policy or key file exits 1 with its reason."""
    import steward.models  # noqa: F401  (every table: the data map and backups walk them)
    from steward.audit.service import use_key
    from steward.core.db import make_engine, make_sessionmaker, release, upgrade
    from steward.core.errors import DomainError
    from steward.core.runtime import Runtime
    from steward.core.shared import KEYS, POLICY, Follower
    from steward.policy.loader import PolicyInvalid
    from steward.policy.service import read_active, recorded
    from steward.vault.keyring import Keyring
    from steward.vault.service import Vault

    settings = current_settings()
    try:
        policy = read_active(settings.policy).policy
        vault = Vault(Keyring.load(settings.key_file), settings.key_file)
    except PolicyInvalid:
        fail(f"{settings.policy} is not a valid policy; run `steward policy check`")
    except DomainError as error:
        fail(error.message)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        use_key(engine, vault.keyring.signing_key)
        sessions = make_sessionmaker(engine)
        follower = Follower()
        runtime = Runtime(sessions, vault, settings, policy, follower)

        def take_policy(sha256: str | None) -> None:
            if sha256 is not None:
                runtime.policy = recorded(sessions, sha256).policy

        follower.reloads.update({KEYS: vault.reload, POLICY: take_policy})
        follower.start(sessions)
        yield runtime
    finally:
        release(engine)


@contextmanager
def opened() -> Iterator[tuple["Runtime[Vault, Policy]", "Session"]]:
    """The runtime and one session carrying the vault and the active policy (what services
    expect); a domain error exits 1 with its message."""
    from steward.core.errors import DomainError

    with database() as runtime, runtime.session() as session:
        try:
            yield runtime, session
        except DomainError as error:
            session.rollback()
            fail(error.message)
