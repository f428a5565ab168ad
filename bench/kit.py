"""What the benchmarks that need a database of their own share: a throwaway PostgreSQL
schema (or the SQLite file as it is) and settings in a temporary folder."""

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from steward.core.db import make_engine, normalise_url, release
from steward.core.settings import Settings
from steward.vault.keyring import Keyring

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "houston-generator.yaml"


@contextmanager
def schema_in(url: str) -> Iterator[str]:
    """A throwaway schema in a PostgreSQL database; a SQLite URL as it is."""
    if url.startswith("sqlite"):
        yield url
        return
    base = make_url(normalise_url(url))
    admin = make_engine(base.render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        release(admin)


def settings_in(directory: Path, url: str, keyring: Keyring) -> Settings:
    shutil.copyfile(POLICY, directory / "policy.yaml")
    keyring.save(directory / "steward.key")
    return Settings(
        database_url=url,
        policy=directory / "policy.yaml",
        key_file=directory / "steward.key",
        files_dir=directory / "files",
        smtp_url="smtp://127.0.0.1:9",  # nothing listens: the benchmark sends no mail
    )
