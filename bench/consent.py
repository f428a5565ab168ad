"""The cookie banner's choices: recorded per second, beside a bare baseline; banner size.

Recorded: POST /api/v1/consent as the banner sends it (a new browser id each time, every
optional category of the policy chosen, policy version and text hash), through the whole
app with TestClient: validation, the ledger (one event per category on a first choice,
IP truncated) and its transaction. Baseline: a bare FastAPI route in the same app taking
the same JSON body and INSERTing the same rows into consent_events with Core: no
validation, no reading of the current state.

Also prints the size of steward/web/static/consent/banner.js, raw and gzipped.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on PostgreSQL
in a throwaway schema, as bench/desk.py does (whose two helpers are copied here).

Run: .venv/bin/python bench/consent.py [--choices N]
"""

import argparse
import gzip
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from kit import consent_rows
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from steward.consent.banner import config
from steward.consent.models import ConsentEvent
from steward.core.db import make_engine, normalise_url, release
from steward.core.settings import Settings
from steward.vault.keyring import Keyring
from steward.web.app import create_app
from steward.web.pages.consent import SCRIPT

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "houston-generator.yaml"


@contextmanager
def database_url(kind: str, directory: Path) -> Iterator[str]:
    """A temporary SQLite file, or a throwaway PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    base = make_url(normalise_url(os.environ["STEWARD_TEST_DATABASE_URL"]))
    admin = make_engine(base.render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        release(admin)


def settings_in(directory: Path, url: str) -> Settings:
    shutil.copyfile(POLICY, directory / "policy.yaml")
    Keyring.generate().save(directory / "steward.key")
    return Settings(
        database_url=url,
        policy=directory / "policy.yaml",
        key_file=directory / "steward.key",
        files_dir=directory / "files",
        smtp_url="smtp://127.0.0.1:9",  # nothing listens: the benchmark sends no mail
    )


def add_bare_route(app: FastAPI) -> None:
    table = ConsentEvent.__table__

    @app.post("/bench/bare-consent")
    def bare(body: dict[str, Any]) -> dict[str, Any]:
        rows = consent_rows(body)
        with app.state.sessions.begin() as session:
            session.execute(insert(table), rows)
        return {"browser_id": body["browser_id"], "choices": body["choices"]}


def rate(client: TestClient, path: str, bodies: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for body in bodies:
        answer = client.post(path, json=body)
        if answer.status_code >= 300:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.text}")
    return len(bodies) / (time.perf_counter() - start)


def run(kind: str, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder, database_url(kind, Path(folder)) as url:
        app = create_app(settings_in(Path(folder), url))
        add_bare_route(app)
        policy = app.state.active_policy.policy
        _, digest = config(policy)
        optional = [name for name in policy.cookies if name != "essential"]

        def bodies() -> list[dict[str, Any]]:
            return [
                {
                    "browser_id": str(uuid.uuid4()),
                    "choices": {name: n % 2 == 0 for name in optional},
                    "policy_version": policy.version,
                    "text_sha256": digest,
                }
                for n in range(count)
            ]

        with TestClient(app) as client:
            rate(client, "/api/v1/consent", bodies()[:20])  # warm up both paths
            rate(client, "/bench/bare-consent", bodies()[:20])
            ours = rate(client, "/api/v1/consent", bodies())
            bare = rate(client, "/bench/bare-consent", bodies())
        events = len(optional)
        print(
            f"{kind:10} POST /api/v1/consent {ours:8.0f} choices/s ({ours * events:6.0f} "
            f"events/s) | bare INSERT route {bare:8.0f} choices/s | ratio {bare / ours:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--choices", type=int, default=1000, help="choices posted per side")
    args = parser.parse_args()
    raw = SCRIPT.read_bytes()
    print(f"banner.js: {len(raw):,} bytes, {len(gzip.compress(raw, 9)):,} bytes gzipped")
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        run(kind, args.choices)


if __name__ == "__main__":
    main()
