"""Shared fixtures: each database-backed test runs on SQLite and on PostgreSQL.

PostgreSQL comes from STEWARD_TEST_DATABASE_URL (CI sets it). Without it the PostgreSQL
runs are skipped with a reason, except under CI=true, where they fail.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from steward.core.db import make_engine, upgrade
from steward.core.settings import Settings
from steward.vault.keyring import Keyring

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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'steward.db'}"
    return postgres_url()


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
    )


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()
