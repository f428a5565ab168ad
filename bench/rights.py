"""Rights requests at scale: one access export and one erasure, beside raw SQL.

Seeds `--people` people (default 100,000), each with a real data key, and `--tickets`
tickets (default 1,000,000) spread evenly over them, bulk-inserted. The people sampled get
their name, email and ticket subjects really sealed under their own key; everyone else's
sealed columns hold one stand-in ciphertext (never opened), which keeps seeding fast.

Then, for `--samples` people each: the time to build an access export
(`steward.rights.export.build`: every table of the data map, opened, zipped, sealed on disk)
and to erase a person (`steward.rights.erasure.erase`: batches, re-keying, tombstones),
against the raw SQL that SELECTs the same rows by person id from every table of the data
map. Median and p99 of each.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on PostgreSQL
in a throwaway schema; or only on `--database-url URL` (PostgreSQL: a throwaway schema in it).

Last, one person with `--heavy` tickets (default 100,000) is erased (in batches, each its
own transaction) against a plain DELETE of another person's as many tickets.

Run: .venv/bin/python bench/rights.py [--people N] [--tickets N] [--samples N]
     [--heavy N] [--database-url URL]
"""

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from kit import schema_in, settings_in  # bench/kit.py, beside this script
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import steward.models  # noqa: F401  (every table, as the entry points import them)
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import make_engine, make_sessionmaker, release, upgrade
from steward.core.runtime import Runtime
from steward.desk.models import Ticket
from steward.identity.models import Person
from steward.policy.service import read_active
from steward.rights import erasure, export
from steward.rights.common import new_reference
from steward.rights.datamap import holdings
from steward.rights.models import RightsRequest
from steward.vault import crypto
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey
from steward.vault.service import Vault

BATCH = 10_000
OFFICER = Actor(role="privacy_officer", account_id="bench-officer")


def seed(engine: Engine, keyring: Keyring, people: int, tickets: int, sampled: int) -> list[str]:
    """Bulk-insert the people, their keys and the tickets; returns the sampled people's ids."""
    now = clock.now()
    master, master_id = keyring.master_keys[0], keyring.current_id
    ids = [str(uuid.uuid4()) for _ in range(people)]
    chosen = ids[:: max(1, people // sampled)][:sampled]
    keys = {p: os.urandom(32) for p in chosen}
    stand_in = crypto.encrypt(os.urandom(32), b"stand-in", "never opened")

    def sealed(person_id: str, context: str, value: str) -> bytes:
        key = keys.get(person_id)
        if key is None:
            return stand_in
        return crypto.encrypt(key, value.encode(), f"{context}:{person_id}")

    with engine.begin() as connection:
        for start in range(0, people, BATCH):
            chunk = ids[start : start + BATCH]
            connection.execute(
                insert(DataKey.__table__),
                [
                    {
                        "person_id": p,
                        "wrapped": crypto.encrypt(
                            master, keys.get(p) or os.urandom(32), f"data_key:{p}"
                        ),
                        "master_key_id": master_id,
                        "created_at": now,
                    }
                    for p in chunk
                ],
            )
            connection.execute(
                insert(Person.__table__),
                [
                    {
                        "id": p,
                        "kind": "end_user",
                        "name": sealed(p, "people.name", f"Person {start + n}"),
                        "email": sealed(p, "people.email", f"person{start + n}@example.com"),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n, p in enumerate(chunk)
                ],
            )
    for start in range(0, tickets, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, tickets)):
            requester = ids[n % people]
            moment = now - timedelta(seconds=tickets - n)
            rows.append(
                {
                    "requester_id": requester,
                    "channel": "web",
                    "status": "open",
                    "priority": "normal",
                    "subject": sealed(requester, "tickets.subject", f"Issue {n}"),
                    "created_at": moment,
                    "updated_at": moment,
                    "last_activity_at": moment,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(Ticket.__table__), rows)
    return chosen


def seed_heavy(engine: Engine, keyring: Keyring, tickets: int) -> tuple[str, str]:
    """Two people with `tickets` tickets each, really sealed: one for Steward's erasure, one
    for the raw DELETE it is measured against."""
    now = clock.now()
    pair = (str(uuid.uuid4()), str(uuid.uuid4()))
    for person_id in pair:
        key = os.urandom(32)
        with engine.begin() as connection:
            connection.execute(
                insert(DataKey.__table__),
                {
                    "person_id": person_id,
                    "wrapped": crypto.encrypt(keyring.master_keys[0], key, f"data_key:{person_id}"),
                    "master_key_id": keyring.current_id,
                    "created_at": now,
                },
            )
            connection.execute(
                insert(Person.__table__),
                {
                    "id": person_id,
                    "kind": "customer",
                    "name": crypto.encrypt(key, b"Heavy User", f"people.name:{person_id}"),
                    "created_at": now,
                    "updated_at": now,
                },
            )
        for start in range(0, tickets, BATCH):
            rows = [
                {
                    "requester_id": person_id,
                    "channel": "email",
                    "status": "closed",
                    "priority": "normal",
                    "subject": crypto.encrypt(
                        key, f"Issue {n}".encode(), f"tickets.subject:{person_id}"
                    ),
                    "created_at": now,
                    "updated_at": now,
                    "last_activity_at": now,
                }
                for n in range(start, min(start + BATCH, tickets))
            ]
            with engine.begin() as connection:
                connection.execute(insert(Ticket.__table__), rows)
    return pair


def request_for(sessions: sessionmaker[Session], vault: Vault, person_id: str, kind: str) -> str:
    now = clock.now()
    with sessions() as session:
        vault.attach(session)
        request = RightsRequest(
            reference=new_reference(),
            kind=kind,
            channel="web",
            status="scheduled" if kind == "erasure" else "open",
            person_id=person_id,
            verification="session",
            received_at=now,
            verified_at=now,
            due_at=now + timedelta(days=30),
            scheduled_for=now - timedelta(minutes=1) if kind == "erasure" else None,
        )
        session.add(request)
        session.commit()
        return request.id


def raw_rows(engine: Engine, person_id: str) -> int:
    """The baseline: SELECT the same rows by person id from every table of the data map."""
    found = 0
    with engine.connect() as connection:
        for holding in holdings():
            column = holding.table.c[holding.owner]
            found += len(connection.execute(select(holding.table).where(column == person_id)).all())
    return found


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def summary(label: str, ours: list[float], base: list[float]) -> None:
    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[98]

    ours_med, base_med = statistics.median(ours), statistics.median(base)
    print(
        f"  {label:8} median {ours_med * 1000:8.1f} ms  p99 {p99(ours) * 1000:8.1f} ms   "
        f"raw SELECT median {base_med * 1000:6.2f} ms  p99 {p99(base) * 1000:6.2f} ms   "
        f"ratio {ours_med / base_med:5.1f}x"
    )


def run(url: str, folder: Path, people: int, tickets: int, samples: int, heavy: int) -> None:
    keyring = Keyring.generate()
    settings = settings_in(folder, url, keyring)
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        chosen = seed(engine, keyring, people, tickets, 2 * samples)
        print(
            f"  seeded {people:,} people, {tickets:,} tickets in {time.perf_counter() - started:.0f} s"
        )
        sessions = make_sessionmaker(engine)
        vault = Vault(keyring)
        policy = read_active(settings.policy).policy
        runtime = Runtime(sessions, vault, settings, policy)
        to_export, to_erase = chosen[:samples], chosen[samples:]
        ours, base = [], []
        for person_id in to_export:
            request_id = request_for(sessions, vault, person_id, "access")

            def build(request_id: str = request_id) -> None:
                with sessions() as session:
                    vault.attach(session)
                    session.info["policy"] = policy
                    request = session.get(RightsRequest, request_id)
                    export.build(session, settings, OFFICER, request)
                    session.commit()

            ours.append(timed(build))
            base.append(timed(lambda p=person_id: raw_rows(engine, p)))
        summary("export", ours, base)
        ours, base = [], []
        for person_id in to_erase:
            base.append(timed(lambda p=person_id: raw_rows(engine, p)))
            request_id = request_for(sessions, vault, person_id, "erasure")
            ours.append(timed(lambda r=request_id: erasure.erase(runtime, r)))
        summary("erase", ours, base)
        if heavy:
            ours_id, raw_id = seed_heavy(engine, keyring, heavy)
            request_id = request_for(sessions, vault, ours_id, "erasure")
            took = timed(lambda: erasure.erase(runtime, request_id))

            def raw_delete() -> None:
                with engine.begin() as connection:
                    connection.execute(delete(Ticket).where(Ticket.requester_id == raw_id))
                    connection.execute(delete(Person).where(Person.id == raw_id))

            base_took = timed(raw_delete)
            print(
                f"  erase one person with {heavy:,} tickets: {took:6.1f} s "
                f"({heavy / took:,.0f} rows/s, batches of {erasure.BATCH})   raw DELETE "
                f"{base_took:6.2f} s ({heavy / base_took:,.0f} rows/s)   ratio {took / base_took:5.1f}x"
            )
    finally:
        release(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument(
        "--heavy",
        type=int,
        default=100_000,
        help="tickets of the one heavy person erased (0: none)",
    )
    parser.add_argument("--database-url", help="only this database (PostgreSQL: a new schema)")
    args = parser.parse_args()
    if args.people < 2 * args.samples:
        parser.error("--people must be at least twice --samples")
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
                print(f"{name}: {args.people:,} people, {args.tickets:,} tickets")
                run(scoped, folder, args.people, args.tickets, args.samples, args.heavy)


if __name__ == "__main__":
    main()
