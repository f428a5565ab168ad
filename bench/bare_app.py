"""The bare baseline of bench/load.py: the same paths doing the same database work as
Steward's (the same tables, rows and SELECTs), with nothing else: no session, gate, audit,
encryption, validation beyond reading the body, or templates. The caller names who it is in
`X-Person` (its person id), since nothing is looked up.

Served like Steward: `python -m uvicorn --app-dir bench bare_app:create --factory`, with
STEWARD_DATABASE_URL in the environment.
"""

import os
import secrets
import uuid
from datetime import timedelta
from typing import Any

from kit import consent_rows
from sqlalchemy import insert, select, update
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

import steward.models  # noqa: F401  (every table)
from steward.consent.models import ConsentEvent
from steward.core import clock
from steward.core.db import make_engine
from steward.desk.models import Message, Ticket
from steward.identity.models import Person
from steward.rights.models import RightsRequest

TICKETS, MESSAGES, PEOPLE = Ticket.__table__, Message.__table__, Person.__table__
SUBJECT, BODY = os.urandom(60), os.urandom(120)  # stand-ins for sealed bytes
PAGE = 50


def create() -> Starlette:
    engine = make_engine(os.environ["STEWARD_DATABASE_URL"])

    def queue(person: str | None) -> list[dict[str, Any]]:
        query = (
            select(TICKETS.c.id, TICKETS.c.status, TICKETS.c.subject, PEOPLE.c.name)
            .join(PEOPLE, PEOPLE.c.id == TICKETS.c.requester_id)
            .order_by(TICKETS.c.id.desc())
            .limit(PAGE)
        )
        if person:
            query = query.where(TICKETS.c.requester_id == person)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return [{"id": r.id, "status": r.status, "subject": (r.subject or b"").hex()} for r in rows]

    def open_ticket(person: str) -> int:
        now = clock.now()
        with engine.begin() as connection:
            ticket: int = connection.execute(
                insert(TICKETS).returning(TICKETS.c.id),
                {
                    "requester_id": person,
                    "channel": "web",
                    "status": "new",
                    "priority": "normal",
                    "subject": SUBJECT,
                    "created_at": now,
                    "updated_at": now,
                    "last_activity_at": now,
                },
            ).scalar_one()
            reply(connection, ticket, person, update_ticket=False)
        return ticket

    def reply(connection: Any, ticket: int, person: str, update_ticket: bool = True) -> str:
        now, message = clock.now(), str(uuid.uuid4())
        connection.execute(
            insert(MESSAGES),
            {
                "id": message,
                "ticket_id": ticket,
                "owner_id": person,
                "author_id": person,
                "visibility": "public",
                "channel": "web",
                "body": BODY,
                "card_numbers_masked": 0,
                "created_at": now,
            },
        )
        if update_ticket:
            connection.execute(
                update(TICKETS)
                .where(TICKETS.c.id == ticket)
                .values(updated_at=now, last_activity_at=now)
            )
        return message

    def add_reply(ticket: int, person: str) -> str:
        with engine.begin() as connection:
            return reply(connection, ticket, person)

    def consent(body: dict[str, Any]) -> None:
        with engine.begin() as connection:
            connection.execute(insert(ConsentEvent.__table__), consent_rows(body))

    def rights(body: dict[str, Any]) -> str:
        now, reference = clock.now(), f"PR-{secrets.token_hex(4).upper()}"
        with engine.begin() as connection:
            connection.execute(
                insert(RightsRequest.__table__),
                {
                    "id": str(uuid.uuid4()),
                    "reference": reference,
                    "kind": body["kind"],
                    "channel": "api",
                    "status": "received",
                    "email": body["email"].encode(),
                    "received_at": now,
                    "due_at": now + timedelta(days=30),
                },
            )
        return reference

    async def tickets(request: Request) -> JSONResponse:
        person = request.headers.get("X-Person", "")
        if request.method == "POST":
            await request.json()
            return JSONResponse({"id": await run_in_threadpool(open_ticket, person)}, 201)
        agent = request.headers.get("X-Role") == "agent"
        items = await run_in_threadpool(queue, None if agent else person)
        return JSONResponse({"items": items, "next_offset": None})

    async def messages(request: Request) -> JSONResponse:
        await request.json()
        ticket, person = int(request.path_params["ticket"]), request.headers["X-Person"]
        return JSONResponse({"id": await run_in_threadpool(add_reply, ticket, person)}, 201)

    async def page(request: Request) -> HTMLResponse:
        agent = request.url.path == "/desk"
        items = await run_in_threadpool(queue, None if agent else request.headers["X-Person"])
        rows = "".join(f"<li>{i['id']} {i['status']} {i['subject'][:12]}</li>" for i in items)
        return HTMLResponse(f"<!doctype html><title>Queue</title><ul>{rows}</ul>")

    async def choose(request: Request) -> JSONResponse:
        await run_in_threadpool(consent, await request.json())
        return JSONResponse({"stored": True})

    async def ask(request: Request) -> JSONResponse:
        reference = await run_in_threadpool(rights, await request.json())
        return JSONResponse({"reference": reference}, 202)

    return Starlette(
        routes=[
            Route("/api/v1/tickets", tickets, methods=["GET", "POST"]),
            Route("/api/v1/tickets/{ticket}/messages", messages, methods=["POST"]),
            Route("/portal", page),
            Route("/desk", page),
            Route("/api/v1/consent", choose, methods=["POST"]),
            Route("/api/v1/rights", ask, methods=["POST"]),
        ]
    )
