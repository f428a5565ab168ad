"""JSON API under /api/v1: quotes, invoices, payments and warranty claims.

The request bodies are `desk.billing_input`'s, which the billing pages use too: none has a
field for a card number or a security code, and unknown fields are refused; a payment is
recorded as the processor's token (D4)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from steward.core.actor import Actor
from steward.desk import billing, invoice_pdf, invoices, payments, quotes, warranty
from steward.desk.billing_input import (
    ClaimChangeIn,
    ClaimIn,
    ClaimStatus,
    InvoiceChangeIn,
    InvoiceIn,
    PaymentIn,
    QuoteChangeIn,
    QuoteIn,
    QuoteStatus,
    lines_of,
)
from steward.web.auth import CurrentActor, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["billing"], dependencies=[Depends(csrf_guard)])
BillingActor = Annotated[Actor, Depends(require_roles("billing", "admin"))]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]


class LineOut(BaseModel):
    description: str
    quantity: int
    unit_cents: int


def _lines_out(lines: list[billing.Line] | None) -> list[LineOut] | None:
    return None if lines is None else [LineOut(**line.__dict__) for line in lines]


def _changes(body: BaseModel) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if "lines" in changes:
        changes["lines"] = lines_of(getattr(body, "lines", None))
    return changes


# Quotes.


class QuoteOut(BaseModel):
    id: str
    number: str
    person_id: str
    organisation_id: str | None
    ticket_id: int | None
    status: str
    currency: str
    total_cents: int
    lines: list[LineOut] | None
    valid_until: date | None
    created_at: datetime


class QuotePage(BaseModel):
    items: list[QuoteOut]
    next_offset: int | None


def _quote(view: billing.QuoteView) -> QuoteOut:
    return QuoteOut(**{**view.__dict__, "lines": _lines_out(view.lines)})


@router.post("/quotes", status_code=201)
def create_quote(body: QuoteIn, actor: BillingActor, session: SessionDep) -> QuoteOut:
    """A draft quote, numbered Q-YYYY-NNNN; its total is the sum of its lines."""
    fields = body.model_dump()
    fields["lines"] = lines_of(body.lines)
    return _quote(quotes.create_quote(session, actor, **fields))


@router.get("/quotes")
def list_quotes(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    status: QuoteStatus | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> QuotePage:
    """Quotes, newest first; customers see their own, once sent."""
    filters = billing.BillingFilter(person_id=person_id, status=status)
    found = quotes.list_quotes(session, actor, filters, offset, limit)
    return QuotePage(items=[_quote(v) for v in found.items], next_offset=found.next_offset)


@router.get("/quotes/{quote_id}")
def get_quote(quote_id: str, actor: CurrentActor, session: SessionDep) -> QuoteOut:
    return _quote(quotes.get_quote(session, actor, quote_id))


@router.patch("/quotes/{quote_id}")
def update_quote(
    quote_id: str, body: QuoteChangeIn, actor: BillingActor, session: SessionDep
) -> QuoteOut:
    """Move the status on (draft, sent, accepted or declined), or change a draft."""
    return _quote(quotes.update_quote(session, actor, quote_id, _changes(body)))


@router.delete("/quotes/{quote_id}", status_code=204)
def delete_quote(quote_id: str, actor: BillingActor, session: SessionDep) -> Response:
    """Delete a draft quote; any other answers 409."""
    quotes.delete_quote(session, actor, quote_id)
    return Response(status_code=204)


# Invoices.


class InvoiceOut(BaseModel):
    id: str
    number: str
    person_id: str
    organisation_id: str | None
    quote_id: str | None
    status: str
    currency: str
    total_cents: int
    paid_cents: int
    lines: list[LineOut] | None
    billing_address: str | None
    issued_on: date
    due_on: date | None
    created_at: datetime
    kept_for_law: str | None = None  # an erased person's invoice, kept by law: why, until when


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    next_offset: int | None


def _invoice(view: billing.InvoiceView) -> InvoiceOut:
    return InvoiceOut(**{**view.__dict__, "lines": _lines_out(view.lines)})


@router.post("/invoices", status_code=201)
def create_invoice(body: InvoiceIn, actor: BillingActor, session: SessionDep) -> InvoiceOut:
    """An invoice, numbered I-YYYY-NNNN: from an accepted quote (`quote_id`) or from
    `person_id`, `lines` and `currency`."""
    fields = body.model_dump()
    fields["lines"] = lines_of(body.lines)
    return _invoice(invoices.create_invoice(session, actor, **fields))


@router.get("/invoices")
def list_invoices(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    status: Literal["issued", "paid", "void"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> InvoicePage:
    filters = billing.BillingFilter(person_id=person_id, status=status)
    found = invoices.list_invoices(session, actor, filters, offset, limit)
    return InvoicePage(items=[_invoice(v) for v in found.items], next_offset=found.next_offset)


@router.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: str, actor: CurrentActor, session: SessionDep) -> InvoiceOut:
    return _invoice(invoices.get_invoice(session, actor, invoice_id))


@router.get(
    "/invoices/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF."}},
)
def invoice_pdf_file(invoice_id: str, actor: CurrentActor, session: SessionDep) -> Response:
    """The invoice as a PDF, as the customer gets it (dates in the business's time zone)."""
    found = invoice_pdf.invoice_file(session, actor, invoice_id)
    disposition = f'attachment; filename="{found.filename}"'
    return Response(
        found.data, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.patch("/invoices/{invoice_id}")
def update_invoice(
    invoice_id: str, body: InvoiceChangeIn, actor: BillingActor, session: SessionDep
) -> InvoiceOut:
    """Void the invoice (`status: "void"`) or move its due date."""
    return _invoice(invoices.update_invoice(session, actor, invoice_id, _changes(body)))


@router.delete("/invoices/{invoice_id}", status_code=204)
def delete_invoice(invoice_id: str, actor: BillingActor, session: SessionDep) -> Response:
    """Always 409: invoices are kept because tax law requires it; void one instead."""
    invoices.delete_invoice(session, actor, invoice_id)
    return Response(status_code=204)  # never reached


# Payments.


class PaymentOut(BaseModel):
    id: str
    invoice_id: str
    person_id: str
    processor: str
    token: str | None
    card_last4: str | None
    amount_cents: int
    currency: str
    paid_at: datetime


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    next_offset: int | None


@router.post("/payments", status_code=201)
def record_payment(body: PaymentIn, actor: BillingActor, session: SessionDep) -> PaymentOut:
    """A payment as the processor reports it: its token and at most the card's last four
    digits. A full card number in any field is refused and nothing is stored."""
    return PaymentOut(**payments.record_payment(session, actor, **body.model_dump()).__dict__)


@router.get("/payments")
def list_payments(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    invoice_id: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PaymentPage:
    filters = billing.BillingFilter(person_id=person_id, invoice_id=invoice_id)
    found = payments.list_payments(session, actor, filters, offset, limit)
    items = [PaymentOut(**v.__dict__) for v in found.items]
    return PaymentPage(items=items, next_offset=found.next_offset)


@router.get("/payments/{payment_id}")
def get_payment(payment_id: str, actor: CurrentActor, session: SessionDep) -> PaymentOut:
    return PaymentOut(**payments.get_payment(session, actor, payment_id).__dict__)


# Warranty claims.


class ClaimOut(BaseModel):
    id: str
    person_id: str
    device_id: str | None
    status: str
    description: str | None
    created_at: datetime


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next_offset: int | None


@router.post("/warranty-claims", status_code=201)
def file_warranty_claim(body: ClaimIn, actor: BillingActor, session: SessionDep) -> ClaimOut:
    return ClaimOut(**warranty.file_warranty_claim(session, actor, **body.model_dump()).__dict__)


@router.get("/warranty-claims")
def list_warranty_claims(
    actor: CurrentActor,
    session: SessionDep,
    person_id: str | None = None,
    status: ClaimStatus | None = None,
    device_id: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ClaimPage:
    filters = billing.BillingFilter(person_id=person_id, status=status, device_id=device_id)
    found = warranty.list_warranty_claims(session, actor, filters, offset, limit)
    items = [ClaimOut(**v.__dict__) for v in found.items]
    return ClaimPage(items=items, next_offset=found.next_offset)


@router.get("/warranty-claims/{claim_id}")
def get_warranty_claim(claim_id: str, actor: CurrentActor, session: SessionDep) -> ClaimOut:
    return ClaimOut(**warranty.get_warranty_claim(session, actor, claim_id).__dict__)


@router.patch("/warranty-claims/{claim_id}")
def update_warranty_claim(
    claim_id: str, body: ClaimChangeIn, actor: BillingActor, session: SessionDep
) -> ClaimOut:
    changes = body.model_dump(exclude_unset=True)
    return ClaimOut(**warranty.update_warranty_claim(session, actor, claim_id, changes).__dict__)


@router.delete("/warranty-claims/{claim_id}", status_code=204)
def delete_warranty_claim(claim_id: str, actor: BillingActor, session: SessionDep) -> Response:
    warranty.delete_warranty_claim(session, actor, claim_id)
    return Response(status_code=204)
