"""Billing over HTTP: quotes, invoices, payments as processor tokens (D4) and warranty claims;
billing staff and admins do the work, customers read their own."""

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from steward.core import clock
from steward.core.db import make_engine, release

CARD = "4242 4242 4242 4242"
LINES = [
    {"description": "Annual generator service", "quantity": 1, "unit_cents": 45000},
    {"description": "Oil filter", "quantity": 2, "unit_cents": 1250},
]


def quote(browser: TestClient, person_id: str, **extra):
    body = {"person_id": person_id, "currency": "usd", "lines": LINES, **extra}
    return browser.post("/api/v1/quotes", json=body)


def invoice(browser: TestClient, person_id: str, **extra):
    body = {
        "person_id": person_id,
        "currency": "USD",
        "lines": LINES,
        "billing_address": "4800 Westheimer Rd, Houston, TX 77027",
        **extra,
    }
    return browser.post("/api/v1/invoices", json=body)


def pay(browser: TestClient, invoice_id: str, amount_cents: int, **extra):
    body = {
        "invoice_id": invoice_id,
        "processor": "stripe",
        "token": "pm_1Q2w3E4r5T6y7U8i",
        "card_last4": "4242",
        "amount_cents": amount_cents,
        "currency": "USD",
        **extra,
    }
    return browser.post("/api/v1/payments", json=body)


def test_billing_staff_write_quotes_numbered_by_year_with_their_total(team):
    _, ada = team.customer("ada")
    year = clock.today().year
    first = quote(team["billing"], ada, valid_until="2026-12-31")
    assert first.status_code == 201, first.text
    assert first.json()["number"] == f"Q-{year}-0001"
    assert first.json()["total_cents"] == 47500
    assert first.json()["currency"] == "USD"
    assert first.json()["status"] == "draft"
    assert first.json()["lines"] == LINES
    assert quote(team["admin"], ada).json()["number"] == f"Q-{year}-0002"
    assert quote(team["billing"], ada, currency="US").status_code == 422
    assert quote(team["billing"], ada, currency="12$").status_code == 422
    assert quote(team["billing"], ada, lines=[]).status_code == 422
    listed = team["billing"].get("/api/v1/quotes", params={"person_id": ada}).json()
    assert [q["number"] for q in listed["items"]] == [f"Q-{year}-0002", f"Q-{year}-0001"]


def test_a_quote_moves_from_draft_to_sent_to_accepted_and_only_drafts_change(team):
    _, ada = team.customer("ada")
    billing = team["billing"]
    made = quote(billing, ada).json()
    path = f"/api/v1/quotes/{made['id']}"
    one_line = [{"description": "Transfer switch", "quantity": 1, "unit_cents": 120000}]
    changed = billing.patch(path, json={"lines": one_line})
    assert changed.json()["total_cents"] == 120000
    assert billing.patch(path, json={"status": "sent"}).json()["status"] == "sent"
    assert billing.patch(path, json={"lines": LINES}).status_code == 409
    assert billing.delete(path).status_code == 409
    assert billing.patch(path, json={"status": "draft"}).status_code == 409
    assert billing.patch(path, json={"status": "accepted"}).json()["status"] == "accepted"
    assert billing.patch(path, json={"status": "declined"}).status_code == 409
    draft = quote(billing, ada).json()
    assert billing.delete(f"/api/v1/quotes/{draft['id']}").status_code == 204
    assert billing.get(f"/api/v1/quotes/{draft['id']}").status_code == 404


def test_customers_read_their_own_sent_quotes_and_nobody_elses(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, _ = team.customer("bob")
    made = quote(team["billing"], ada).json()
    path = f"/api/v1/quotes/{made['id']}"
    assert ada_browser.get(path).status_code == 404  # a draft is not the customer's yet
    assert ada_browser.get("/api/v1/quotes").json()["items"] == []
    team["billing"].patch(path, json={"status": "sent"})
    assert ada_browser.get(path).json()["lines"] == LINES
    assert [q["id"] for q in ada_browser.get("/api/v1/quotes").json()["items"]] == [made["id"]]
    assert bob_browser.get(path).status_code == 404
    assert bob_browser.get("/api/v1/quotes").json()["items"] == []
    assert quote(ada_browser, ada).status_code == 403
    assert ada_browser.patch(path, json={"status": "accepted"}).status_code == 403
    assert ada_browser.delete(path).status_code == 403


def test_agents_and_call_reviewers_have_no_access_to_billing(team):
    _, ada = team.customer("ada")
    made = quote(team["billing"], ada).json()
    for role in ("agent", "call_reviewer"):
        browser = team[role]
        assert quote(browser, ada).status_code == 403
        for kind in ("quotes", "invoices", "payments", "warranty-claims"):
            assert browser.get(f"/api/v1/{kind}").status_code == 403
        assert browser.get(f"/api/v1/quotes/{made['id']}").status_code == 403


def test_an_accepted_quote_becomes_an_invoice_once(team):
    _, ada = team.customer("ada")
    billing = team["billing"]
    made = quote(billing, ada).json()
    from_draft = billing.post("/api/v1/invoices", json={"quote_id": made["id"]})
    assert from_draft.status_code == 409
    billing.patch(f"/api/v1/quotes/{made['id']}", json={"status": "sent"})
    billing.patch(f"/api/v1/quotes/{made['id']}", json={"status": "accepted"})
    year = clock.today().year
    made_invoice = billing.post(
        "/api/v1/invoices",
        json={"quote_id": made["id"], "billing_address": "1 Main St", "due_on": "2099-01-31"},
    )
    assert made_invoice.status_code == 201, made_invoice.text
    body = made_invoice.json()
    assert body["number"] == f"I-{year}-0001"
    assert (body["person_id"], body["quote_id"], body["status"]) == (ada, made["id"], "issued")
    assert (body["total_cents"], body["paid_cents"], body["lines"]) == (47500, 0, LINES)
    again = billing.post("/api/v1/invoices", json={"quote_id": made["id"]})
    assert again.status_code == 409
    both = billing.post("/api/v1/invoices", json={"quote_id": made["id"], "lines": LINES})
    assert both.status_code == 422


def test_invoices_are_never_deleted_only_voided(team):
    ada_browser, ada = team.customer("ada")
    billing = team["billing"]
    made = invoice(billing, ada, issued_on="2026-11-02").json()
    assert made["number"] == "I-2026-0001"
    path = f"/api/v1/invoices/{made['id']}"
    refused = billing.delete(path)
    assert refused.status_code == 409
    assert "tax law" in refused.json()["detail"]
    assert team["admin"].delete(path).status_code == 409
    assert ada_browser.delete(path).status_code == 403
    assert billing.get(path).status_code == 200
    assert billing.patch(path, json={"status": "paid"}).status_code == 422
    assert billing.patch(path, json={"due_on": "2026-11-01"}).status_code == 422
    voided = billing.patch(path, json={"status": "void"})
    assert voided.json()["status"] == "void"
    assert pay(billing, made["id"], 47500).status_code == 409
    assert (
        billing.delete("/api/v1/invoices/00000000-0000-0000-0000-000000000000").status_code == 404
    )


def test_payments_cover_an_invoice_and_mark_it_paid(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, _ = team.customer("bob")
    billing = team["billing"]
    made = invoice(billing, ada).json()
    path = f"/api/v1/invoices/{made['id']}"
    first = pay(billing, made["id"], 20000)
    assert first.status_code == 201, first.text
    assert first.json()["card_last4"] == "4242"
    assert billing.get(path).json()["status"] == "issued"
    assert billing.get(path).json()["paid_cents"] == 20000
    assert pay(billing, made["id"], 27500, card_last4=None).status_code == 201
    assert billing.get(path).json()["status"] == "paid"
    assert billing.patch(path, json={"status": "void"}).status_code == 409
    assert pay(billing, made["id"], 100, currency="EUR").status_code == 422
    assert pay(billing, made["id"], 0).status_code == 422
    assert pay(billing, made["id"], 100, card_last4="42").status_code == 422
    missing = "00000000-0000-0000-0000-000000000000"
    assert pay(billing, missing, 100).status_code == 422

    mine = ada_browser.get("/api/v1/payments").json()["items"]
    assert sorted(p["amount_cents"] for p in mine) == [20000, 27500]
    assert ada_browser.get(path).json()["status"] == "paid"
    payment = f"/api/v1/payments/{first.json()['id']}"
    assert ada_browser.get(payment).status_code == 200
    assert bob_browser.get(payment).status_code == 404
    assert bob_browser.get(path).status_code == 404
    assert bob_browser.get("/api/v1/payments").json()["items"] == []
    assert bob_browser.get("/api/v1/invoices").json()["items"] == []
    by_invoice = billing.get("/api/v1/payments", params={"invoice_id": made["id"]}).json()
    assert len(by_invoice["items"]) == 2
    assert pay(ada_browser, made["id"], 100).status_code == 403


def database_values(settings) -> list[str]:
    """Every value in every table, as text (bytes as Latin-1), to search for a card number."""
    engine = make_engine(settings.database_url)
    try:
        values: list[str] = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            values.append(bytes(value).decode("latin-1"))
                        elif value is not None:
                            values.append(str(value))
        return values
    finally:
        release(engine)


@pytest.mark.promise("D4")
def test_a_full_card_number_in_any_field_is_refused_and_stored_nowhere(team, identity_settings):
    _, ada = team.customer("ada")
    billing = team["billing"]
    made = invoice(billing, ada).json()
    card_line = [{"description": f"Paid with {CARD}", "quantity": 1, "unit_cents": 100}]
    attempts = [
        pay(billing, made["id"], 100, token=CARD.replace(" ", "")),
        pay(billing, made["id"], 100, token=f"tok-{CARD.replace(' ', '-')}"),
        pay(billing, made["id"], 100, card_last4=CARD),
        pay(billing, made["id"], 100, processor=CARD),
        quote(billing, ada, lines=card_line),
        invoice(billing, ada, lines=card_line),
        invoice(billing, ada, billing_address=f"1 Main St, card {CARD}"),
        billing.post(
            "/api/v1/warranty-claims", json={"person_id": ada, "description": f"Card {CARD}"}
        ),
        billing.patch(
            f"/api/v1/quotes/{quote(billing, ada).json()['id']}", json={"lines": card_line}
        ),
    ]
    for answer in attempts:
        assert answer.status_code == 422, answer.text
        assert "card number" in answer.json()["detail"]
    # There is no field for a card number or a security code at all.
    assert pay(billing, made["id"], 100, card_number=CARD).status_code == 422
    assert pay(billing, made["id"], 100, cvc="123").status_code == 422

    assert billing.get("/api/v1/payments").json()["items"] == []
    assert billing.get("/api/v1/warranty-claims").json()["items"] == []
    assert len(billing.get("/api/v1/invoices").json()["items"]) == 1
    digits = CARD.replace(" ", "")
    for value in database_values(identity_settings):
        assert digits not in value and CARD not in value


def test_warranty_claims_are_filed_changed_and_removed_by_billing_staff(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, _ = team.customer("bob")
    billing = team["billing"]
    filed = billing.post(
        "/api/v1/warranty-claims",
        json={"person_id": ada, "description": "Alternator failed within warranty."},
    )
    assert filed.status_code == 201, filed.text
    claim = filed.json()
    assert (claim["status"], claim["device_id"]) == ("filed", None)
    path = f"/api/v1/warranty-claims/{claim['id']}"
    assert ada_browser.get(path).json()["description"] == "Alternator failed within warranty."
    assert bob_browser.get(path).status_code == 404
    assert ada_browser.patch(path, json={"status": "approved"}).status_code == 403
    assert billing.patch(path, json={"status": "approved"}).json()["status"] == "approved"
    assert billing.patch(path, json={"status": "lost"}).status_code == 422
    approved = billing.get("/api/v1/warranty-claims", params={"status": "approved"}).json()
    assert [c["id"] for c in approved["items"]] == [claim["id"]]
    unknown_device = {"device_id": "00000000-0000-0000-0000-000000000000"}
    assert billing.patch(path, json=unknown_device).status_code == 422
    assert ada_browser.delete(path).status_code == 403
    assert team["agent"].delete(path).status_code == 403
    assert billing.delete(path).status_code == 204
    assert billing.get(path).status_code == 404


def test_numbers_stay_unique_when_quotes_are_written_at_the_same_time(team):
    _, ada = team.customer("ada")
    browsers = [team["billing"], team["admin"]]
    answers: list = []

    def write(browser: TestClient) -> None:
        for _ in range(3):
            answers.append(quote(browser, ada))

    threads = [threading.Thread(target=write, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 6
    numbers = sorted(a.json()["number"] for a in answers)
    year = clock.today().year
    assert numbers == [f"Q-{year}-{n:04d}" for n in range(1, 7)]


def test_a_warranty_claim_names_a_device_of_its_claimant_only(team):
    _, ada = team.customer("ada")
    _, bob = team.customer("bob")
    agent = team["agent"]
    ada_device = agent.post("/api/v1/devices", json={"type": "generator", "person_id": ada})
    assert ada_device.status_code == 201, ada_device.text
    bob_device = agent.post("/api/v1/devices", json={"type": "generator", "person_id": bob})
    billing = team["billing"]
    claim = {"person_id": ada, "description": "Starter motor failed."}
    filed = billing.post(
        "/api/v1/warranty-claims", json={**claim, "device_id": ada_device.json()["id"]}
    )
    assert filed.status_code == 201
    assert filed.json()["device_id"] == ada_device.json()["id"]
    wrong = billing.post(
        "/api/v1/warranty-claims", json={**claim, "device_id": bob_device.json()["id"]}
    )
    assert wrong.status_code == 422
    by_device = billing.get(
        "/api/v1/warranty-claims", params={"device_id": ada_device.json()["id"]}
    ).json()
    assert [c["id"] for c in by_device["items"]] == [filed.json()["id"]]
