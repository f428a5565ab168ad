"""Quotes, invoices, payments, warranty claims and notification preferences: part of a demo
load, in the currency of the business's country; none where the policy holds no financial
data."""

import json
from datetime import datetime, timedelta

from sqlalchemy import select

from steward.consent.models import NotificationPreference
from steward.core.ids import new_id
from steward.demo.base import ALPHANUMERIC, _Core, _Person
from steward.desk.models import Invoice, Payment, Quote, WarrantyClaim
from steward.retention.models import LegalHold


class _BillingPhases(_Core):
    """Quotes, invoices, payments, warranty claims and notification preferences."""

    def customer(self) -> tuple[_Person, str | None]:
        """Who is billed: an organisation's contact, or an individual customer."""
        if self.individuals and self.rng.random() < 0.25:
            return self.rng.choice(self.individuals), None
        org = self.rng.choice(self.orgs)
        return self.rng.choice(org.contacts), org.id

    def billing_records(self) -> None:
        if not self.holds("user.financial.quote", "user.financial.invoice"):
            return
        paid = self.holds("user.financial.payment_token", "user.financial.card_last4")
        quotes: list[Quote] = []
        invoices: list[Invoice] = []
        payments: list[Payment] = []
        taken = set(self.session.scalars(select(Quote.number))) | set(
            self.session.scalars(select(Invoice.number))
        )
        for _ in range(max(1, self.people // 3)):
            person, org_id = self.customer()
            created = self.between(person.created_at, self.now - timedelta(days=1))
            lines, total = self.lines()
            age = (self.now - created).days
            status = (
                self.rng.choice(("accepted", "accepted", "declined"))
                if age > 30
                else self.rng.choice(("draft", "sent"))
            )
            quote = Quote(
                id=new_id(),
                number="",
                person_id=person.id,
                organisation_id=org_id,
                status=status,
                currency=self.local.currency,
                total_cents=total,
                lines=lines,
                valid_until=created.date() + timedelta(days=30),
                created_at=created,
            )
            quotes.append(quote)
            if status == "accepted":
                invoices.append(self.invoice(person, org_id, created + timedelta(days=3), quote))
        for _ in range(max(1, self.people // 2) - len(invoices)):
            person, org_id = self.customer()
            invoices.append(
                self.invoice(person, org_id, self.between(person.created_at, self.now), None)
            )
        for rows, prefix in ((quotes, "Q"), (invoices, "I")):
            rows.sort(key=lambda row: row.created_at)
            for row in rows:
                row.number = self.number(prefix, row.created_at, taken)
        for invoice in invoices:
            paid_at = datetime.combine(
                invoice.issued_on, datetime.min.time(), self.now.tzinfo
            ) + timedelta(days=self.rng.uniform(1, 30))
            if invoice.status == "paid" and paid_at >= self.now:
                invoice.status = "issued"
            elif invoice.status == "paid" and paid:  # otherwise paid by bank transfer
                payments.append(
                    Payment(
                        invoice_id=invoice.id,
                        person_id=invoice.person_id,
                        processor="stripe",
                        token="pm_" + "".join(self.rng.choices(ALPHANUMERIC, k=24)),
                        card_last4=f"{self.rng.randint(0, 9999):04d}",
                        amount_cents=invoice.total_cents,
                        currency=invoice.currency,
                        paid_at=paid_at,
                    )
                )
        self.save(quotes)
        self.save(invoices)
        self.save(payments)

    def lines(self) -> tuple[str, int]:
        """JSON lines of a quote or invoice, and their total in cents."""
        lines, total = [], 0
        for description, unit_cents in self.rng.sample(
            self.trade.quote_items, self.rng.randint(1, min(3, len(self.trade.quote_items)))
        ):
            quantity = self.rng.randint(1, 3)
            lines.append(
                {"description": description, "quantity": quantity, "unit_cents": unit_cents}
            )
            total += quantity * unit_cents
        return json.dumps(lines), total

    def number(self, prefix: str, at: datetime, taken: set[str]) -> str:
        n = 1
        while (candidate := f"{prefix}-{at.year}-{n:04d}") in taken:
            n += 1
        taken.add(candidate)
        return candidate

    def invoice(
        self, person: _Person, org_id: str | None, at: datetime, quote: Quote | None
    ) -> Invoice:
        at = min(at, self.now)
        lines, total = (quote.lines, quote.total_cents) if quote else self.lines()
        age = (self.now - at).days
        status = "paid" if age > 45 or self.rng.random() < 0.5 else "issued"
        if self.rng.random() < 0.03:
            status = "void"
        return Invoice(
            id=new_id(),
            number="",
            person_id=person.id,
            organisation_id=org_id,
            quote_id=quote.id if quote else None,
            status=status,
            currency=self.local.currency,
            total_cents=total,
            lines=lines,
            billing_address=self.fake.address().replace("\n", ", "),
            issued_on=at.date(),
            due_on=at.date() + timedelta(days=30),
            created_at=at,
        )

    # --- warranty claims and preferences ---------------------------------------------------

    def claims_and_preferences(self) -> None:
        claims: list[WarrantyClaim] = []
        claimed = self.trade.warranty and self.holds("user.financial.warranty_claim")
        for _ in range(max(1, self.people // 10) if claimed else 0):
            person, org_id = self.customer()
            owned = (
                next((o.devices for o in self.orgs if o.id == org_id), None)
                if org_id
                else self.person_devices.get(person.id)
            )
            device = self.rng.choice(owned) if owned else None
            created = self.between(device.created_at if device else person.created_at, self.now)
            age = (self.now - created).days
            claims.append(
                WarrantyClaim(
                    person_id=person.id,
                    device_id=device.id if device else None,
                    status=self.rng.choice(("approved", "rejected", "settled"))
                    if age > 30
                    else "filed",
                    description=self.rng.choice(self.trade.warranty),
                    created_at=created,
                )
            )
        self.save(claims)
        everyone = [p for o in self.orgs for p in (*o.contacts, *o.end_users)] + self.individuals
        self.save(
            [
                NotificationPreference(
                    person_id=p.id,
                    ticket_updates=True,
                    service_messages=True,
                    maintenance_alerts=self.rng.random() < 0.7,
                    marketing=False,  # marketing needs consent, which the demo never invents
                    preferred_channel=self.rng.choice(("email", "email", "phone")),
                    updated_at=self.between(p.created_at, self.now),
                )
                for p in everyone
                if self.rng.random() < 0.3
            ]
        )
        self.legal_holds()

    def legal_holds(self) -> None:
        """Two holds the privacy officer placed: a dispute with an organisation, in force,
        and a dispute about one ticket whose end date has passed (it waits for review)."""
        if self.officer is None or not self.orgs or not self.tickets:
            return
        ticket = self.rng.choice(self.tickets)
        self.save(
            [
                LegalHold(
                    scope="organisation",
                    target=self.orgs[-1].id,
                    reason="dispute",
                    owner_id=self.officer.account_id,
                    created_at=self.now - timedelta(days=40),
                ),
                LegalHold(
                    scope="ticket",
                    target=str(ticket.id),
                    reason="dispute",
                    owner_id=self.officer.account_id,
                    ends_on=(self.now - timedelta(days=10)).date(),
                    created_at=self.now - timedelta(days=200),
                ),
            ]
        )
