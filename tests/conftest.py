"""Shared fixtures: each database-backed test runs on SQLite and on PostgreSQL.

PostgreSQL comes from STEWARD_TEST_DATABASE_URL (CI sets it). Without it the PostgreSQL
runs are skipped with a reason, except under CI=true, where they fail.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from steward.core.db import make_engine, normalise_url, upgrade
from steward.core.settings import Settings
from steward.vault.keyring import Keyring

pytest_plugins = ["tests.people"]  # people, accounts, mail and clients, for every domain's tests

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
DEFAULT_EXAMPLE = EXAMPLES / "houston-generator.yaml"


def postgres_url() -> str:
    url = os.environ.get("STEWARD_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but STEWARD_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL not configured: set STEWARD_TEST_DATABASE_URL to test it")
    return url


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = make_engine(postgres_url()).execution_options(isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steward.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(postgres_url()))
    yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory holding a copy of the default example as its policy.yaml."""
    shutil.copyfile(DEFAULT_EXAMPLE, tmp_path / "policy.yaml")
    return tmp_path


@pytest.fixture
def keyring(data_dir: Path) -> Keyring:
    keyring = Keyring.generate()
    keyring.save(data_dir / "steward.key")
    return keyring


@pytest.fixture
def settings(data_dir: Path, database_url: str, keyring: Keyring) -> Settings:
    return Settings(
        database_url=database_url,
        policy=data_dir / "policy.yaml",
        key_file=data_dir / "steward.key",
        files_dir=data_dir / "files",
    )


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()
