"""An agent in a real browser: signs in with password and TOTP, works the queue, answers a
customer's ticket, adds an internal note and logs a call from the ticket page."""

import re

import pytest

from tests.e2e.conftest import sign_in_through_pages


def customer_ticket(make_customer, subject: str, body: str) -> int:
    shopper = make_customer()
    answer = shopper.api.post("/api/v1/tickets", json={"subject": subject, "body": body})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"]), shopper


@pytest.mark.promise("X2")
def test_an_agent_signs_in_opens_the_queue_and_answers_a_customers_ticket(
    browser_page, make_staff, make_customer, screenshot
):
    number, shopper = customer_ticket(
        make_customer, "Generator will not start", "It coughs twice and stops."
    )
    page = browser_page
    sign_in_through_pages(page, make_staff("agent"), next_path="/desk")
    page.get_by_role("heading", name="Queue").wait_for()
    assert page.get_by_role("link", name="Generator will not start").is_visible()
    screenshot(page, "1-queue")

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Status", exact=True).select_option("closed")
    page.get_by_text("No tickets match these filters.").wait_for()
    assert "status=closed" in page.url  # htmx pushed the filters into the address
    assert page.evaluate("window.stillTheSamePage === true")  # the table swapped, no reload
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_role("link", name="Generator will not start").click()
    page.get_by_role("heading", name=re.compile(f"#{number} Generator will not start")).wait_for()
    assert page.get_by_text("It coughs twice and stops.").is_visible()

    page.get_by_label("Message").fill("Please check the fuel filter.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your reply is sent.").wait_for()
    page.get_by_label("Internal note (staff only)").check()
    page.get_by_label("Message").fill("Probably the pump; order one.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your internal note is added.").wait_for()
    note = page.locator("ol.conversation > li.internal")
    assert note.get_by_text("Internal note").is_visible()
    assert note.get_by_text("Probably the pump; order one.").is_visible()

    page.get_by_role("button", name="Assign to me").click()
    page.get_by_text("The ticket is updated.").wait_for()
    assert page.locator("ol.history").get_by_text("unassigned → you").is_visible()
    screenshot(page, "2-answered")

    seen = shopper.api.get(f"/api/v1/tickets/{number}").json()
    bodies = [m["body"] for m in seen["messages"]]
    assert "Please check the fuel filter." in bodies
    assert all("pump" not in (b or "") for b in bodies)


@pytest.mark.promise("D6")
def test_an_agent_logs_a_call_from_the_ticket_page(
    browser_page, make_staff, make_customer, screenshot
):
    number, _ = customer_ticket(make_customer, "Printer offline", "It shows error 41.")
    page = browser_page
    sign_in_through_pages(page, make_staff("agent"), next_path=f"/desk/tickets/{number}")
    page.get_by_role("link", name="Log a call").click()
    page.get_by_role("heading", name="Log a call").wait_for()
    assert page.get_by_label("Ada Lovelace").is_checked()  # the ticket's requester
    page.get_by_label("Phone number").fill("+44 20 7946 0000")
    page.get_by_label("Duration").fill("6:15")
    page.get_by_label("The caller heard that calls are recorded").check()
    page.get_by_label("Notes").fill("Restarted the print spooler together.")
    screenshot(page, "1-call-form")
    page.get_by_role("button", name="Log the call").click()
    page.get_by_text("The call is logged.").wait_for()  # back on the ticket
    page.get_by_role("link", name="Calls on this ticket").click()
    assert page.get_by_text("+442079460000").is_visible()
    screenshot(page, "2-call-logged")


def test_the_queue_fits_a_phone(browser_page, make_staff, make_customer, screenshot):
    customer_ticket(make_customer, "Router keeps rebooting", "Every ten minutes.")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_through_pages(page, make_staff("agent"), next_path="/desk")
    page.get_by_role("heading", name="Queue").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "phone-queue")


@pytest.mark.promise("D4")
def test_billing_staff_invoice_a_customer_and_record_a_payment(
    browser_page, make_staff, make_customer, screenshot
):
    make_customer()
    page = browser_page
    sign_in_through_pages(page, make_staff("billing"), next_path="/desk")
    page.get_by_role("heading", name="Billing").wait_for()  # not the queue
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Customer's email address").fill("ada@example.com")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Description of line 1").fill("Generator service")
    page.get_by_label("Unit price of line 1").fill("250.00")
    page.get_by_role("button", name="Save the invoice").click()
    page.get_by_text("The invoice is saved.").wait_for()
    assert page.locator("input[name*=card_number], input[autocomplete^=cc-number]").count() == 0
    page.get_by_label("Processor", exact=True).fill("Stripe")
    page.get_by_label("Processor's payment token").fill("pi_3Nabc123")
    page.get_by_label("Card's last four digits").fill("4242")
    page.get_by_label("Amount").fill("250.00")
    page.get_by_role("button", name="Record the payment").click()
    page.get_by_text("The payment is recorded.").wait_for()
    assert page.get_by_text("ending 4242").is_visible()
    screenshot(page, "paid")
