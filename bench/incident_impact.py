"""Who an incident affected, computed from the audit trail: an agent's account compromised
over a quarter, on `--entries` entries (default 1,000,000) spread over a year, 10 agents
reading 50,000 customers' data, against a plain indexed SELECT of the same entries.

The computation is `steward.incidents.impact.affected` counted as a preview counts it (one
SELECT grouped by person and categories, streamed; categories resolved to the policy's keys;
each person's law looked up in batches of 1,000), under houston-generator.yaml (three laws,
so the look-ups run). The baseline fetches the same entries' person and categories with
the same WHERE, nothing else. Both use the index on (actor, id) or the one on `at`, as the
planner chooses; the figures are the best of `--runs`.

Run: .venv/bin/python bench/incident_impact.py [--entries N] [--runs N]
  (PostgreSQL too when STEWARD_TEST_DATABASE_URL is set)
"""

import argparse
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from audit import database, fill  # bench/audit.py, beside it
from sqlalchemy import select

import steward.models  # noqa: F401  (every table: the data map reads them)
from steward.audit.chain import encode_names
from steward.audit.models import ENTRIES
from steward.core.db import make_sessionmaker
from steward.incidents.impact import Scope, Tally, affected, audit_where
from steward.policy.loader import load_policy

AGENTS = 10
CUSTOMERS = 50_000
YEAR = timedelta(days=365)
START = datetime(2026, 1, 1, tzinfo=UTC)
QUARTER = (START + timedelta(days=90), START + timedelta(days=180))
POLICY = Path(__file__).resolve().parents[1] / "examples" / "houston-generator.yaml"
CATEGORIES = (
    ["user.contact.email", "user.name"],
    ["user.contact.phone_number"],
    ["user.financial.billing_address"],
    ["user.device.ip_address", "user.device.mac_address"],
)


def agent(n: int) -> str:
    return f"0190a1b2-0000-7000-9000-{n:012x}"


def a_year(count: int, seed: int = 20) -> Iterator[dict[str, Any]]:
    rng, step = random.Random(seed), YEAR / count
    names = [encode_names(c) for c in CATEGORIES]
    for n in range(count):
        yield {
            "at": START + step * n,
            "actor": agent(rng.randrange(AGENTS)),
            "actor_role": "agent",
            "action": "read",
            "purpose": "essential.service",
            "person_id": f"0190a1b2-0000-7000-8000-{rng.randrange(CUSTOMERS):012x}",
            "outcome": "allowed",
            "request_id": None,
            "categories": rng.choice(names),
            "columns": "[]",
        }


def best(runs: int, work: Any) -> tuple[float, Any]:
    times, found = [], None
    for _ in range(runs):
        start = time.perf_counter()
        found = work()
        times.append(time.perf_counter() - start)
    return min(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    policy = load_policy(POLICY)
    scope = Scope("account", account=agent(3), since=QUARTER[0], until=QUARTER[1])
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        with database(kind) as engine:
            count = fill(engine, a_year(args.entries))
            sessions = make_sessionmaker(engine)
            with sessions() as session:
                session.info["policy"] = policy

                def computed() -> Tally:
                    tally = Tally()
                    for person in affected(session, scope):
                        tally.add(person)
                    return tally

                def plain() -> list[Any]:
                    query = select(ENTRIES.c.person_id, ENTRIES.c.categories)
                    return list(session.execute(query.where(audit_where(scope, [QUARTER]))))

                took, tally = best(args.runs, computed)
                took_plain, rows = best(args.runs, plain)
        if tally.people != len({r[0] for r in rows}) or tally.records != len(rows):
            raise SystemExit("the computation and the plain SELECT disagree")
        print(f"{kind}: {count:,} entries over a year, {AGENTS} agents, {CUSTOMERS:,} customers")
        print(
            f"  one agent over a quarter: {len(rows):,} entries, {tally.people:,} people, "
            f"{len(tally.categories)} categories"
        )
        print(
            f"  impact   : {took * 1000:8.1f} ms; plain SELECT {took_plain * 1000:8.1f} ms "
            f"-> {took / took_plain:.1f}x"
        )


if __name__ == "__main__":
    main()
