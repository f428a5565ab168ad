"""HTML pages of the desk: billing, for billing staff and admins. Quotes and invoices (lists,
new ones, moving a quote on, invoicing an accepted quote, voiding an invoice) and payments
as the processor reports them: its name, its token, at most the card's last four digits.
No form here has a field for a card number (D4)."""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.desk import billing, invoice_pdf, people
from steward.desk import invoices as invoicing
from steward.desk import payments as paying
from steward.desk import quotes as quoting
from steward.desk.billing import INVOICE_STATUSES, QUOTE_MOVES, QUOTE_STATUSES
from steward.desk.billing_input import InvoiceIn, PaymentIn, QuoteChangeIn, QuoteIn, lines_of
from steward.desk.common import BILLING
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import (
    PAGE_SIZE,
    Biller,
    DeskRoute,
    FormText,
    Offset,
    QueryText,
    cents,
    masked,
    notices,
    optional_moment,
    people_choice,
    person_from,
    refused,
    see_other,
    show,
    with_query,
)
from steward.web.pages.kit import failed, file_response, form_input, local_of, render

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)

LINE_ROWS = 5  # blank line rows a new quote or invoice offers
# The forms' labels, by the input models' field names.
FIELDS = {
    "person_id": "Customer",
    "currency": "Currency",
    "lines": "Lines",
    "lines.description": "Description of line {n}",
    "lines.quantity": "Quantity of line {n}",
    "lines.unit_cents": "Unit price of line {n}",
    "valid_until": "Valid until",
    "ticket_id": "Ticket number",
    "quote_id": "Quote",
    "billing_address": "Billing address",
    "issued_on": "Issued on",
    "due_on": "Due on",
    "processor": "Processor",
    "token": "Processor's payment token",
    "card_last4": "Card's last four digits",
    "amount_cents": "Amount",
    "paid_at": "Paid at",
}


def _names(session: Session, actor: Actor, person_ids: list[str]) -> dict[str, str]:
    return people.names(session, actor, person_ids, BILLING)


def _pager(shown: dict[str, Any], key: str, offset: int, next_offset: int | None) -> dict[str, Any]:
    return {
        "next_url": with_query("/desk/billing", **{**shown, key: next_offset})
        if next_offset
        else None,
        "previous_url": with_query(
            "/desk/billing", **{**shown, key: max(offset - PAGE_SIZE, 0) or None}
        )
        if offset
        else None,
    }


@router.get("/billing", response_class=HTMLResponse)
def billing_page(
    request: Request,
    actor: Biller,
    session: SessionDep,
    quote_status: QueryText = "",
    invoice_status: QueryText = "",
    quotes_from: Offset = 0,
    invoices_from: Offset = 0,
    notice: str = "",
) -> Response:
    """Quotes and invoices, newest first, each filtered by status."""

    def build() -> dict[str, Any]:
        quotes = quoting.list_quotes(
            session,
            actor,
            billing.BillingFilter(status=quote_status if quote_status in QUOTE_STATUSES else None),
            offset=quotes_from,
            limit=PAGE_SIZE,
        )
        invoices = invoicing.list_invoices(
            session,
            actor,
            billing.BillingFilter(
                status=invoice_status if invoice_status in INVOICE_STATUSES else None
            ),
            offset=invoices_from,
            limit=PAGE_SIZE,
        )
        shown = {
            "quote_status": quote_status,
            "invoice_status": invoice_status,
            "quotes_from": quotes_from or None,
            "invoices_from": invoices_from or None,
        }
        payers = [q.person_id for q in quotes.items] + [i.person_id for i in invoices.items]
        return {
            "quotes": quotes.items,
            "invoices": invoices.items,
            "names": _names(session, actor, payers),
            "filters": {"quote_status": quote_status, "invoice_status": invoice_status},
            "quote_statuses": QUOTE_STATUSES,
            "invoice_statuses": INVOICE_STATUSES,
            "quote_pages": _pager(shown, "quotes_from", quotes_from, quotes.next_offset),
            "invoice_pages": _pager(shown, "invoices_from", invoices_from, invoices.next_offset),
            "notices": notices(notice),
        }

    return show(request, session, "desk/billing.html", build)


def lines_from(form: Mapping[str, list[str]]) -> list[dict[str, object]]:
    """The filled-in rows of a lines table (description, quantity, unit price), the price
    read as typed (12.50) in cents. Rows count as the form shown again numbers them: the
    filled-in ones first."""
    rows = zip(
        form.get("description", []),
        form.get("quantity", []),
        form.get("unit_price", []),
        strict=False,
    )
    filled = [(d, q, p) for d, q, p in rows if d.strip() or p.strip()]
    return [
        {
            "description": description.strip(),
            "quantity": quantity.strip() or "1",
            "unit_cents": cents(price, f"unit price of line {number}"),
        }
        for number, (description, quantity, price) in enumerate(filled, start=1)
    ]


async def _sent(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A form's single values and its repeated ones."""
    sent = await request.form()
    single = {k: v for k, v in sent.items() if isinstance(v, str) and k != "csrf_token"}
    repeated = {
        key: [v for v in sent.getlist(key) if isinstance(v, str)]
        for key in ("description", "quantity", "unit_price")
    }
    return single, repeated


def _kept_lines(repeated: dict[str, list[str]]) -> list[dict[str, str]]:
    rows = zip(
        repeated.get("description", []),
        repeated.get("quantity", []),
        repeated.get("unit_price", []),
        strict=False,
    )
    kept = [
        {"description": masked(d), "quantity": q, "unit_price": p}
        for d, q, p in rows
        if d.strip() or p.strip()
    ]
    blank = {"description": "", "quantity": "1", "unit_price": ""}
    return kept + [blank] * max(LINE_ROWS - len(kept), 1)


def _new_form(
    session: Session, actor: Actor, kind: str, values: dict[str, str], lines: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "values": values,
        "lines": lines,
        "choices": people_choice(
            session, actor, ticket_id=None, person_id=values.get("person", ""), purpose=BILLING
        ),
    }


def _blank_lines() -> list[dict[str, str]]:
    return [{"description": "", "quantity": "1", "unit_price": ""}] * LINE_ROWS


@router.get("/billing/quotes/new", response_class=HTMLResponse)
def new_quote_form(
    request: Request,
    actor: Biller,
    session: SessionDep,
    person: QueryText = "",
    ticket: QueryText = "",
) -> Response:
    values = {"person": person[:36], "ticket": ticket[:12], "currency": local_of(request).currency}
    return show(
        request,
        session,
        "desk/billing_new.html",
        lambda: _new_form(session, actor, "quote", values, _blank_lines()),
    )


@router.post("/billing/quotes/new", response_class=HTMLResponse)
async def create_quote(request: Request, actor: Biller, session: SessionDep) -> Response:
    values, repeated = await _sent(request)
    try:
        given = {
            "person_id": person_from(
                session, actor, values.get("person", ""), values.get("email", "")
            ),
            "currency": values.get("currency", ""),
            "lines": lines_from(repeated),
            "ticket_id": values.get("ticket", "").strip().lstrip("#"),
            "valid_until": values.get("valid_until", ""),
        }
        asked = form_input(QuoteIn, given, FIELDS)
        made = quoting.create_quote(
            session, actor, **{**asked.model_dump(), "lines": lines_of(asked.lines)}
        )
    except DomainError as error:
        return _new_again(request, session, actor, "quote", values, repeated, error)
    return see_other(f"/desk/billing/quotes/{made.id}", notice="quote_saved")


def _new_again(
    request: Request,
    session: Session,
    actor: Actor,
    kind: str,
    values: dict[str, str],
    repeated: dict[str, list[str]],
    error: DomainError,
) -> HTMLResponse:
    failed(session, error)
    values = {key: masked(value) for key, value in values.items()}
    try:
        context = _new_form(session, actor, kind, values, _kept_lines(repeated))
    except DomainError as other:
        failed(session, other)
        context = _new_form(session, actor, kind, {**values, "person": ""}, _kept_lines(repeated))
    context["error"] = error.message
    return render(request, "desk/billing_new.html", context, status_code=error.status)


@router.get("/billing/invoices/new", response_class=HTMLResponse)
def new_invoice_form(
    request: Request, actor: Biller, session: SessionDep, person: QueryText = ""
) -> Response:
    values = {"person": person[:36], "currency": local_of(request).currency}
    return show(
        request,
        session,
        "desk/billing_new.html",
        lambda: _new_form(session, actor, "invoice", values, _blank_lines()),
    )


@router.post("/billing/invoices/new", response_class=HTMLResponse)
async def create_invoice(request: Request, actor: Biller, session: SessionDep) -> Response:
    """An invoice from its lines, or from an accepted quote (`quote`)."""
    values, repeated = await _sent(request)
    quote_id = values.get("quote", "")
    try:
        given: dict[str, object] = {
            "quote_id": quote_id,
            "issued_on": values.get("issued_on", ""),
            "due_on": values.get("due_on", ""),
        }
        if not quote_id:
            given |= {
                "person_id": person_from(
                    session, actor, values.get("person", ""), values.get("email", "")
                ),
                "lines": lines_from(repeated),
                "currency": values.get("currency", ""),
                "billing_address": values.get("billing_address", ""),
            }
        asked = form_input(InvoiceIn, given, FIELDS)
        made = invoicing.create_invoice(
            session, actor, **{**asked.model_dump(), "lines": lines_of(asked.lines)}
        )
    except DomainError as error:
        if quote_id:
            failed(session, error)
            return see_other(f"/desk/billing/quotes/{quote_id}", problem=error.message[:300])
        return _new_again(request, session, actor, "invoice", values, repeated, error)
    return see_other(f"/desk/billing/invoices/{made.id}", notice="invoice_saved")


@router.get("/billing/quotes/{quote_id}", response_class=HTMLResponse)
def quote_page(
    request: Request,
    quote_id: str,
    actor: Biller,
    session: SessionDep,
    notice: str = "",
    problem: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    def build() -> dict[str, Any]:
        quote = quoting.get_quote(session, actor, quote_id[:36])
        return {
            "quote": quote,
            "names": _names(session, actor, [quote.person_id]),
            "moves": sorted(QUOTE_MOVES.get(quote.status, set())),
            "notices": notices(notice),
            "problem": problem,
        }

    return show(request, session, "desk/quote.html", build)


@router.post("/billing/quotes/{quote_id}/status", response_class=HTMLResponse)
def move_quote(
    request: Request, quote_id: str, actor: Biller, session: SessionDep, status: FormText = ""
) -> Response:
    try:
        asked = form_input(QuoteChangeIn, {"status": status}, {"status": "Mark the quote as"})
        quoting.update_quote(session, actor, quote_id[:36], asked.model_dump(exclude_unset=True))
    except DomainError as error:
        failed(session, error)
        return see_other(f"/desk/billing/quotes/{quote_id[:36]}", problem=error.message[:300])
    return see_other(f"/desk/billing/quotes/{quote_id[:36]}", notice="quote_saved")


def _invoice_context(session: Session, actor: Actor, invoice_id: str) -> dict[str, Any]:
    invoice = invoicing.get_invoice(session, actor, invoice_id)
    payments = paying.list_payments(
        session, actor, billing.BillingFilter(invoice_id=invoice.id), limit=200
    )
    return {
        "invoice": invoice,
        "payments": payments.items,
        "names": _names(session, actor, [invoice.person_id]),
        "payment": {"currency": invoice.currency},
        "problem": "",
    }


@router.get("/billing/invoices/{invoice_id}", response_class=HTMLResponse)
def invoice_page(
    request: Request,
    invoice_id: str,
    actor: Biller,
    session: SessionDep,
    notice: str = "",
    problem: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    def build() -> dict[str, Any]:
        context = _invoice_context(session, actor, invoice_id[:36])
        return {**context, "notices": notices(notice), "problem": problem}

    return show(request, session, "desk/invoice.html", build)


@router.get("/billing/invoices/{invoice_id}/pdf")
def invoice_download(
    request: Request, invoice_id: str, actor: Biller, session: SessionDep
) -> Response:
    """The invoice as the customer gets it, as a PDF."""
    try:
        found = invoice_pdf.invoice_file(
            session, actor, invoice_id[:36], local_of(request).time_zone
        )
    except DomainError as error:
        return refused(request, session, error)
    return file_response(found.data, "application/pdf", found.filename)


@router.post("/billing/invoices/{invoice_id}/void", response_class=HTMLResponse)
def void_invoice(request: Request, invoice_id: str, actor: Biller, session: SessionDep) -> Response:
    try:
        invoicing.update_invoice(session, actor, invoice_id[:36], {"status": "void"})
    except DomainError as error:
        failed(session, error)
        return see_other(f"/desk/billing/invoices/{invoice_id[:36]}", problem=error.message[:300])
    return see_other(f"/desk/billing/invoices/{invoice_id[:36]}", notice="invoice_saved")


@router.post("/billing/invoices/{invoice_id}/payments", response_class=HTMLResponse)
def record_payment(
    request: Request,
    invoice_id: str,
    actor: Biller,
    session: SessionDep,
    processor: FormText = "",
    token: FormText = "",
    card_last4: FormText = "",
    amount: FormText = "",
    currency: FormText = "",
    paid_at: FormText = "",
) -> Response:
    """What the processor reported: its name, its token, the last four digits at most."""
    kept = {
        "processor": masked(processor),
        "token": masked(token),
        "card_last4": masked(card_last4),
        "amount": masked(amount),
        "currency": masked(currency),
        "paid_at": paid_at,
    }
    try:
        given = {
            "invoice_id": invoice_id,
            "processor": processor,
            "token": token,
            "card_last4": card_last4.strip(),
            "amount_cents": cents(amount, "amount"),
            "currency": currency,
            "paid_at": optional_moment(paid_at, "time of the payment", local_of(request)),
        }
        asked = form_input(PaymentIn, given, FIELDS)
        paying.record_payment(session, actor, **asked.model_dump())
    except DomainError as error:
        failed(session, error)
        try:
            context = _invoice_context(session, actor, invoice_id[:36])
        except DomainError as other:
            return refused(request, session, other)
        context.update(notices=[], payment_error=error.message, payment=kept)
        return render(request, "desk/invoice.html", context, status_code=error.status)
    return see_other(
        f"/desk/billing/invoices/{invoice_id[:36]}", notice="payment_recorded", anchor="payments"
    )
