"""What the benchmarks that need a database of their own share: a throwaway PostgreSQL
schema (or the SQLite file as it is) and settings in a temporary folder."""

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from steward.core import clock
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


def consent_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The consent events a banner's choice (`body`, as the banner sends it) is kept as."""
    browser, now = body.get("browser_id") or str(uuid.uuid4()), clock.now()
    return [
        {
            "id": str(uuid.uuid4()),
            "owner_id": browser,
            "person_id": None,
            "browser_id": browser,
            "purpose": purpose,
            "choice": "given" if given else "withdrawn",
            "method": "banner",
            "policy_version": body["policy_version"],
            "text_sha256": body["text_sha256"],
            "ip_prefix": "127.0.0.0/24",
            "at": now,
        }
        for purpose, given in body["choices"].items()
    ]


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
