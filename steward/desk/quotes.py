"""Quotes: numbered, with their lines sealed under the customer's key; customers see
theirs once sent, never a draft. Top-level functions own their transaction."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict
from steward.desk.billing import (
    QUOTE_MOVES,
    QUOTE_STATUSES,
    BillingFilter,
    Line,
    QuoteView,
    _dump,
    _load,
    _numbered,
    _one,
    _page,
    _parse,
    _purpose,
    _query,
    _require_organisation_of,
    _status,
    no_card_numbers,
    valid_currency,
    valid_lines,
)
from steward.desk.calls import require_person, require_ticket_of
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
    is_customer,
    only_changes,
)
from steward.desk.models import Quote

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
