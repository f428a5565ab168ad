"""The audit trail: appends, concurrent writers, sequencing and verify, beside baselines.

Appends: `record()` 10,000 times in transactions of 1,000 (names checked as each is
recorded; at commit ids from the sequence, a MAC each, one multi-row INSERT that also queues
them), against the same rows inserted plainly, one multi-row INSERT per transaction, into a
copy of the table. Writers (PostgreSQL): transactions of one entry that stay open
`--hold` ms after writing it (a request's work after its first audited read), one writer
against two at once; the baseline is the same with a plain INSERT. Sequencing: `--entries`
entries bulk-inserted with their real MACs and linked by the sequencer, against computing
the same links in a plain HMAC loop. Verify: `verify(from_start=True)`, against reading the
same rows in the same keyset batches without checking.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on
PostgreSQL, in a throwaway schema. `fill` and `timed_sequence` are shared with
bench/audit_year.py.

Run: .venv/bin/python bench/audit.py [--entries N] [--appends N] [--hold MS]
"""

import argparse
import hmac
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kit import schema_in  # bench/kit.py, beside this script
from sqlalchemy import Column, Index, MetaData, Table, insert, select, text
from sqlalchemy.engine import Engine

from steward.audit.chain import audit_key, encode_names, entry_mac
from steward.audit.models import CHAIN, ENTRIES, PENDING
from steward.audit.sequencer import sequence
from steward.audit.service import record, use_key, verify, write_pending
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import make_engine, make_sessionmaker, release, transaction, upgrade

ACTOR = Actor(role="agent", account_id="0190a1b2-0000-7000-8000-000000000001", request_id="r-1")
PERSON = "0190a1b2-0000-7000-8000-00000000aaaa"
SEED = b"\x07" * 32
KEY = audit_key(SEED)
BATCH = 1000


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A fresh, migrated database (a temporary SQLite file or a throwaway PostgreSQL schema)
    with the benchmark's audit key."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        if kind == "postgresql":
            url = os.environ["STEWARD_TEST_DATABASE_URL"]
        with schema_in(url) as scoped:
            engine = make_engine(scoped)
            try:
                upgrade(engine)
                use_key(engine, SEED)
                yield engine
            finally:
                release(engine)


def fields() -> dict[str, Any]:
    return {
        "purpose": "essential.service",
        "person_id": PERSON,
        "categories": ["user.contact.email", "user.name"],
        "columns": ["people.email", "people.name"],
    }


def plain_copy(engine: Engine) -> Table:
    """The entries table with the same columns and indexes, and nothing else."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
        for c in ENTRIES.columns
    ]
    table = Table("bench_plain_entries", MetaData(), *columns)
    for index in ENTRIES.indexes:
        Index(f"bench_{index.name}", *(table.c[c.name] for c in index.columns))
    table.create(engine)
    return table


def plain_row(entry_id: int) -> dict[str, Any]:
    return {
        "id": entry_id,
        "at": clock.now(),
        "actor": ACTOR.account_id,
        "actor_role": ACTOR.role,
        "action": "read",
        "purpose": "essential.service",
        "person_id": PERSON,
        "outcome": "allowed",
        "request_id": ACTOR.request_id,
        "categories": encode_names(["user.contact.email", "user.name"]),
        "columns": encode_names(["people.email", "people.name"]),
        "mac": None,
    }


def appends(engine: Engine, count: int) -> tuple[float, float]:
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    for _ in range(count // BATCH):
        with transaction(sessions) as session:
            for _ in range(BATCH):
                record(session, ACTOR, "read", **fields())
    audited = count / (time.perf_counter() - start)
    table, start, n = plain_copy(engine), time.perf_counter(), 0
    for _ in range(count // BATCH):
        with transaction(sessions) as session:
            rows = [plain_row(n + i) for i in range(1, BATCH + 1)]
            n += BATCH
            session.connection().execute(insert(table), rows)
    return audited, count / (time.perf_counter() - start)


def in_parallel(writers: int, seconds: float, work: Callable[[], None]) -> float:
    """Transactions per second of `writers` threads each running `work` for `seconds`."""
    done = [0] * writers
    stop = time.perf_counter() + seconds

    def run(n: int) -> None:
        while time.perf_counter() < stop:
            work()
            done[n] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def concurrent_writers(engine: Engine, hold_ms: float, seconds: float = 5) -> dict[str, float]:
    """Transactions/s with 1 and 2 writers, each holding its transaction `hold_ms` after
    writing its entry: audited, and plain (an INSERT into a copy of the table)."""
    sessions = make_sessionmaker(engine)
    hold = text("SELECT pg_sleep(:s)").bindparams(s=hold_ms / 1000)
    table, ids, lock = plain_copy(engine), iter(range(1, 10**9)), threading.Lock()

    def audited() -> None:
        with transaction(sessions) as session:
            record(session, ACTOR, "read", **fields())
            write_pending(session)
            session.execute(hold)

    def plain() -> None:
        with lock:
            entry_id = next(ids)
        with transaction(sessions) as session:
            session.connection().execute(insert(table), [plain_row(entry_id)])
            session.execute(hold)

    return {
        f"{kind} x{n}": in_parallel(n, seconds, work)
        for kind, work in (("audited", audited), ("plain", plain))
        for n in (1, 2)
    }


def fill(engine: Engine, rows: Iterable[dict[str, Any]], chunk: int = 10_000) -> int:
    """Insert entries with their real MACs and queue them for the sequencer, `chunk` per
    statement; `rows` carry every field but `id` and `mac`. Returns how many."""
    count = 0
    with engine.begin() as connection:
        batch: list[dict[str, Any]] = []
        for row in rows:
            count += 1
            row["id"] = count
            row["mac"] = entry_mac(KEY, row)
            batch.append(row)
            if len(batch) == chunk:
                _write(connection, batch)
                batch = []
        if batch:
            _write(connection, batch)
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), :n)"),
                {"n": count},
            )
    return count


def _write(connection: Any, batch: list[dict[str, Any]]) -> None:
    connection.execute(insert(ENTRIES), batch)
    connection.execute(insert(PENDING), [{"entry_id": r["id"]} for r in batch])


def same_rows(count: int) -> Iterator[dict[str, Any]]:
    names = {"categories": encode_names(["user.contact.email"]), "columns": encode_names([])}
    for _ in range(count):
        yield {**plain_row(0), **names, "request_id": None}


def timed_sequence(engine: Engine, count: int) -> tuple[float, float]:
    """Entries/s linked by the sequencer, and the same links in a plain HMAC loop."""
    start = time.perf_counter()
    linked = sequence(engine, SEED, batch=5000)
    sequenced = linked / (time.perf_counter() - start)
    if linked != count:
        raise SystemExit(f"the sequencer linked {linked} of {count}")
    with engine.connect() as connection:
        rows = connection.execute(
            select(CHAIN.c.seq, CHAIN.c.entry_id, ENTRIES.c.mac).join(
                ENTRIES, ENTRIES.c.id == CHAIN.c.entry_id
            )
        ).all()
    start, previous = time.perf_counter(), "0" * 64
    for seq, entry_id, mac in rows:
        message = f"{previous}\x00{seq}\x00{entry_id}\x00{mac}".encode()
        previous = hmac.digest(KEY, message, "sha256").hex()
    return sequenced, count / (time.perf_counter() - start)


def timed_verify(engine: Engine, count: int) -> tuple[float, float]:
    """Entries/s verified from the start, and rows/s read in the same keyset batches."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        start = time.perf_counter()
        result = verify(session, SEED, from_start=True)
        verified = count / (time.perf_counter() - start)
        if not result.intact or result.entries != count:
            raise SystemExit(f"verify failed on the benchmark trail: {result.problem}")
        start, last, seen = time.perf_counter(), 0, 0
        while True:
            query = (
                select(CHAIN, ENTRIES)
                .join(ENTRIES, ENTRIES.c.id == CHAIN.c.entry_id)
                .where(CHAIN.c.seq > last)
                .order_by(CHAIN.c.seq)
            )
            rows = session.execute(query.limit(5000)).all()
            if not rows:
                break
            last, seen = rows[-1].seq, seen + len(rows)
        read = seen / (time.perf_counter() - start)
    return verified, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000, help="entries to link, verify")
    parser.add_argument("--appends", type=int, default=10_000, help="record() calls")
    parser.add_argument("--hold", type=float, default=5, help="ms a writer's transaction stays")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        with database(kind) as engine:
            audited, plain = appends(engine, args.appends)
        writers = {}
        if kind == "postgresql":
            with database(kind) as engine:
                writers = concurrent_writers(engine, args.hold)
        with database(kind) as engine:
            fill(engine, same_rows(args.entries))
            sequenced, hmac_loop = timed_sequence(engine, args.entries)
            verified, read = timed_verify(engine, args.entries)
        print(f"{kind}:")
        print(
            f"  append  : {audited:9,.0f} entries/s audited, {plain:9,.0f} rows/s plain INSERT "
            f"-> audit takes {plain / audited:.1f}x the time"
        )
        if writers:
            print(
                f"  writers : holding {args.hold:g} ms, audited {writers['audited x1']:,.0f} tx/s "
                f"with 1, {writers['audited x2']:,.0f} with 2 ({writers['audited x2'] / writers['audited x1']:.2f}x); "
                f"plain {writers['plain x1']:,.0f} with 1, {writers['plain x2']:,.0f} with 2 "
                f"-> audited/plain with 2: {writers['plain x2'] / writers['audited x2']:.2f}x the time"
            )
        print(
            f"  sequence: {sequenced:9,.0f} entries/s over {args.entries:,}, "
            f"{hmac_loop:9,.0f} links/s plain HMAC loop -> {hmac_loop / sequenced:.1f}x the time"
        )
        print(
            f"  verify  : {verified:9,.0f} entries/s over {args.entries:,}, {read:9,.0f} rows/s "
            f"plain keyset read -> verify takes {read / verified:.1f}x the time"
        )


if __name__ == "__main__":
    main()
