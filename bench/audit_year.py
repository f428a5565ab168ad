"""A year of audit trail for a business of 100 agents and 1,000,000 customers: how fast the
sequencer links it, how long `verify --from-start` takes, and how quickly "who used my data"
answers for one person, each beside a raw baseline measured in the same run.

`--entries` entries (default 200,000: a few minutes; a year of such a business is about 40
million: 100 agents x 250 days x ~1,600 entries a day, a list page writing one entry per
person shown) are spread evenly over a year, each an agent's access to a
random customer's data, bulk-inserted with their real MACs (bench/audit.py's `fill`), then:
- sequencing: the real sequencer, against the same links in a plain HMAC loop;
- verify: `verify(from_start=True)`, against reading the same rows in keyset batches;
- search by person: `audit.service.search(person_id=...)` (the index on person_id, id),
  newest 100, for `--lookups` customers who have entries, against the plain SELECT.

Run: .venv/bin/python bench/audit_year.py [--entries N] [--lookups N]
  (PostgreSQL too when STEWARD_TEST_DATABASE_URL is set)
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from audit import database, fill, timed_sequence, timed_verify  # bench/audit.py, beside it
from sqlalchemy import select

from steward.audit.chain import encode_names
from steward.audit.models import ENTRIES
from steward.audit.service import search
from steward.core.db import make_sessionmaker

AGENTS = 100
CUSTOMERS = 1_000_000
YEAR = timedelta(days=365)
START = datetime(2026, 1, 1, tzinfo=UTC)
PURPOSES = ("essential.service.support", "essential.service", "finance.billing")
ACTIONS = ("read", "read", "read", "write")


def customer(n: int) -> str:
    return f"0190a1b2-0000-7000-8000-{n:012x}"


def a_year(count: int, seed: int = 19) -> Iterator[dict[str, Any]]:
    """`count` entries in time order over a year: an agent, a customer, a purpose."""
    rng, step = random.Random(seed), YEAR / count
    names = {
        "categories": encode_names(["user.contact.email", "user.name"]),
        "columns": encode_names(["people.email", "people.name"]),
    }
    for n in range(count):
        yield {
            "at": START + step * n,
            "actor": f"0190a1b2-0000-7000-9000-{rng.randrange(AGENTS):012x}",
            "actor_role": "agent",
            "action": rng.choice(ACTIONS),
            "purpose": rng.choice(PURPOSES),
            "person_id": customer(rng.randrange(CUSTOMERS)),
            "outcome": "allowed",
            "request_id": None,
            **names,
        }


def lookups(engine: Any, people: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per "who used my data" search, and per plain SELECT of the same rows."""
    sessions = make_sessionmaker(engine)
    audited, raw = [], []
    with sessions() as session:
        for person in people:
            start = time.perf_counter()
            found = search(session, person_id=person, limit=100)
            audited.append((time.perf_counter() - start) * 1000)
            plain = (
                select(ENTRIES).where(ENTRIES.c.person_id == person).order_by(ENTRIES.c.id.desc())
            )
            start = time.perf_counter()
            rows = session.execute(plain.limit(100)).all()
            raw.append((time.perf_counter() - start) * 1000)
            if len(rows) != len(found):
                raise SystemExit("search and the plain SELECT disagree")
    return audited, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        with database(kind) as engine:
            start = time.perf_counter()
            count = fill(engine, a_year(args.entries))
            filled = time.perf_counter() - start
            sequenced, hmac_loop = timed_sequence(engine, count)
            verified, read = timed_verify(engine, count)
            with engine.connect() as connection:
                people = list(
                    connection.execute(
                        select(ENTRIES.c.person_id).distinct().limit(args.lookups)
                    ).scalars()
                )
            audited, raw = lookups(engine, people)
        p50, p50_raw = statistics.median(audited), statistics.median(raw)
        p99 = statistics.quantiles(audited, n=100)[98]
        p99_raw = statistics.quantiles(raw, n=100)[98]
        print(f"{kind}: {count:,} entries over a year, {AGENTS} agents, {CUSTOMERS:,} customers")
        print(f"  fill     : {count / filled:9,.0f} entries/s (MAC computed, bulk INSERT)")
        print(
            f"  sequence : {sequenced:9,.0f} entries/s, {hmac_loop:9,.0f} links/s plain HMAC "
            f"-> {hmac_loop / sequenced:.1f}x"
        )
        print(
            f"  verify   : {verified:9,.0f} entries/s ({count / verified:.1f} s), "
            f"{read:9,.0f} rows/s plain read -> {read / verified:.1f}x"
        )
        print(
            f"  by person: p50 {p50:.2f} ms, p99 {p99:.2f} ms; plain SELECT p50 "
            f"{p50_raw:.2f} ms, p99 {p99_raw:.2f} ms -> {p50 / p50_raw:.1f}x at p50"
        )


if __name__ == "__main__":
    main()
