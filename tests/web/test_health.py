"""`/api/v1/health` (alive) and `/api/v1/ready` (database, migrations, policy), as a proxy or
an orchestrator asks them: without signing in."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from steward.core.db import make_engine, release


@contextmanager
def unreachable(request, database_url: str) -> Iterator[None]:
    """The test's database refusing every new connection for a while."""
    release(make_engine(database_url))
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        away = path.with_name(path.name + ".away")
        path.rename(away)
        path.mkdir()  # a directory where the file was: SQLite cannot open it
        try:
            yield
        finally:
            path.rmdir()
            away.rename(path)
        return
    admin = request.getfixturevalue("postgres_admin")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false'))
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true'))


def test_a_serving_process_is_alive_and_ready(new_client):
    anonymous = new_client()
    assert anonymous.get("/api/v1/health").json() == {"status": "ok"}
    ready = anonymous.get("/api/v1/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "policy": "ok"},
    }


def test_without_its_database_a_process_is_alive_but_not_ready(request, client, identity_settings):
    with unreachable(request, identity_settings.database_url):
        assert client.get("/api/v1/health").status_code == 200
        ready = client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["title"] == "Not ready"
    assert ready.json()["detail"] == "Failed: database."
    assert identity_settings.database_url.split("@")[-1] not in ready.text
    assert client.get("/api/v1/ready").status_code == 200  # and ready again at once


def test_a_database_at_another_migration_is_not_ready(client, identity_settings):
    engine = make_engine(identity_settings.database_url)
    with engine.begin() as connection:  # as a database left by an older Steward would be
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "Failed: migrations."
