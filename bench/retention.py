"""The retention sweep: expired usage events deleted per second, beside plain SQL DELETEs.

Seeds `--rows` usage events (default 1,000,000) stamped in 2020, spread over `--browsers`
browser ids (default 10,000), and `--recent` events (default 1,000) from yesterday,
bulk-inserted (Core executemany 10,000 rows per statement; COPY on PostgreSQL). Under
examples/houston-generator.yaml usage events are user.behavior (deleted 2 years after they
were created) with an IP prefix of user.device (1 year): every old row goes by deletion and
the recent ones stay, which the benchmark checks in the run's counts and the table.

Steward: `steward.retention.sweep.run` with the real clock: every table of the data map
swept, each batch of `--batch` ids (default 1,000) its own transaction (holds read again,
the rows' links and mentions cleared, the rows deleted), then the report and its audit
entry; again with `--large-batch` (default 10,000). Every other table is empty, so the
sweep's other operations cost a few queries each: the figure is the usage events' deletion.

Baselines, each on the same rows seeded afresh: one `DELETE FROM usage_events WHERE at <=
cutoff` in one transaction (the floor), and the same batches as the sweep, plain: per
transaction `SELECT id ... WHERE at <= cutoff LIMIT batch` then `DELETE ... WHERE id IN`,
with Core, nothing else. The ratio against the batched DELETE is the honest comparison.
On PostgreSQL every table is VACUUM ANALYZEd after seeding, as autovacuum would have.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on PostgreSQL
in a throwaway schema; or only on `--database-url URL` (PostgreSQL: a throwaway schema in it).

Run: .venv/bin/python bench/retention.py [--rows N] [--recent N] [--browsers N]
     [--batch N] [--large-batch N] [--database-url URL]
"""

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from kit import schema_in, settings_in  # bench/kit.py, beside this script
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Engine

import steward.models  # noqa: F401  (every table, as the entry points import them)
from steward.consent.models import UsageEvent
from steward.core import clock
from steward.core.db import make_engine, make_sessionmaker, release, upgrade
from steward.core.ids import new_id
from steward.core.runtime import Runtime
from steward.core.settings import Settings
from steward.policy.service import read_active
from steward.retention import sweep
from steward.vault.keyring import Keyring
from steward.vault.service import Vault

CHUNK = 10_000
OLD = datetime(2020, 1, 1, tzinfo=UTC)
EVENTS = cast(Table, UsageEvent.__table__)
COLUMNS = ("id", "browser_id", "kind", "name", "path", "ip_prefix", "at")


def events(rows: int, recent: int, browsers: int) -> Iterator[tuple[object, ...]]:
    """`rows` events a second apart from 2020-01-01, then `recent` from yesterday."""
    owners = [str(uuid.uuid4()) for _ in range(browsers)]
    yesterday = clock.now() - timedelta(days=1)
    for n in range(rows + recent):
        at = OLD + timedelta(seconds=n) if n < rows else yesterday + timedelta(seconds=n - rows)
        yield (
            new_id(),
            owners[n % browsers],
            "page_view",
            "view",
            f"/generators/{n % 500}",
            f"203.0.{n % 256}.0/24",
            at,
        )


def reset(engine: Engine) -> None:
    """An empty usage_events table (and no dead rows left behind)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE usage_events"))
        return
    with engine.begin() as connection:
        connection.execute(delete(EVENTS))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM"))


def seed(engine: Engine, rows: int, recent: int, browsers: int) -> float:
    """Empty the table and bulk-insert the events; returns the seconds it took."""
    reset(engine)
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
                names = ", ".join(COLUMNS)
                with cursor.copy(f"COPY usage_events ({names}) FROM STDIN") as copy:
                    for row in events(rows, recent, browsers):
                        copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        chunk: list[dict[str, object]] = []
        with engine.begin() as connection:
            for row in events(rows, recent, browsers):
                chunk.append(dict(zip(COLUMNS, row, strict=True)))
                if len(chunk) == CHUNK:
                    connection.execute(insert(EVENTS), chunk)
                    chunk = []
            if chunk:
                connection.execute(insert(EVENTS), chunk)
    return time.perf_counter() - started


def remaining(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(EVENTS)) or 0)


def cutoff(settings: Settings) -> datetime:
    """The sweep's cut-off for usage events: user.behavior's period before now."""
    policy = read_active(settings.policy).policy
    return policy.categories["user.behavior"].retention.period.before(clock.now())


class Batches:
    """The moment each batch ended, to show whether batches slow down as the table empties."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.ends: list[float] = []

    def tick(self, *_: object) -> None:
        self.ends.append(time.perf_counter())

    def shape(self) -> str:
        if len(self.ends) < 20:
            return ""
        times = [b - a for a, b in zip([self.started, *self.ends], self.ends, strict=False)]
        tenth = len(times) // 10

        def ms(part: list[float]) -> str:
            return f"{statistics.median(part) * 1000:.1f}"

        return (
            f"ms/batch (median) first tenth {ms(times[:tenth])}, middle "
            f"{ms(times[4 * tenth : 6 * tenth])}, last tenth {ms(times[-tenth:])}"
        )


def steward_sweep(
    engine: Engine, settings: Settings, keyring: Keyring, batch: int
) -> tuple[float, dict[str, dict[str, int]], Batches]:
    sessions = make_sessionmaker(engine)
    vault = Vault(keyring)
    policy = read_active(settings.policy).policy
    batches = Batches()

    def progress(what: str, rows: int) -> None:
        if what.startswith("usage_events"):
            batches.tick()

    started = time.perf_counter()
    runtime = Runtime(sessions, vault, settings, policy)
    report = sweep.run(runtime, source="bench", batch=batch, progress=progress)
    took = time.perf_counter() - started
    return took, json.loads(report.counts), batches


def plain_delete(engine: Engine, limit: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    with engine.begin() as connection:
        gone = connection.execute(delete(EVENTS).where(EVENTS.c.at <= limit)).rowcount
    return time.perf_counter() - started, gone


def batched_delete(engine: Engine, limit: datetime, batch: int) -> tuple[float, int, Batches]:
    gone, batches = 0, Batches()
    started = time.perf_counter()
    while True:
        with engine.begin() as connection:
            ids = list(
                connection.scalars(select(EVENTS.c.id).where(EVENTS.c.at <= limit).limit(batch))
            )
            if not ids:
                break
            connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(ids)))
        gone += len(ids)
        batches.tick()
    return time.perf_counter() - started, gone, batches


def line(label: str, rows: int, took: float, base_took: float, floor: float) -> None:
    print(
        f"  {label:24} {took:7.1f} s {rows / took:9,.0f} rows/s   batched DELETE "
        f"{base_took:7.1f} s {rows / base_took:9,.0f} rows/s   ratio {took / base_took:5.1f}x"
        f"   ({took / floor:.1f}x one DELETE)"
    )


def run(url: str, folder: Path, rows: int, recent: int, browsers: int, sizes: list[int]) -> None:
    keyring = Keyring.generate()
    settings = settings_in(folder, url, keyring)
    engine = make_engine(url)
    try:
        upgrade(engine)
        seeded = seed(engine, rows, recent, browsers)
        print(f"  seeded {rows:,} expired + {recent:,} recent usage events in {seeded:.0f} s")
        limit = cutoff(settings)
        plain_took, gone = plain_delete(engine, limit)
        if gone != rows or remaining(engine) != recent:
            raise SystemExit(f"plain DELETE removed {gone:,} rows, expected {rows:,}")
        results = []
        for size in sizes:
            seed(engine, rows, recent, browsers)
            took, counts, ours = steward_sweep(engine, settings, keyring, size)
            expected = {"user.behavior": {"delete": rows}, "user.device": {"delete": rows}}
            if counts != expected or remaining(engine) != recent:
                raise SystemExit(
                    f"sweep counted {counts}, {remaining(engine):,} rows left; "
                    f"expected {expected} and {recent:,}"
                )
            seed(engine, rows, recent, browsers)
            base_took, gone, theirs = batched_delete(engine, limit, size)
            if gone != rows or remaining(engine) != recent:
                raise SystemExit(f"batched DELETE removed {gone:,} rows, expected {rows:,}")
            results.append((size, took, ours, base_took, theirs))
        print(f"  {'one DELETE':24} {plain_took:7.1f} s {rows / plain_took:9,.0f} rows/s")
        for size, took, ours, base_took, theirs in results:
            line(f"sweep, batches of {size:,}", rows, took, base_took, plain_took)
            if ours.shape():
                print(f"    sweep {ours.shape()}")
                print(f"    batched DELETE {theirs.shape()}")
    finally:
        release(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="expired usage events")
    parser.add_argument("--recent", type=int, default=1_000, help="usage events kept")
    parser.add_argument("--browsers", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=sweep.BATCH)
    parser.add_argument(
        "--large-batch", type=int, default=10_000, help="a second batch size (0: none)"
    )
    parser.add_argument("--database-url", help="only this database (PostgreSQL: a new schema)")
    args = parser.parse_args()
    sizes = [args.batch] + ([args.large_batch] if args.large_batch else [])
    targets: list[tuple[str, str | None]] = []
    if args.database_url:
        name = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
        targets.append((name, args.database_url))
    else:
        targets.append(("SQLite", None))
        if os.environ.get("STEWARD_TEST_DATABASE_URL"):
            targets.append(("PostgreSQL", os.environ["STEWARD_TEST_DATABASE_URL"]))
    for name, url in targets:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            with schema_in(url or f"sqlite:///{folder / 'bench.db'}") as scoped:
                print(f"{name}: {args.rows:,} expired usage events, {args.recent:,} recent")
                started = time.perf_counter()
                run(scoped, folder, args.rows, args.recent, args.browsers, sizes)
                print(f"  ({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
