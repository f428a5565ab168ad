"""Payments: a processor's token and at most the last four digits of a card (D4), never
a card number. Top-level functions own their transaction."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid
from steward.desk.billing import (
    _LAST4,
    _PROCESSOR,
    _TOKEN,
    MOST_CENTS,
    BillingFilter,
    PaymentView,
    _load,
    _one,
    _page,
    _purpose,
    _query,
    no_card_numbers,
    valid_currency,
)
from steward.desk.calls import aware
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
)
from steward.desk.invoices import _paid
from steward.desk.models import Invoice, Payment

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
