"""Invoices: numbered, lines and billing address sealed, what is paid read from the
payments; kept as the law requires. Top-level functions own their transaction."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid
from steward.desk.billing import (
    NEVER_DELETED,
    BillingFilter,
    InvoiceView,
    Line,
    _dump,
    _load,
    _numbered,
    _one,
    _owner,
    _page,
    _parse,
    _purpose,
    _query,
    _require_organisation_of,
    _text,
    no_card_numbers,
    valid_currency,
    valid_lines,
)
from steward.desk.calls import require_person
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
    only_changes,
)
from steward.desk.kept import kept_by_law, words_for
from steward.desk.models import Invoice, Payment, Quote
from steward.desk.quotes import QUOTE_COLUMNS

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
