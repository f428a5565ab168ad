"""The service desk: opening tickets and listing the queue, beside bare baselines.

Open: POST /api/v1/tickets as a signed-in customer (validation, gate checks and audit
entries, sealing the subject and body, then reading the new ticket back through the gate)
against a bare FastAPI route in the same app that INSERTs the same two rows (the ticket and
its first message) with Core: no session, no gate, no audit, no encryption.

List: GET /api/v1/tickets as a signed-in agent over a queue of `--queue` tickets from 1,000
requesters (bulk-inserted with subjects and names sealed beforehand): the first page of 50,
a filtered page (status open, priority urgent) and a search for a requester's name (which
opens at most tickets.SEARCH_SCAN candidates), each against a bare route SELECTing the same
rows (the search: the rows it scans) and returning them without opening anything.

Runs on SQLite (a temporary file) and, when STEWARD_TEST_DATABASE_URL is set, on PostgreSQL
in a throwaway schema, as bench/audit.py does.

Run: .venv/bin/python bench/desk.py [--opens N] [--queue N] [--rounds N]
"""

import argparse
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import make_engine, normalise_url, release
from steward.core.settings import Settings
from steward.desk import tickets
from steward.desk.models import PRIORITIES, STATUSES, Message, Ticket
from steward.desk.tickets import SEARCH_SCAN
from steward.identity.admin import new_account
from steward.identity.models import Account, Person
from steward.identity.passwords import hash_password
from steward.vault.keyring import Keyring
from steward.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "houston-generator.yaml"
PASSWORD = "a long bench password 4711"
REQUESTERS = 1000
PAGE = 50
BATCH = 10_000


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


def account(app: FastAPI, email: str, role: str) -> None:
    with app.state.runtime.session() as session:
        made = new_account(
            session,
            None,
            email,
            "Bench Person",
            role,
            status="active",
            password_hash=hash_password(PASSWORD),
        )
        if role == "customer":
            person = session.get(Person, made.person_id)
            assert person is not None
            person.kind = "customer"
        session.commit()


def signed_in(app: FastAPI, email: str, stack: ExitStack) -> TestClient:
    """A client signed in (MFA passed for staff), kept open: a TestClient used outside its
    context starts a thread and an event loop for every request."""
    browser = stack.enter_context(TestClient(app))
    answer = browser.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    browser.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    if answer.json()["next"] == "mfa_enrol":
        secret = browser.post("/api/v1/auth/mfa/enrol").json()["secret"]
        code = pyotp.TOTP(secret).at(clock.now())
        browser.post("/api/v1/auth/mfa/verify", json={"code": code}).raise_for_status()
    return browser


def plain_open(engine: Engine, requester_id: str, subject: bytes, body: bytes) -> int:
    """The two rows opening a ticket writes, INSERTed with Core in one transaction."""
    now = clock.now()
    with engine.begin() as connection:
        ticket_id: int = connection.execute(
            insert(Ticket.__table__).returning(Ticket.__table__.c.id),
            {
                "requester_id": requester_id,
                "channel": "web",
                "status": "new",
                "priority": "normal",
                "subject": subject,
                "created_at": now,
                "updated_at": now,
                "last_activity_at": now,
            },
        ).scalar_one()
        connection.execute(
            insert(Message.__table__),
            {
                "id": str(uuid.uuid4()),
                "ticket_id": ticket_id,
                "owner_id": requester_id,
                "author_id": requester_id,
                "visibility": "public",
                "channel": "web",
                "body": body,
                "card_numbers_masked": 0,
                "created_at": now,
            },
        )
    return ticket_id


def plain_list(
    engine: Engine, status: str | None = None, priority: str | None = None, limit: int = PAGE
) -> dict[str, Any]:
    """The same page SELECTed with Core, its sealed bytes left as they are."""
    table = Ticket.__table__
    query = select(table).order_by(table.c.id.desc()).limit(limit + 1)
    if status:
        query = query.where(table.c.status == status)
    if priority:
        query = query.where(table.c.priority == priority)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    items = [{**row._mapping, "subject": (row.subject or b"").hex()} for row in rows[:limit]]
    return {"items": items, "next_offset": limit if len(rows) > limit else None}


def add_bare_routes(app: FastAPI, engine: Engine, requester_id: str) -> None:
    """Routes doing the same database work without gate, audit or encryption."""
    subject, body = os.urandom(60), os.urandom(80)  # stand-ins for sealed bytes

    @app.post("/bench/ticket", status_code=201)
    def bare_open() -> dict[str, int]:
        return {"id": plain_open(engine, requester_id, subject, body)}

    @app.get("/bench/tickets")
    def bare_list(
        status: str | None = None, priority: str | None = None, limit: int = PAGE
    ) -> dict[str, Any]:
        return plain_list(engine, status, priority, limit)


def service(app: FastAPI, work: Callable[[Session], Any]) -> Any:
    """Call a service as a request does: a fresh session with the vault and the policy."""
    with app.state.runtime.session() as session:
        return work(session)


def actor_of(app: FastAPI, email: str) -> Actor:
    def find(session: Session) -> Actor:
        index = app.state.vault.blind_index("login", email)
        found = session.execute(
            select(Account.id, Account.role, Account.person_id).where(Account.login_index == index)
        ).one()
        return Actor(role=found.role, account_id=found.id, person_id=found.person_id)

    result: Actor = service(app, find)
    return result


def seed_queue(app: FastAPI, engine: Engine, count: int) -> str:
    """`count` tickets of REQUESTERS people, sealed in Python, inserted BATCH per statement.
    Returns the name of one requester, to search for."""
    random.seed(7)
    vault, now = app.state.vault, clock.now()
    people = [str(uuid.uuid4()) for _ in range(REQUESTERS)]
    with app.state.sessions() as session:
        vault.attach(session)
        for person_id in people:
            vault.known_new(session, person_id)
        rows = [
            {
                "id": p,
                "kind": "customer",
                "created_at": now,
                "updated_at": now,
                "name": vault.seal(session, p, "people.name", f"Requester Number{i}"),
            }
            for i, p in enumerate(people)
        ]
        session.commit()  # the new data keys
        with engine.begin() as connection:
            connection.execute(insert(Person.__table__), rows)
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, count)):
                person_id = people[n % REQUESTERS]
                moment = now - timedelta(seconds=count - n)
                batch.append(
                    {
                        "requester_id": person_id,
                        "channel": "web",
                        "status": random.choice(STATUSES),
                        "priority": random.choice(PRIORITIES),
                        "subject": vault.seal(session, person_id, "tickets.subject", f"Issue {n}"),
                        "created_at": moment,
                        "updated_at": moment,
                        "last_activity_at": moment,
                    }
                )
            with engine.begin() as connection:
                connection.execute(insert(Ticket.__table__), batch)
    return "number17"  # a name; matched by "Requester Number17", "...170", "...1700" and so on


def per_second(rounds: int, call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        call()
    return rounds / (time.perf_counter() - start)


def ms_each(rounds: int, call: Callable[[], Any]) -> float:
    call()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - start) * 1000 / rounds


def ok(response: Any) -> Any:
    response.raise_for_status()
    return response


def line(label: str, ours: float, plain: float, unit: str, baseline: str) -> None:
    ratio = plain / ours if unit == "/s" else ours / plain
    fmt = "7,.0f" if unit == "/s" else "7.1f"
    print(
        f"  {label:<24}: {ours:{fmt}} {unit}, {plain:{fmt}} {unit} {baseline} "
        f"-> {ratio:.1f}x the time"
    )


def run(kind: str, opens: int, queue: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder, database_url(kind, Path(folder)) as url:
        settings = settings_in(Path(folder), url)
        app = create_app(settings)
        engine = make_engine(url)
        account(app, "customer@example.com", "customer")
        account(app, "agent@example.com", "agent")
        shopper, worker = actor_of(app, "customer@example.com"), actor_of(app, "agent@example.com")
        requester = shopper.person_id or ""
        subject, text_body = "The printer jams", "It jams on every second page."
        blobs = os.urandom(60), os.urandom(80)
        print(f"{kind}:")
        with ExitStack() as stack:
            customer = signed_in(app, "customer@example.com", stack)
            add_bare_routes(app, engine, requester)
            body = {"subject": subject, "body": text_body}
            api = per_second(opens, lambda: ok(customer.post("/api/v1/tickets", json=body)))
            bare = per_second(opens, lambda: ok(customer.post("/bench/ticket")))
            line("open ticket, API", api, bare, "/s", "bare INSERT route")

            def opened(session: Session) -> Any:
                return tickets.open_ticket(
                    session, settings, shopper, subject=subject, body=text_body
                )

            ours = per_second(opens, lambda: service(app, opened))
            plain = per_second(opens, lambda: plain_open(engine, requester, *blobs))
            line("open ticket, service", ours, plain, "/s", "Core INSERT")
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM messages"))
                connection.execute(text("DELETE FROM tickets"))
            start = time.perf_counter()
            name = seed_queue(app, engine, queue)
            print(f"  seeded {queue:,} tickets in {time.perf_counter() - start:.1f} s")
            agent = signed_in(app, "agent@example.com", stack)
            urgent = {"status": "open", "priority": "urgent"}
            for label, params, plain_params in (
                ("first page", {}, {}),
                ("filtered page", urgent, urgent),
                ("name search", {"text": name}, {"limit": SEARCH_SCAN}),
            ):
                api = ms_each(rounds, lambda p=params: ok(agent.get("/api/v1/tickets", params=p)))
                bare = ms_each(
                    rounds, lambda p=plain_params: ok(agent.get("/bench/tickets", params=p))
                )
                line(f"{label}, API", api, bare, "ms", "plain SELECT route")
                filters = tickets.TicketFilter(**params)

                def listed(session: Session, f: tickets.TicketFilter = filters) -> Any:
                    return tickets.list_tickets(session, worker, f, 0, PAGE)

                ours = ms_each(rounds, lambda: service(app, listed))
                plain = ms_each(rounds, lambda p=plain_params: plain_list(engine, **p))
                line(f"{label}, service", ours, plain, "ms", "plain SELECT")
        release(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opens", type=int, default=300, help="tickets opened per side")
    parser.add_argument("--queue", type=int, default=100_000, help="tickets in the queue")
    parser.add_argument("--rounds", type=int, default=10, help="requests per list figure")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("STEWARD_TEST_DATABASE_URL") else [])
    for kind in kinds:
        run(kind, args.opens, args.queue, args.rounds)


if __name__ == "__main__":
    main()
