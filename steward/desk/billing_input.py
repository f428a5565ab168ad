"""What the desk takes in for billing: quotes, invoices, payments and warranty claims, as
the API's request bodies and the billing pages' forms alike, so both accept and refuse the
same input. No model has a field for a card number or a security code, and unknown fields
are refused (D4). The rules on how fields go together stay in the services."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from steward.core.inputs import Body
from steward.desk.billing import Line

Id = Annotated[str, Field(min_length=1, max_length=36)]
Currency = Annotated[str, Field(min_length=3, max_length=3)]
QuoteStatus = Literal["draft", "sent", "accepted", "declined"]
ClaimStatus = Literal["filed", "approved", "rejected", "settled"]


class LineIn(Body):
    description: str = Field(min_length=1, max_length=500)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_cents: int


Lines = Annotated[list[LineIn], Field(min_length=1, max_length=200)]


def lines_of(lines: list[LineIn] | None) -> list[Line] | None:
    """The lines as the services take them."""
    if lines is None:
        return None
    return [Line(line.description, line.quantity, line.unit_cents) for line in lines]


class QuoteIn(Body):
    person_id: Id
    currency: Currency
    lines: Lines
    organisation_id: Id | None = None
    ticket_id: Annotated[int, Field(ge=1)] | None = None
    valid_until: date | None = None


class QuoteChangeIn(Body):
    status: QuoteStatus | None = None
    currency: Currency | None = None
    lines: Lines | None = None
    valid_until: date | None = None


class InvoiceIn(Body):
    person_id: Id | None = None
    quote_id: Id | None = None
    lines: Lines | None = None
    currency: Currency | None = None
    billing_address: str | None = Field(None, max_length=1000)
    organisation_id: Id | None = None
    issued_on: date | None = None
    due_on: date | None = None


class InvoiceChangeIn(Body):
    status: Literal["void"] | None = None
    due_on: date | None = None


class PaymentIn(Body):
    invoice_id: Id
    processor: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=500)
    card_last4: str | None = Field(None, max_length=40)
    amount_cents: int
    currency: Currency
    paid_at: AwareDatetime | None = None


class ClaimIn(Body):
    person_id: Id
    description: str = Field(min_length=1, max_length=4000)
    device_id: Id | None = None
    status: ClaimStatus = "filed"


class ClaimChangeIn(Body):
    status: ClaimStatus | None = None
    description: str | None = Field(None, min_length=1, max_length=4000)
    device_id: Id | None = None
