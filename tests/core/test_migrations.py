"""Migrations build, from the first revision, exactly the schema the models declare."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

import steward.models  # noqa: F401  (every table, to compare with the migrations)
from steward.core.db import Base, downgrade, make_engine, normalise_url, release, upgrade
from tests.conftest import postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        release(engine)
        return
    url = make_url(normalise_url(postgres_url()))
    name = f"steward_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    yield engine
    release(engine)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    release(admin)


def test_upgrading_an_empty_database_matches_the_models(empty_engine: Engine):
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrations_go_down_to_nothing_and_up_again(empty_engine: Engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert "policy_versions" in inspect(empty_engine).get_table_names()


def test_upgrading_twice_changes_nothing(empty_engine: Engine):
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text("select count(*) from alembic_version")).scalar() == 1


def test_the_heads_a_start_compares_with_are_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from steward.core.db import MIGRATIONS, _heads

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert _heads() == set(ScriptDirectory.from_config(config).get_heads())
