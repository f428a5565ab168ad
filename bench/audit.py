"""The audit trail: appends per second and verified entries per second, beside baselines.

Appends: `record()` 10,000 times in transactions of 1,000 (validation as each is recorded;
at commit the head lock, the hashes, one multi-row insert and the head update), against
the same rows inserted plainly, one multi-row INSERT per transaction, into a copy of the
table without hashing or head. Verify: `verify(from_start=True)` over
`--entries` entries (bulk-inserted with the chain computed in Python), against reading
the same rows in the same keyset batches without hashing.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on
PostgreSQL, in a throwaway schema.

Run: .venv/bin/python bench/audit.py [--entries N] [--appends N]
"""

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Column, Index, MetaData, Table, insert, select, text, update
from sqlalchemy.engine import Engine, make_url

from steward.audit.chain import ZERO, encode_names, entry_hash
from steward.audit.models import ENTRIES, HEAD
from steward.audit.service import record, verify
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import (
    make_engine,
    make_sessionmaker,
    normalise_url,
    release,
    transaction,
    upgrade,
)

ACTOR = Actor(role="agent", account_id="0190a1b2-0000-7000-8000-000000000001", request_id="r-1")
PERSON = "0190a1b2-0000-7000-8000-00000000aaaa"
SEED = b"\x07" * 32
BATCH = 1000


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A fresh, migrated database: a temporary SQLite file or a throwaway PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
            upgrade(engine)
            yield engine
            release(engine)
        return
    base = make_url(normalise_url(os.environ["STEWARD_TEST_DATABASE_URL"]))
    admin = make_engine(base.render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        release(engine)
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        release(admin)


def fields() -> dict[str, object]:
    return {
        "purpose": "essential.service",
        "person_id": PERSON,
        "categories": ["user.contact.email", "user.name"],
        "columns": ["people.email", "people.name"],
    }


def plain_copy() -> Table:
    """The entries table with the same columns and indexes, and nothing else."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
        for c in ENTRIES.columns
    ]
    table = Table("bench_plain_entries", MetaData(), *columns)
    for index in ENTRIES.indexes:
        Index(f"bench_{index.name}", *(table.c[c.name] for c in index.columns))
    return table


def appends(engine: Engine, count: int) -> tuple[float, float]:
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    for _ in range(count // BATCH):
        with transaction(sessions) as session:
            for _ in range(BATCH):
                record(session, ACTOR, "read", **fields())  # type: ignore[arg-type]
    audited = count / (time.perf_counter() - start)
    plain_table = plain_copy()
    plain_table.create(engine)
    row = {
        **fields(),
        "actor": ACTOR.account_id,
        "actor_role": ACTOR.role,
        "action": "read",
        "outcome": "allowed",
        "request_id": ACTOR.request_id,
        "categories": encode_names(["user.contact.email", "user.name"]),
        "columns": encode_names(["people.email", "people.name"]),
        "prev_hash": ZERO,
        "hash": ZERO,
    }
    statement, start, seq = insert(plain_table), time.perf_counter(), 0
    for _ in range(count // BATCH):
        with transaction(sessions) as session:
            rows = []
            for _ in range(BATCH):
                seq += 1
                rows.append({**row, "seq": seq, "at": clock.now()})
            session.connection().execute(statement, rows)
    plain = count / (time.perf_counter() - start)
    return audited, plain


def fill(engine: Engine, count: int) -> None:
    """`count` chained entries, inserted 10,000 per statement."""
    names = {"categories": encode_names(["user.contact.email"]), "columns": encode_names([])}
    prev, moment = ZERO, clock.now()
    with engine.begin() as connection:
        for first in range(1, count + 1, 10_000):
            rows = []
            for seq in range(first, min(first + 10_000, count + 1)):
                row = {
                    "seq": seq,
                    "at": moment + timedelta(microseconds=seq),
                    "actor": ACTOR.account_id,
                    "actor_role": ACTOR.role,
                    "action": "read",
                    "purpose": "essential.service",
                    "person_id": PERSON,
                    "outcome": "allowed",
                    "request_id": None,
                    "prev_hash": prev,
                    **names,
                }
                row["hash"] = prev = entry_hash(row)
                rows.append(row)
            connection.execute(insert(ENTRIES), rows)
        connection.execute(update(HEAD).values(seq=count, hash=prev))


def verifying(engine: Engine, count: int) -> tuple[float, float]:
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        start = time.perf_counter()
        result = verify(session, SEED, from_start=True)
        verified = count / (time.perf_counter() - start)
        if not result.intact or result.entries != count:
            raise SystemExit(f"verify failed on the benchmark trail: {result.problem}")
        start, last, seen = time.perf_counter(), 0, 0
        while True:
            query = select(ENTRIES).where(ENTRIES.c.seq > last).order_by(ENTRIES.c.seq)
            rows = session.execute(query.limit(5000)).all()
            if not rows:
                break
            last, seen = rows[-1].seq, seen + len(rows)
        read = seen / (time.perf_counter() - start)
    return verified, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries to verify")
    parser.add_argument("--appends", type=int, default=10_000, help="record() calls")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        with database(kind) as engine:
            audited, plain = appends(engine, args.appends)
        with database(kind) as engine:
            fill(engine, args.entries)
            verified, read = verifying(engine, args.entries)
        print(f"{kind}:")
        print(
            f"  append : {audited:9,.0f} entries/s audited, {plain:9,.0f} rows/s plain INSERT "
            f"-> audit takes {plain / audited:.1f}x the time"
        )
        print(
            f"  verify : {verified:9,.0f} entries/s over {args.entries:,}, {read:9,.0f} rows/s "
            f"plain keyset read -> verify takes {read / verified:.1f}x the time"
        )


if __name__ == "__main__":
    main()
