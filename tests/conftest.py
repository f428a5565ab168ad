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
from steward.audit.service import use_key
from steward.core.db import make_engine, normalise_url, release, upgrade
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
    release(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "steward.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    release(engine)  # the last connection closing checkpoints the WAL into the file
    return path


# What a test could change in a database's schema: if any of it differs from the template
# once the test is over, the database is dropped rather than emptied for the next test.
SCHEMA_PRINT = """
SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
         || a.attnotnull::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT t.tgrelid::regclass || '.' || t.tgname || t.tgenabled::text FROM pg_trigger t
  UNION ALL SELECT c.conname || c.contype::text FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
  UNION ALL SELECT p.proname || md5(p.prosrc) FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
  UNION ALL SELECT version_num FROM alembic_version
) AS schema(x)
"""


class PostgresDatabases:
    """Migrated test databases, each used by one test at a time and emptied for the next.

    Creating a database from the template costs most of a second and dropping it a fifth;
    emptying one costs a few milliseconds. A database whose schema a test changed is dropped.
    """

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.template = f"steward_template_{uuid.uuid4().hex[:8]}"
        self.free: list[str] = []
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(_postgres_database(self.template))
        upgrade(engine)
        with engine.connect() as connection:
            self.schema = connection.execute(text(SCHEMA_PRINT)).scalar_one()
            self.tables = (
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                .scalars()
                .all()
            )
            self.seeds = {
                table: [
                    dict(row._mapping)
                    for row in connection.execute(text(f'SELECT * FROM "{table}"'))
                ]
                for table in self.tables
            }
            self.sequences = (
                connection.execute(
                    text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
                )
                .scalars()
                .all()
            )
        release(engine)

    def take(self) -> str:
        if self.free:
            return self.free.pop()
        name = f"steward_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def give_back(self, name: str) -> None:
        release(make_engine(_postgres_database(name)))
        with self.admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        engine = make_engine(_postgres_database(name))
        try:
            with engine.begin() as connection:
                if connection.execute(text(SCHEMA_PRINT)).scalar_one() != self.schema:
                    raise LookupError("the test changed the schema")
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in self.tables:  # DELETE, not TRUNCATE: no new files to sync
                    connection.execute(text(f'DELETE FROM "{table}"'))
                    if rows := self.seeds[table]:
                        columns = ", ".join(f'"{c}"' for c in rows[0])
                        values = ", ".join(f":{c}" for c in rows[0])
                        connection.execute(
                            text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'), rows
                        )
                for sequence in self.sequences:
                    connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        except Exception:  # a changed schema, or a database the test dropped or broke
            release(engine)
            self.drop(name)
            return
        release(engine)
        self.free.append(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in [*self.free, self.template]:
            self.drop(name)


@pytest.fixture(scope="session")
def postgres_databases(postgres_admin: Engine) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_admin)
    yield databases
    databases.close()


def _postgres_database(name: str) -> str:
    """The URL of a test database. Its commits do not wait for the disk: a test database
    need not survive a power cut, and the suite commits thousands of times."""
    url = make_url(normalise_url(postgres_url()))
    fast = url.update_query_dict({"options": "-c synchronous_commit=off"})
    return fast.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_slot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each SQLite test's database lives, one test after the other in this worker: the
    same URL, so the process's engine for it (core.db.make_engine) and the statements it has
    compiled serve every test, as they serve every request of a running server."""
    return tmp_path_factory.mktemp("sqlite") / "steward.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the test's own, already migrated and empty: a fresh copy of the SQLite
    template, or a PostgreSQL database from the pool."""
    if request.param == "sqlite":
        path: Path = request.getfixturevalue("sqlite_slot")
        url = f"sqlite:///{path}"
        make_engine(url).dispose()  # no connection to the last test's file is handed out again
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)  # a new file, not the old one overwritten
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield url
        make_engine(url).dispose()
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    name = databases.take()
    yield _postgres_database(name)
    databases.give_back(name)


@pytest.fixture
def engine(database_url: str, keyring: Keyring) -> Iterator[Engine]:
    """The test database, with the audit key of the test key file (as the entry points do)."""
    engine = make_engine(database_url)
    upgrade(engine)
    use_key(database_url, keyring.signing_key)
    yield engine
    release(engine)


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
    use_key(database_url, keyring.signing_key)  # as any entry point opening it would
    return Settings(
        database_url=database_url,
        policy=data_dir / "policy.yaml",
        key_file=data_dir / "steward.key",
        files_dir=data_dir / "files",
        backup_dir=data_dir / "backups",
    )


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()
