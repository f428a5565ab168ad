"""Desk pages for billing: quotes, invoices and payments held as processor tokens (D4)."""

import re

import pytest

from tests.web.test_desk_pages import agent, billing_clerk, form, shopper

__all__ = ["agent", "billing_clerk", "shopper"]  # fixtures shared with the queue's tests

CARD = "4111 1111 1111 1111"


def lines(*rows: tuple[str, str, str]) -> dict[str, list[str]]:
    return {
        "description": [r[0] for r in rows],
        "quantity": [r[1] for r in rows],
        "unit_price": [r[2] for r in rows],
    }


def new_quote(clerk) -> str:
    data = {
        "email": "ada@example.com",
        "currency": "USD",
        **lines(("Generator service", "1", "250.00"), ("Oil filter", "2", "12.50"), ("", "1", "")),
    }
    answer = form(clerk, "/desk/billing/quotes/new", data)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0].rsplit("/", 1)[1]


def test_a_quote_is_written_accepted_invoiced_and_paid(billing_clerk, shopper):
    quote = new_quote(billing_clerk)
    page = billing_clerk.get(f"/desk/billing/quotes/{quote}").text
    assert "Ada Lovelace" in page and "$275.00" in page and "Oil filter" in page
    for status in ("sent", "accepted"):
        moved = form(billing_clerk, f"/desk/billing/quotes/{quote}/status", {"status": status})
        assert moved.status_code == 303
    invoiced = form(billing_clerk, "/desk/billing/invoices/new", {"quote": quote})
    assert invoiced.status_code == 303, invoiced.text
    invoice_path = invoiced.headers["location"].split("?")[0]
    invoice = billing_clerk.get(invoice_path).text
    assert "$0.00 of $275.00" in invoice

    paid = form(
        billing_clerk,
        f"{invoice_path}/payments",
        {
            "processor": "Stripe",
            "token": "pi_3Nabc123",
            "card_last4": "4242",
            "amount": "275.00",
            "currency": "USD",
        },
    )
    assert paid.status_code == 303
    invoice = billing_clerk.get(invoice_path).text
    assert "pi_3Nabc123" in invoice and "ending 4242" in invoice
    assert re.search(r'class="status s-paid">Paid<', invoice)
    overview = billing_clerk.get("/desk/billing").text
    assert "Q-" in overview and "I-" in overview


@pytest.mark.promise("D4")
def test_the_payment_form_has_no_card_number_field(billing_clerk, shopper):
    quote = new_quote(billing_clerk)
    for status in ("sent", "accepted"):
        form(billing_clerk, f"/desk/billing/quotes/{quote}/status", {"status": status})
    invoice_path = (
        form(billing_clerk, "/desk/billing/invoices/new", {"quote": quote})
        .headers["location"]
        .split("?")[0]
    )
    page = billing_clerk.get(invoice_path).text
    payment_form = page.split('id="payment-heading"', 1)[1]
    names = set(re.findall(r'name="([^"]+)"', payment_form))
    assert names == {
        "csrf_token",
        "processor",
        "token",
        "card_last4",
        "amount",
        "currency",
        "paid_at",
    }


@pytest.mark.promise("D4")
def test_a_card_number_given_as_the_token_is_refused_and_not_sent_back(billing_clerk, shopper):
    data = {"email": "ada@example.com", "currency": "USD", **lines(("Repair", "1", "80"))}
    invoice_path = (
        form(billing_clerk, "/desk/billing/invoices/new", data).headers["location"].split("?")[0]
    )
    answer = form(
        billing_clerk,
        f"{invoice_path}/payments",
        {"processor": "Stripe", "token": CARD, "amount": "80", "currency": "USD"},
    )
    assert answer.status_code == 422
    assert CARD not in answer.text and CARD.replace(" ", "") not in answer.text
    assert 'value="Stripe"' in answer.text  # the other values are kept
    assert "No payments yet." in answer.text


def test_a_quote_without_lines_is_refused_with_the_form_kept(billing_clerk, shopper):
    data = {"email": "ada@example.com", "currency": "USD", **lines(("", "1", ""))}
    answer = form(billing_clerk, "/desk/billing/quotes/new", data)
    assert answer.status_code == 422
    assert "Check this field: Lines (at least 1)." in answer.text
    assert 'value="ada@example.com"' in answer.text


def test_an_invoice_is_voided(billing_clerk, shopper):
    data = {"email": "ada@example.com", "currency": "EUR", **lines(("Visit", "1", "60,00"))}
    invoice_path = (
        form(billing_clerk, "/desk/billing/invoices/new", data).headers["location"].split("?")[0]
    )
    assert "€60.00" in billing_clerk.get(invoice_path).text
    assert form(billing_clerk, f"{invoice_path}/void", {}).status_code == 303
    page = billing_clerk.get(invoice_path).text
    assert re.search(r'class="status s-void">Void<', page)
    assert "Record a payment" not in page


@pytest.mark.promise("X2")
def test_agents_get_no_billing_pages(agent):
    for path in ("/desk/billing", "/desk/billing/quotes/new", "/desk/billing/invoices/new"):
        assert agent.get(path).status_code == 403, path
