"""Backups: the CLI against the test's database, and a second, empty database to restore into."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from steward import cli as steward_cli
from steward.core.db import make_engine, make_sessionmaker, release
from steward.core.settings import Settings, get_settings
from steward.vault.keyring import Keyring
from steward.vault.service import Vault
from tests.conftest import _postgres_database


@pytest.fixture
def steward(settings: Settings):
    """Run `steward ARGS...` as a user does, against the test's database and key file
    (`env`: more settings)."""

    def run(*args: str, key_file: Path | None = None, env: dict[str, str] | None = None):
        given = env or {}
        env = {
            "STEWARD_DATABASE_URL": settings.database_url,
            "STEWARD_POLICY": str(settings.policy),
            "STEWARD_KEY_FILE": str(key_file or settings.key_file),
            "STEWARD_FILES_DIR": str(settings.files_dir),
            "STEWARD_BACKUP_DIR": str(settings.backup_dir),
            "STEWARD_SMTP_URL": "smtp://127.0.0.1:9",  # nothing listens: no mail is sent
            **given,
        }
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(steward_cli.app, list(args), env=env)
        finally:
            get_settings.cache_clear()

    return run


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path):
    """A second database of the same kind with nothing in it, not even a schema."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    name = f"steward_restore_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield _postgres_database(name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def open_session(keyring: Keyring):
    """`with open_session(url) as session:` a session on any database that opens sealed
    columns with the key file's master key."""
    from contextlib import contextmanager

    @contextmanager
    def opened(url: str):
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine)() as session:
                yield Vault(keyring).attach(session)
        finally:
            release(engine)

    return opened


@pytest.fixture
def team(admin, mailbox, new_client):
    """Signed-in staff by role (`team["privacy_officer"]`), on the test's database."""
    from tests.desk.team import Team

    return Team(admin, mailbox, new_client)
