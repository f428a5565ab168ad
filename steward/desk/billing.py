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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.cards import refuse_card_number
from steward.core.errors import Conflict, Invalid, NotFound
from steward.desk import table
from steward.desk.calls import aware, require_person, require_ticket_of
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
    is_customer,
    only_changes,
    organisations_of,
    purpose_for,
)
from steward.desk.kept import kept_by_law, words_for
from steward.desk.models import Device, Invoice, Payment, Quote, WarrantyClaim

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


# Quotes.

QUOTE_COLUMNS = ("lines",)


def _quote_views(rows: Iterable[Quote], readable: set[str]) -> list[QuoteView]:
    return [
        QuoteView(
            id=q.id,
            number=q.number,
            person_id=q.person_id,
            organisation_id=q.organisation_id,
            ticket_id=q.ticket_id,
            status=q.status,
            currency=q.currency,
            total_cents=q.total_cents,
            lines=_parse(q.lines) if q.id in readable else None,
            valid_until=q.valid_until,
            created_at=q.created_at,
        )
        for q in rows
    ]


def create_quote(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    currency: str,
    lines: Sequence[Line],
    organisation_id: str | None = None,
    ticket_id: int | None = None,
    valid_until: date | None = None,
) -> QuoteView:
    """A draft quote for a person, numbered Q-YYYY-NNNN."""
    check_role(session, actor, "write quotes", BILLING)
    no_card_numbers({"lines": lines})
    lines, currency = valid_lines(lines), valid_currency(currency)
    require_person(session, person_id)
    if organisation_id:
        _require_organisation_of(session, organisation_id, person_id)
    if ticket_id is not None:
        require_ticket_of(session, ticket_id, person_id)
    gate_person(session, actor, Quote, person_id, QUOTE_COLUMNS, action="create", purpose=BILLING)
    now = clock.now()

    def make(number: str) -> Quote:
        return Quote(
            number=number,
            person_id=person_id,
            organisation_id=organisation_id,
            ticket_id=ticket_id,
            status="draft",
            currency=currency,
            total_cents=sum(line.total_cents for line in lines),
            lines=_dump(lines),
            valid_until=valid_until,
            created_at=now,
        )

    return _one(session, _quote_views, _numbered(session, Quote, f"Q-{now.year}-", make))


def list_quotes(
    session: Session, actor: Actor, filters: BillingFilter, offset: int = 0, limit: int = 50
) -> Page[QuoteView]:
    check_role(session, actor, "see quotes", _purpose(actor))
    query = _query(Quote, filters)
    if is_customer(actor):
        query = query.where(Quote.status != "draft")
    return _page(session, actor, Quote, query, QUOTE_COLUMNS, _quote_views, offset, limit)


def get_quote(session: Session, actor: Actor, quote_id: str) -> QuoteView:
    check_role(session, actor, "see quotes", _purpose(actor))
    return _one(
        session, _quote_views, _load(session, actor, Quote, quote_id, QUOTE_COLUMNS, "quote")
    )


QUOTE_CHANGES = ("status", "currency", "lines", "valid_until")


def update_quote(
    session: Session, actor: Actor, quote_id: str, changes: dict[str, Any]
) -> QuoteView:
    """Move a quote on (draft, sent, then accepted or declined), or change a draft's lines,
    currency or validity."""
    check_role(session, actor, "change quotes", BILLING)
    only_changes(changes, QUOTE_CHANGES, "a quote")
    if changes.get("lines") is not None:
        no_card_numbers({"lines": changes["lines"]})
        changes["lines"] = valid_lines(changes["lines"])
    if changes.get("currency") is not None:
        changes["currency"] = valid_currency(changes["currency"])
    if "status" in changes:
        _status(changes["status"], QUOTE_STATUSES, "quote")
    quote = _load(session, actor, Quote, quote_id, QUOTE_COLUMNS, "quote", "update")
    edits = {k: v for k, v in changes.items() if k != "status" and v is not None}
    if "valid_until" in changes:
        edits["valid_until"] = changes["valid_until"]
    if edits and quote.status != "draft":
        raise Conflict("Only a draft quote's lines, currency and validity can be changed.")
    if "lines" in edits:
        quote.lines = _dump(edits["lines"])
        quote.total_cents = sum(line.total_cents for line in edits["lines"])
    if "currency" in edits:
        quote.currency = edits["currency"]
    if "valid_until" in edits:
        quote.valid_until = edits["valid_until"]
    status = changes.get("status")
    if status and status != quote.status:
        if status not in QUOTE_MOVES.get(quote.status, set()):
            raise Conflict(f"A quote that is {quote.status} cannot become {status}.")
        quote.status = status
    return _one(session, _quote_views, quote)


def delete_quote(session: Session, actor: Actor, quote_id: str) -> None:
    """Delete a draft; a quote once sent is part of the record and stays."""
    check_role(session, actor, "delete quotes", BILLING)
    quote = _load(session, actor, Quote, quote_id, QUOTE_COLUMNS, "quote", "delete")
    if quote.status != "draft":
        raise Conflict("Only a draft quote can be deleted; this one was sent already.")
    session.execute(delete(Quote).where(Quote.id == quote_id))
    session.commit()


# Invoices.

INVOICE_COLUMNS = ("lines", "billing_address")


def _paid(session: Session, invoice_ids: list[str]) -> dict[str, int]:
    if not invoice_ids:
        return {}
    query = (
        select(Payment.invoice_id, func.sum(Payment.amount_cents))
        .where(Payment.invoice_id.in_(invoice_ids))
        .group_by(Payment.invoice_id)
    )
    return {invoice_id: int(total) for invoice_id, total in session.execute(query)}


def _invoice_views(
    session: Session, rows: Sequence[Invoice], readable: set[str]
) -> list[InvoiceView]:
    paid = _paid(session, [i.id for i in rows])
    return [
        InvoiceView(
            id=i.id,
            number=i.number,
            person_id=i.person_id,
            organisation_id=i.organisation_id,
            quote_id=i.quote_id,
            status=i.status,
            currency=i.currency,
            total_cents=i.total_cents,
            paid_cents=paid.get(i.id, 0),
            lines=_parse(i.lines) if i.id in readable else None,
            billing_address=i.billing_address if i.id in readable else None,
            issued_on=i.issued_on,
            due_on=i.due_on,
            created_at=i.created_at,
        )
        for i in rows
    ]


def _invoice_view(session: Session, invoice: Invoice) -> InvoiceView:
    return _one(session, lambda rows, readable: _invoice_views(session, rows, readable), invoice)


def create_invoice(
    session: Session,
    actor: Actor,
    *,
    person_id: str | None = None,
    quote_id: str | None = None,
    lines: Sequence[Line] | None = None,
    currency: str | None = None,
    billing_address: str | None = None,
    organisation_id: str | None = None,
    issued_on: date | None = None,
    due_on: date | None = None,
) -> InvoiceView:
    """An invoice, numbered I-YYYY-NNNN by the year it is issued: from an accepted quote
    (its person, organisation, lines and currency) or from lines given here."""
    check_role(session, actor, "write invoices", BILLING)
    no_card_numbers({"lines": lines, "billing_address": billing_address})
    issued_on = issued_on or clock.today()
    if due_on and due_on < issued_on:
        raise Invalid("An invoice cannot fall due before it is issued.")
    if quote_id:
        if lines is not None or currency is not None:
            raise Invalid("Give either a quote or lines and a currency, not both.")
        quote = _load(session, actor, Quote, quote_id, QUOTE_COLUMNS, "quote")
        if person_id not in (None, quote.person_id):
            raise Invalid("The quote is for another person.")
        if quote.status != "accepted":
            raise Conflict("Only an accepted quote can be invoiced.")
        if session.scalar(select(Invoice.id).where(Invoice.quote_id == quote_id)):
            raise Conflict("This quote has been invoiced already.")
        person_id, lines, currency = quote.person_id, _parse(quote.lines) or [], quote.currency
        organisation_id = organisation_id or quote.organisation_id
    else:
        if person_id is None or lines is None or currency is None:
            raise Invalid("Give the person, the lines and the currency, or an accepted quote.")
        lines, currency = valid_lines(lines), valid_currency(currency)
        require_person(session, person_id)
    if organisation_id:
        _require_organisation_of(session, organisation_id, person_id)
    gate_person(
        session, actor, Invoice, person_id, INVOICE_COLUMNS, action="create", purpose=BILLING
    )
    payer = person_id

    def make(number: str) -> Invoice:
        return Invoice(
            number=number,
            person_id=payer,
            organisation_id=organisation_id,
            quote_id=quote_id,
            status="issued",
            currency=currency,
            total_cents=sum(line.total_cents for line in lines),
            lines=_dump(lines),
            billing_address=_text(billing_address),
            issued_on=issued_on,
            due_on=due_on,
            created_at=clock.now(),
        )

    return _invoice_view(session, _numbered(session, Invoice, f"I-{issued_on.year}-", make))


def list_invoices(
    session: Session, actor: Actor, filters: BillingFilter, offset: int = 0, limit: int = 50
) -> Page[InvoiceView]:
    check_role(session, actor, "see invoices", _purpose(actor))
    query = _query(Invoice, filters)
    return _page(
        session,
        actor,
        Invoice,
        query,
        INVOICE_COLUMNS,
        lambda rows, readable: _invoice_views(session, rows, readable),
        offset,
        limit,
    )


def get_invoice(session: Session, actor: Actor, invoice_id: str) -> InvoiceView:
    check_role(session, actor, "see invoices", _purpose(actor))
    person_id = _owner(session, actor, Invoice, invoice_id, "invoice")
    law = kept_by_law(session, actor, Invoice, person_id, list(INVOICE_COLUMNS))
    purpose = law.purpose if law else None
    invoice = _load(
        session, actor, Invoice, invoice_id, INVOICE_COLUMNS, "invoice", "read", purpose
    )
    if law is None:
        return _invoice_view(session, invoice)
    words = words_for(session, law, invoice.created_at)
    return replace(_invoice_view(session, invoice), kept_for_law=words)


INVOICE_CHANGES = ("status", "due_on")


def update_invoice(
    session: Session, actor: Actor, invoice_id: str, changes: dict[str, Any]
) -> InvoiceView:
    """Void an invoice (status "void") or move its due date. What it bills never changes:
    void it and issue another. It is marked paid by its payments, not by hand."""
    check_role(session, actor, "change invoices", BILLING)
    only_changes(changes, INVOICE_CHANGES, "an invoice")
    status = changes.get("status")
    if status is not None and status != "void":
        raise Invalid("An invoice can only be voided here; payments mark it paid.")
    invoice = _load(session, actor, Invoice, invoice_id, INVOICE_COLUMNS, "invoice", "update")
    if status == "void" and invoice.status != "void":
        if invoice.status == "paid":
            raise Conflict("A paid invoice cannot be voided; refund it through the processor.")
        invoice.status = "void"
    if "due_on" in changes:
        due_on = changes["due_on"]
        if due_on is not None and due_on < invoice.issued_on:
            raise Invalid("An invoice cannot fall due before it is issued.")
        invoice.due_on = due_on
    return _invoice_view(session, invoice)


def delete_invoice(session: Session, actor: Actor, invoice_id: str) -> None:
    """Always refused: invoices are kept for the tax authorities."""
    check_role(session, actor, "delete invoices", BILLING)
    _owner(session, actor, Invoice, invoice_id, "invoice")
    raise Conflict(NEVER_DELETED)


# Payments.

PAYMENT_COLUMNS = ("token", "card_last4")


def _payment_views(rows: Iterable[Payment], readable: set[str]) -> list[PaymentView]:
    return [
        PaymentView(
            id=p.id,
            invoice_id=p.invoice_id,
            person_id=p.person_id,
            processor=p.processor,
            token=p.token if p.id in readable else None,
            card_last4=p.card_last4 if p.id in readable else None,
            amount_cents=p.amount_cents,
            currency=p.currency,
            paid_at=p.paid_at,
        )
        for p in rows
    ]


def record_payment(
    session: Session,
    actor: Actor,
    *,
    invoice_id: str,
    processor: str,
    token: str,
    amount_cents: int,
    currency: str,
    card_last4: str | None = None,
    paid_at: datetime | None = None,
) -> PaymentView:
    """A payment the processor reports for an invoice; the invoice is marked paid once its
    payments cover its total."""
    check_role(session, actor, "record payments", BILLING)
    no_card_numbers({"processor": processor, "token": token, "card_last4": card_last4})
    processor, token = processor.strip(), token.strip()
    if not _PROCESSOR.fullmatch(processor):
        raise Invalid("Name the payment processor in 1 to 40 letters, digits or spaces.")
    if not _TOKEN.fullmatch(token):
        raise Invalid("The processor's token is 1 to 200 printable characters without spaces.")
    if card_last4 is not None and not _LAST4.fullmatch(card_last4):
        raise Invalid("card_last4 holds exactly the card's last four digits, or nothing.")
    if not 0 < amount_cents <= MOST_CENTS:
        raise Invalid("The amount must be more than 0 and at most 20,000,000.00.")
    currency = valid_currency(currency)
    paid_at = aware(paid_at, "the payment time") if paid_at else clock.now()
    invoice = session.execute(
        select(Invoice.person_id, Invoice.status, Invoice.currency, Invoice.total_cents).where(
            Invoice.id == invoice_id
        )
    ).one_or_none()  # not the whole row: its sealed columns are not this payment's to open
    if invoice is None:
        raise Invalid("There is no such invoice.")
    if invoice.status == "void":
        raise Conflict("This invoice is void and cannot be paid.")
    if currency != invoice.currency:
        raise Invalid(f"The invoice is in {invoice.currency}; record the payment in it.")
    columns = [c for c, v in (("token", token), ("card_last4", card_last4)) if v]
    gate_person(
        session, actor, Payment, invoice.person_id, columns, action="create", purpose=BILLING
    )
    payment = Payment(
        invoice_id=invoice_id,
        person_id=invoice.person_id,
        processor=processor,
        token=token,
        card_last4=card_last4,
        amount_cents=amount_cents,
        currency=currency,
        paid_at=paid_at,
    )
    session.add(payment)
    session.flush()
    if invoice.status == "issued" and _paid(session, [invoice_id])[invoice_id] >= (
        invoice.total_cents
    ):
        session.execute(update(Invoice).where(Invoice.id == invoice_id).values(status="paid"))
    return _one(session, _payment_views, payment)


def list_payments(
    session: Session, actor: Actor, filters: BillingFilter, offset: int = 0, limit: int = 50
) -> Page[PaymentView]:
    check_role(session, actor, "see payments", _purpose(actor))
    query = _query(Payment, filters)
    return _page(
        session,
        actor,
        Payment,
        query,
        PAYMENT_COLUMNS,
        _payment_views,
        offset,
        limit,
        newest=Payment.paid_at,
    )


def get_payment(session: Session, actor: Actor, payment_id: str) -> PaymentView:
    check_role(session, actor, "see payments", _purpose(actor))
    payment = _load(session, actor, Payment, payment_id, PAYMENT_COLUMNS, "payment")
    return _one(session, _payment_views, payment)


# Warranty claims.

CLAIM_COLUMNS = ("description",)


def _claim_views(rows: Iterable[WarrantyClaim], readable: set[str]) -> list[ClaimView]:
    return [
        ClaimView(
            id=c.id,
            person_id=c.person_id,
            device_id=c.device_id,
            status=c.status,
            description=c.description if c.id in readable else None,
            created_at=c.created_at,
        )
        for c in rows
    ]


def file_warranty_claim(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    description: str,
    device_id: str | None = None,
    status: str = "filed",
) -> ClaimView:
    check_role(session, actor, "file warranty claims", BILLING)
    no_card_numbers({"description": description})
    _status(status, CLAIM_STATUSES, "claim")
    description = description.strip()
    if not description:
        raise Invalid("Describe the claim.")
    require_person(session, person_id)
    if device_id:
        _require_device_of(session, device_id, person_id)
    gate_person(
        session, actor, WarrantyClaim, person_id, CLAIM_COLUMNS, action="create", purpose=BILLING
    )
    claim = WarrantyClaim(
        person_id=person_id,
        device_id=device_id,
        status=status,
        description=description,
        created_at=clock.now(),
    )
    session.add(claim)
    return _one(session, _claim_views, claim)


def list_warranty_claims(
    session: Session, actor: Actor, filters: BillingFilter, offset: int = 0, limit: int = 50
) -> Page[ClaimView]:
    check_role(session, actor, "see warranty claims", _purpose(actor))
    query = _query(WarrantyClaim, filters)
    return _page(session, actor, WarrantyClaim, query, CLAIM_COLUMNS, _claim_views, offset, limit)


def get_warranty_claim(session: Session, actor: Actor, claim_id: str) -> ClaimView:
    check_role(session, actor, "see warranty claims", _purpose(actor))
    claim = _load(session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim")
    return _one(session, _claim_views, claim)


CLAIM_CHANGES = ("status", "description", "device_id")


def update_warranty_claim(
    session: Session, actor: Actor, claim_id: str, changes: dict[str, Any]
) -> ClaimView:
    """Change a claim's status, description or device (None unlinks the device)."""
    check_role(session, actor, "change warranty claims", BILLING)
    only_changes(changes, CLAIM_CHANGES, "a claim")
    no_card_numbers({"description": changes.get("description")})
    if "status" in changes:
        _status(changes["status"], CLAIM_STATUSES, "claim")
    if "description" in changes and not _text(changes["description"]):
        raise Invalid("Describe the claim.")
    claim = _load(
        session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim", "update"
    )
    if changes.get("device_id"):
        _require_device_of(session, changes["device_id"], claim.person_id)
    if "device_id" in changes:
        claim.device_id = changes["device_id"]
    if "status" in changes:
        claim.status = changes["status"]
    if "description" in changes:
        claim.description = _text(changes["description"])
    return _one(session, _claim_views, claim)


def delete_warranty_claim(session: Session, actor: Actor, claim_id: str) -> None:
    check_role(session, actor, "delete warranty claims", BILLING)
    _load(session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim", "delete")
    session.execute(delete(WarrantyClaim).where(WarrantyClaim.id == claim_id))
    session.commit()
