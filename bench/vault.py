"""Writing and reading people with encrypted fields against the same rows in plain columns.

Run: .venv/bin/python bench/vault.py [--people N]
On SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on PostgreSQL
(in a schema of its own, dropped afterwards).
"""

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, insert, select, text
from sqlalchemy.engine import Engine, make_url

from steward.core import clock
from steward.core.db import make_engine, make_sessionmaker, normalise_url, release, upgrade
from steward.identity.models import Person
from steward.vault.keyring import Keyring
from steward.vault.service import Vault

BATCH = 1000
plain = Table(
    "bench_plain_people",
    MetaData(),
    Column("id", String(36), primary_key=True),
    Column("kind", String(20)),
    Column("name", String(200)),
    Column("email", String(200)),
    Column("phone", String(50)),
    Column("company", String(200)),
)


def rows(n: int) -> list[dict[str, str]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "kind": "customer",
            "name": f"Person {i}",
            "email": f"person{i}@example.com",
            "phone": f"+1 555 {i:07d}",
            "company": f"Firm {i % 97}",
        }
        for i in range(n)
    ]


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(engine: Engine, n: int) -> None:
    upgrade(engine)
    plain.create(engine, checkfirst=True)
    vault = Vault(Keyring.generate())
    sessions = make_sessionmaker(engine)
    people = rows(n)
    now = clock.now()

    def write_encrypted() -> None:
        for start in range(0, n, BATCH):
            with sessions() as session, session.begin():
                vault.attach(session)
                session.add_all(
                    Person(**row, created_at=now, updated_at=now)
                    for row in people[start : start + BATCH]
                )

    def write_plain() -> None:
        for start in range(0, n, BATCH):
            with engine.begin() as connection:
                connection.execute(insert(plain), people[start : start + BATCH])

    def read_encrypted() -> None:
        with sessions() as session:
            vault.attach(session)
            for person in session.scalars(select(Person).execution_options(yield_per=BATCH)):
                _ = person.email

    def read_plain() -> None:
        with engine.connect() as connection:
            for _ in connection.execute(select(plain).execution_options(yield_per=BATCH)):
                pass

    for label, ours, baseline in (
        ("write", write_encrypted, write_plain),
        ("read", read_encrypted, read_plain),
    ):
        t_ours, t_base = timed(ours), timed(baseline)
        print(
            f"  {label:5} {n} people: encrypted {n / t_ours:9.0f}/s   plain {n / t_base:9.0f}/s"
            f"   ratio {t_ours / t_base:5.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        run(engine, args.people)
        release(engine)
    url = os.environ.get("STEWARD_TEST_DATABASE_URL")
    if url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            print("PostgreSQL")
            scoped = make_url(normalise_url(url)).update_query_dict(
                {"options": f"-csearch_path={schema}"}
            )
            engine = make_engine(scoped.render_as_string(hide_password=False))
            run(engine, args.people)
            release(engine)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            release(admin)


if __name__ == "__main__":
    main()
