"""The database layer as `steward init` and `serve` use it, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import Engine, inspect, text

from steward.core.db import make_engine, normalise_url, release
from steward.core.settings import Settings


def test_sqlite_runs_in_wal_mode_with_foreign_keys_enforced(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    release(engine)


@pytest.mark.parametrize(
    "given, used",
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///./steward.db", "sqlite:///./steward.db"),
    ],
)
def test_plain_postgresql_urls_use_psycopg_3(given, used):
    assert normalise_url(given) == used


def test_upgrade_creates_the_schema(engine: Engine):
    assert "policy_versions" in inspect(engine).get_table_names()


def test_settings_come_from_steward_environment_variables(monkeypatch):
    monkeypatch.setenv("STEWARD_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("STEWARD_PORT", "8123")
    settings = Settings()
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.port == 8123


def test_the_embedded_default_needs_no_configuration(monkeypatch):
    for name in ("STEWARD_DATABASE_URL", "STEWARD_POLICY", "STEWARD_KEY_FILE", "STEWARD_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./steward.db"
    assert settings.host == "127.0.0.1"
