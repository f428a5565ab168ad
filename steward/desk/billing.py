"""Billing: quotes, invoices, payments held as processor tokens (D4) and warranty claims.

Billing staff and admins do the work, for the billing purpose; customers read their own
records (drafts of quotes excepted) for the service. Quotes and invoices are numbered per
year (Q-2026-0001, I-2026-0001). Invoices are never deleted, because tax law keeps them:
they are voided instead. A payment is what the processor reports: its name, its token and
at most the card's last four digits. A full card number in any field is refused before
anything is stored, and there is no field where one or a security code could go.
"""

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.cards import refuse_card_number
from steward.core.errors import Conflict, Invalid, NotFound
from steward.desk import table
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
    is_customer,
    organisations_of,
    purpose_for,
)
from steward.desk.models import Device, Quote

QUOTE_STATUSES = ("draft", "sent", "accepted", "declined")
QUOTE_MOVES = {"draft": {"sent", "accepted", "declined"}, "sent": {"accepted", "declined"}}
INVOICE_STATUSES = ("issued", "paid", "void")
CLAIM_STATUSES = ("filed", "approved", "rejected", "settled")
MOST_CENTS = 2_000_000_000  # what an amount column holds on every database
NEVER_DELETED = (
    "Invoices are never deleted: tax law requires keeping them. Void the invoice instead."
)
_CURRENCY = re.compile(r"[A-Z]{3}")
_PROCESSOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._\-]{0,39}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces
_LAST4 = re.compile(r"\d{4}")

T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents


@dataclass(frozen=True)
class BillingFilter:
    person_id: str | None = None
    status: str | None = None  # quotes, invoices, claims
    invoice_id: str | None = None  # payments
    device_id: str | None = None  # claims


@dataclass(frozen=True)
class QuoteView:
    id: str
    number: str
    person_id: str
    organisation_id: str | None
    ticket_id: int | None
    status: str
    currency: str
    total_cents: int
    lines: list[Line] | None  # None when the actor may not read them
    valid_until: date | None
    created_at: datetime


@dataclass(frozen=True)
class InvoiceView:
    id: str
    number: str
    person_id: str
    organisation_id: str | None
    quote_id: str | None
    status: str
    currency: str
    total_cents: int
    paid_cents: int
    lines: list[Line] | None
    billing_address: str | None
    issued_on: date
    due_on: date | None
    created_at: datetime
    # For an erased person's invoice kept by law: for which law, until when, and that it is
    # shown for that purpose only (steward.desk.kept).
    kept_for_law: str | None = None


@dataclass(frozen=True)
class PaymentView:
    id: str
    invoice_id: str
    person_id: str
    processor: str
    token: str | None
    card_last4: str | None
    amount_cents: int
    currency: str
    paid_at: datetime


@dataclass(frozen=True)
class ClaimView:
    id: str
    person_id: str
    device_id: str | None
    status: str
    description: str | None
    created_at: datetime


# Checks of what people send.


def no_card_numbers(fields: Mapping[str, str | Sequence[Line] | None]) -> None:
    """D4: refuse the whole request when any field holds a full card number."""
    for field, value in fields.items():
        if isinstance(value, str):
            refuse_card_number(value, field)
        elif value is not None:
            for line in value:
                refuse_card_number(line.description, field)


def valid_lines(lines: Sequence[Line]) -> list[Line]:
    if not lines:
        raise Invalid("Give at least one line.")
    cleaned = []
    for line in lines:
        description = line.description.strip()
        if not description or len(description) > 500:
            raise Invalid("Each line needs a description of 1 to 500 characters.")
        if not 1 <= line.quantity <= 1_000_000:
            raise Invalid("Each line's quantity is a whole number from 1 to 1,000,000.")
        if abs(line.unit_cents) > MOST_CENTS:
            raise Invalid("A line's unit price is too large.")
        cleaned.append(Line(description, line.quantity, line.unit_cents))
    if not 0 <= sum(line.total_cents for line in cleaned) <= MOST_CENTS:
        raise Invalid("The total must be between 0 and 20,000,000.00.")
    return cleaned


def valid_currency(code: str) -> str:
    code = code.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise Invalid("The currency is an ISO 4217 code of three letters, like USD or EUR.")
    return code


def _dump(lines: Sequence[Line]) -> str:
    return json.dumps([line.__dict__ for line in lines])


def _parse(text: str | None) -> list[Line] | None:
    return [Line(**line) for line in json.loads(text)] if text else None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _status(status: str, allowed: Sequence[str], what: str) -> str:
    if status not in allowed:
        raise Invalid(f"A {what}'s status is one of: {', '.join(allowed)}.")
    return status


def _require_organisation_of(session: Session, organisation_id: str, person_id: str) -> None:
    if organisation_id not in organisations_of(session, person_id):
        raise Invalid("The person does not belong to that organisation.")


def _require_device_of(session: Session, device_id: str, person_id: str) -> None:
    device = session.execute(
        select(Device.person_id, Device.assigned_to_id, Device.organisation_id).where(
            Device.id == device_id
        )
    ).one_or_none()
    if device is None:
        raise Invalid("There is no such device.")
    if person_id not in (device.person_id, device.assigned_to_id) and (
        device.organisation_id not in organisations_of(session, person_id)
    ):
        raise Invalid("The device is not this person's.")


# Loading through the gate.


def _purpose(actor: Actor) -> str:
    return purpose_for(actor, BILLING)


def _owner(session: Session, actor: Actor, model: Any, row_id: str, what: str) -> str:
    """The person a record belongs to; customers see only their own (404 otherwise), and
    never a draft quote."""
    query = select(model.person_id).where(model.id == row_id)
    if is_customer(actor):
        query = query.where(model.person_id == actor.person_id)
        if model is Quote:
            query = query.where(Quote.status != "draft")
    person_id = session.scalar(query)
    if person_id is None:
        raise NotFound(f"There is no such {what}.")
    return str(person_id)


def _load(
    session: Session,
    actor: Actor,
    model: type[T],
    row_id: str,
    columns: Sequence[str],
    what: str,
    action: str = "read",
    purpose: str | None = None,
) -> T:
    """Check with the gate, then load the record."""
    person_id = _owner(session, actor, model, row_id, what)
    purpose = purpose or _purpose(actor)
    gate_person(session, actor, model, person_id, columns, action=action, purpose=purpose)
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no such {what}.")
    return row


def _query(model: Any, filters: BillingFilter) -> Select[str, str]:
    """(id, person_id) of a kind of record, narrowed by the filters that apply to it."""
    query = select(model.id, model.person_id.label("owner_id"))
    for field in ("person_id", "status", "invoice_id", "device_id"):
        value = getattr(filters, field)
        if value and hasattr(model, field):
            query = query.where(getattr(model, field) == value)
    return query


def _page(
    session: Session,
    actor: Actor,
    model: Any,
    query: Select[str, str],
    columns: Sequence[str],
    views: Callable[[list[Any], set[str]], list[V]],
    offset: int,
    limit: int,
    newest: Any = None,
) -> Page[V]:
    """One page of the rows the query selects (id, person_id), newest first by `newest`
    (created_at unless named); the sealed columns only of the people the actor may read.
    Commits the audit entries of the reads."""
    if is_customer(actor):
        query = query.where(model.person_id == actor.person_id)
    newest = model.created_at if newest is None else newest
    query = query.order_by(newest.desc(), model.id.desc())
    purpose = _purpose(actor)
    return table.page(session, actor, model, query, columns, views, offset, limit, purpose=purpose)


def _one(session: Session, views: Callable[[list[Any], set[str]], list[V]], row: Any) -> V:
    """The view of one record the actor has just been allowed to read or write; commits."""
    session.flush()
    view = views([row], {row.id})[0]
    session.commit()
    return view


def _numbered(session: Session, model: Any, prefix: str, make: Callable[[str], T]) -> T:
    """Add the record `make(number)` builds, under the next free number of `prefix`. Two
    transactions may pick the same number: the unique constraint refuses the second, whose
    savepoint rolls back, and it tries the next one."""
    for _ in range(5):
        last = session.scalar(
            select(model.number)
            .where(model.number.like(f"{prefix}%"))
            .order_by(func.length(model.number).desc(), model.number.desc())
            .limit(1)
        )
        number = f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"
        row = make(number)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        return row
    raise Conflict("Another number was being given out at the same moment: please try again.")
