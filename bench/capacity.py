"""What each user action writes: rows per table and audit entries, and (on PostgreSQL) the
bytes they add with their indexes. The figures under docs/scaling.md's capacity model.

Each action runs `--repeats` times through the JSON API, as a signed-in customer or agent,
on a fresh database (SQLite, or PostgreSQL in a throwaway schema when
STEWARD_TEST_DATABASE_URL is set); every table is counted before and after. Baseline: the
rows the action itself is about (one ticket and its first message; one message), so the
ratio says how many rows the bookkeeping around it (audit, history, search tokens) adds.

    .venv/bin/python bench/capacity.py [--repeats N]
"""

import argparse
import os
import socket
import tempfile
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from desk import account, database_url, settings_in, signed_in  # bench/desk.py, beside this
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

import steward.models  # noqa: F401  (every table, to count them all)
from steward.core.db import Base, make_engine, release
from steward.web.app import create_app

CUSTOMER, AGENT = "customer@example.com", "agent@example.com"


def counts(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        return Counter(
            {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }
        )


def size(engine: Engine) -> int:
    """Bytes of every table with its indexes and TOAST (PostgreSQL); 0 on SQLite."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'r' AND n.nspname = current_schema()"
                )
            )
            or 0
        )


def measure(engine: Engine, repeats: int, action: Callable[[], Any]) -> tuple[Counter[str], int]:
    before, bytes_before = counts(engine), size(engine)
    for _ in range(repeats):
        action()
    after = counts(engine)
    after.subtract(before)
    return +after, size(engine) - bytes_before


def ok(response: Any) -> Any:
    assert response.status_code < 300, (response.status_code, response.text[:300])
    return response.json() if response.content else None


def run(kind: str, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder, database_url(kind, Path(folder)) as url:
        # A sink that takes every mail: registering sends one and fails without it.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        sink = Controller(Sink(), hostname="127.0.0.1", port=port)
        sink.start()
        settings = settings_in(Path(folder), url)
        smtp = f"smtp://127.0.0.1:{port}"
        app = create_app(settings.model_copy(update={"smtp_url": smtp}))
        engine = make_engine(url)
        account(app, CUSTOMER, "customer")
        account(app, AGENT, "agent")
        with ExitStack() as stack:
            customer = signed_in(app, CUSTOMER, stack)
            agent = signed_in(app, AGENT, stack)
            opened: list[int] = []
            ticket = {"subject": "The printer jams", "body": "It jams on every second page."}
            reply = {"body": "Please try the rear tray.", "visibility": "public"}
            registered = iter(range(1_000_000))

            def register() -> None:
                email = f"new{next(registered)}@example.com"
                body = {
                    "email": email,
                    "password": "a long bench password 4711",
                    "name": "N",
                    "birth_date": "1980-01-01",
                }
                ok(anyone.post("/api/v1/auth/register", json=body))

            anyone = stack.enter_context(TestClient(app))
            actions: dict[str, tuple[Callable[[], Any], int]] = {
                "someone registers": (register, 2),
                "customer signs in": (lambda: signed_in(app, CUSTOMER, stack), 0),
                "customer opens a ticket": (
                    lambda: opened.append(ok(customer.post("/api/v1/tickets", json=ticket))["id"]),
                    2,
                ),
                "agent lists the queue": (lambda: ok(agent.get("/api/v1/tickets")), 0),
                "agent reads the ticket": (
                    lambda: (
                        ok(agent.get(f"/api/v1/tickets/{opened[0]}")),
                        ok(agent.get(f"/api/v1/tickets/{opened[0]}/messages")),
                    ),
                    0,
                ),
                "agent replies": (
                    lambda: ok(agent.post(f"/api/v1/tickets/{opened[0]}/messages", json=reply)),
                    1,
                ),
                "customer reads the reply": (
                    lambda: ok(customer.get(f"/api/v1/tickets/{opened[0]}/messages")),
                    0,
                ),
                "agent resolves the ticket": (
                    lambda: ok(
                        agent.patch(f"/api/v1/tickets/{opened.pop()}", json={"status": "resolved"})
                    ),
                    0,
                ),
            }
            print(f"{kind}, per action (mean of {repeats}):")
            print(f"  {'action':26} {'rows':>6} {'audit':>6} {'bytes':>7} {'ratio':>6}  tables")
            for name, (action, own_rows) in actions.items():
                rows, grown = measure(engine, repeats, action)
                audit = rows.pop("audit_entries", 0) / repeats
                total = sum(rows.values()) / repeats + audit
                ratio = f"{total / own_rows:.1f}x" if own_rows else "-"
                tables = ", ".join(f"{t} {n / repeats:g}" for t, n in sorted(rows.items()))
                per = f"{grown / repeats:7.0f}" if grown else "      -"
                print(f"  {name:26} {total:6.1f} {audit:6.1f} {per} {ratio:>6}  {tables}")
            if engine.dialect.name == "postgresql":
                print(
                    "  bytes per row, with indexes: "
                    + ", ".join(
                        f"{table} {bytes_per_row(engine, table):.0f}"
                        for table in (
                            "audit_entries",
                            "messages",
                            "tickets",
                            "ticket_events",
                            "web_sessions",
                            "people",
                            "accounts",
                        )
                    )
                )
        release(engine)
        sink.stop()


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def bytes_per_row(engine: Engine, table: str) -> float:
    with engine.connect() as connection:
        connection.execute(text(f"ANALYZE {table}"))
        rows = connection.scalar(text(f"SELECT count(*) FROM {table}")) or 1
        return float(connection.scalar(text(f"SELECT pg_total_relation_size('{table}')"))) / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    run("sqlite", args.repeats)
    if os.environ.get("STEWARD_TEST_DATABASE_URL"):
        run("postgresql", args.repeats)


if __name__ == "__main__":
    main()
