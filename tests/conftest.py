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

import steward.models  # noqa: F401  (every table, as the entry points import them)
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


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost: the tests hash hundreds of passwords, and what they prove
    (rules, verification, throttling) does not depend on the cost. Production keeps the
    library's recommended parameters; test_passwords.py checks that."""
    from argon2 import PasswordHasher

    from steward.identity import passwords

    recommended = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._decoy.cache_clear()
    yield
    passwords._hasher = recommended
    passwords._decoy.cache_clear()


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = make_engine(postgres_url()).execution_options(isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "steward.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database migrated once per run, the template of each test's database."""
    name = f"steward_template_{uuid.uuid4().hex[:8]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_postgres_database(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _postgres_database(name: str) -> str:
    url = make_url(normalise_url(postgres_url()))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, already migrated: a copy of the SQLite template, or a
    PostgreSQL database created from the template."""
    if request.param == "sqlite":
        path = tmp_path / "steward.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    template: str = request.getfixturevalue("postgres_template")
    name = f"steward_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _postgres_database(name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
