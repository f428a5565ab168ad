"""Fixtures of the demo's tests: run `steward demo` as a newcomer does, and read what it wrote."""

import pytest
from typer.testing import CliRunner

from steward import cli
from steward.core.db import make_sessionmaker
from steward.core.settings import Settings, get_settings
from steward.vault.keyring import Keyring
from steward.vault.service import Vault


@pytest.fixture
def demo(identity_settings: Settings):
    """Run `steward demo ARGS...` against the test's database and data directory."""

    def run(*args: str):
        env = {
            "STEWARD_DATABASE_URL": identity_settings.database_url,
            "STEWARD_POLICY": str(identity_settings.policy),
            "STEWARD_KEY_FILE": str(identity_settings.key_file),
            "STEWARD_FILES_DIR": str(identity_settings.files_dir),
            "STEWARD_SMTP_URL": identity_settings.smtp_url,  # the test's mailbox
        }
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(cli.app, ["demo", *args], env=env)
        finally:
            get_settings.cache_clear()

    return run


@pytest.fixture
def database(engine, identity_settings: Settings):
    """A session on the test's (migrated) database that opens sealed columns."""
    vault = Vault(Keyring.load(identity_settings.key_file))
    with make_sessionmaker(engine)() as session:
        yield vault.attach(session)
