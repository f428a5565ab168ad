"""Audit fixtures: a linked trail of ten entries, an attacker's connection and the CLI."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import typer
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from steward.audit.service import record, sequence
from steward.cli import audit
from steward.core.actor import Actor
from steward.core.db import make_sessionmaker, transaction
from steward.core.settings import Settings, get_settings
from steward.vault.keyring import Keyring

AGENT = Actor(role="agent", account_id="0190a1b2-0000-7000-8000-000000000001", request_id="req-1")
BILLING = Actor(role="billing", account_id="0190a1b2-0000-7000-8000-000000000002")
PERSON = "0190a1b2-0000-7000-8000-00000000aaaa"
OTHER_PERSON = "0190a1b2-0000-7000-8000-00000000bbbb"
PROTECTED = ("audit_entries", "audit_chain", "audit_checkpoints")


@contextmanager
def as_attacker(engine: Engine) -> Iterator[Connection]:
    """A connection with the rights of the tables' owner: on PostgreSQL the append-only
    triggers are switched off inside the transaction, and on again before it commits."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for table in PROTECTED if postgres else ():
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield connection
        for table in PROTECTED if postgres else ():
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def append(factory: sessionmaker[Session], n: int, actor: Actor = AGENT, **fields: object) -> None:
    with transaction(factory) as session:
        for _ in range(n):
            record(session, actor, "read", **fields)  # type: ignore[arg-type]


def linked(factory: sessionmaker[Session], keyring: Keyring) -> int:
    """Run the sequencer, as the worker and the server do every few seconds."""
    return sequence(factory.kw["bind"], keyring.signing_key)


@pytest.fixture
def trail(sessions: sessionmaker[Session], keyring: Keyring) -> sessionmaker[Session]:
    """Ten entries about one person, written in ten transactions and linked."""
    for _ in range(10):
        append(
            sessions,
            1,
            purpose="essential.service",
            person_id=PERSON,
            categories=["user.contact.email"],
            columns=["people.email"],
        )
    linked(sessions, keyring)
    return sessions


@pytest.fixture
def steward_audit(settings: Settings, monkeypatch: pytest.MonkeyPatch, cli: CliRunner):
    """Run `steward audit ...` against the test database and key file."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEWARD_KEY_FILE", str(settings.key_file))
    get_settings.cache_clear()
    root = typer.Typer()
    root.add_typer(audit.app, name="audit")

    def run(*args: str) -> Result:
        return cli.invoke(root, ["audit", *args])

    yield run
    get_settings.cache_clear()
