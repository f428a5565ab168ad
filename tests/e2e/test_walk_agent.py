"""An agent's day at the desk, in Chromium, under two example businesses (a US and a UK one):
signs in, sees the open queue (a closed ticket only under "All"), opens a ticket, inserts a
canned reply with JavaScript on and sends it setting the status, follows the requester to
their profile and their organisation, finds a person by name, and logs a call from the ticket
with a mistake first (the recording is kept) and comes back to the ticket. Times read in the
business's zone. The reply and status part once more with JavaScript off."""

import re
from dataclasses import dataclass

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.conftest import sign_in_through_pages
from tests.rights.channels_kit import use_example

RECORDING = {"name": "call.ogg", "mimeType": "audio/ogg", "buffer": b"OggS fake audio bytes"}


@dataclass(frozen=True)
class Business:
    example: str
    zones: tuple[str, ...]  # the zone's short names a time may carry
    call_start: str  # 2026-03-02 09:30 as the business's locale writes it


BUSINESSES = [
    Business("houston-generator.yaml", ("CST", "CDT"), r"Mar 2, 2026, 9:30\sAM"),
    Business("it-support-shop.yaml", ("GMT", "BST"), r"2 Mar 2026, 09:30"),
]


@pytest.fixture(params=BUSINESSES, ids=lambda b: b.example.removesuffix(".yaml"))
def business(request, data_dir) -> Business:
    """The example in place of the default policy: asked for before the live server."""
    use_example(data_dir, EXAMPLES / request.param.example)
    return request.param


@dataclass(frozen=True)
class Desk:
    ticket: int
    closed: int


def a_day_of_work(admin, make_customer) -> Desk:
    """Ada of Acme Generators (a contact, with a phone number) with an open ticket and a
    closed one, and a canned reply, all made through the API."""
    ada = make_customer()
    person = admin.get("/api/v1/people", params={"email": ada.email}).json()["items"][0]["id"]
    assert admin.patch(f"/api/v1/people/{person}", json={"phone": "+1 713 555 0199"}).is_success
    acme = admin.post("/api/v1/organisations", json={"name": "Acme Generators"}).json()["id"]
    member = {"kind": "contact", "person_id": person}
    assert admin.post(f"/api/v1/organisations/{acme}/members", json=member).is_success
    tickets = []
    for subject in ("Old fuel invoice question", "Generator will not start"):
        answer = ada.api.post("/api/v1/tickets", json={"subject": subject, "body": "Help, please."})
        assert answer.status_code == 201, answer.text
        tickets.append(answer.json()["id"])
    assert admin.patch(f"/api/v1/tickets/{tickets[0]}", json={"status": "closed"}).is_success
    canned = {"title": "Fuel filter", "body": "Please check the fuel filter first."}
    assert admin.post("/api/v1/canned-replies", json=canned).is_success
    return Desk(ticket=tickets[1], closed=tickets[0])


def fits_a_phone(page) -> bool:
    """Whether the page reads on a phone's width without scrolling sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(size)
    return bool(fits)


def marked_view(page) -> str:
    return page.locator("#views [aria-current=page]").inner_text()


@pytest.mark.promise("D6")
def test_an_agents_day_at_the_desk(
    business, browser_page, make_staff, make_customer, admin, screenshot
):
    desk = a_day_of_work(admin, make_customer)
    page = browser_page
    sign_in_through_pages(page, make_staff("agent"), next_path="/desk")

    # The open queue; the closed ticket only under "All".
    page.get_by_role("heading", name="Queue").wait_for()
    assert marked_view(page) == "All open"
    assert page.get_by_role("link", name="Generator will not start").is_visible()
    assert page.get_by_role("link", name="Old fuel invoice question").count() == 0
    page.get_by_label("Status", exact=True).select_option("all")
    page.get_by_role("link", name="Old fuel invoice question").wait_for()
    assert marked_view(page) == "All tickets"  # the views follow the filters (htmx)
    screenshot(page, "1-queue-all")

    # The ticket: a canned reply into the empty box, sent while setting the status.
    page.get_by_role("link", name="Generator will not start").click()
    page.get_by_role("heading", name=re.compile(f"#{desk.ticket} Generator")).wait_for()
    opened = page.locator(".facts time").first.get_attribute("title")
    assert opened in business.zones
    page.get_by_label("Canned reply").select_option(label="Fuel filter")
    page.get_by_role("button", name="Insert").click()
    message = page.get_by_label("Message")
    page.wait_for_function("() => document.getElementById('f-body').value !== ''")
    assert message.input_value() == "Please check the fuel filter first."
    page.get_by_label("Status after sending").select_option("waiting_on_customer")
    page.get_by_role("button", name="Send and set status").click()
    page.get_by_text("The status is now Waiting on customer.").wait_for()
    assert page.get_by_text("Your reply is sent.").is_visible()
    screenshot(page, "2-replied")

    # The requester's profile, and their organisation.
    page.locator(".facts").get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("heading", name="Ada Lovelace").wait_for()
    assert page.get_by_role("link", name="+17135550199").is_visible()
    page.get_by_role("link", name="Acme Generators").click()
    page.get_by_role("heading", name="Acme Generators").wait_for()
    assert page.get_by_role("link", name="Ada Lovelace").is_visible()
    screenshot(page, "3-organisation")

    # A person found by name from the desk's search.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Desk").click()
    # Typed, as the live search takes it: one search once the typing stops. (fill and Enter
    # would start two, the second redrawing the results just as the link is clicked.)
    page.get_by_label("Search").press_sequentially("lovelace")
    people = page.locator("section[aria-labelledby=people-heading]")
    people.get_by_role("link", name="Ada Lovelace").wait_for()
    assert fits_a_phone(page)
    people.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("heading", name="Ada Lovelace").wait_for()
    assert fits_a_phone(page)

    # A call from the ticket: a mistake first, the recording kept, then back to the ticket.
    page.get_by_role("link", name="Generator will not start").click()
    page.get_by_role("link", name="Log a call").click()
    page.get_by_role("heading", name="Log a call").wait_for()
    assert page.get_by_label("Phone number").input_value() == "+17135550199"
    page.get_by_label("Started at").fill("2026-03-02T09:30")
    page.get_by_label("Duration").fill("a while")
    page.get_by_label("The caller heard that calls are recorded").check()
    page.get_by_label("Recording").set_input_files(RECORDING)
    page.get_by_role("button", name="Log the call").click()
    page.get_by_text("Give the duration in minutes").wait_for()
    assert page.get_by_text("Your recording is kept: call.ogg").is_visible()
    assert page.get_by_label("Started at").input_value() == "2026-03-02T09:30"
    screenshot(page, "4-call-mistake")
    page.get_by_label("Duration").fill("6:15")
    page.get_by_role("button", name="Log the call").click()
    page.get_by_text("The call is logged and its recording kept.").wait_for()
    assert page.get_by_role("heading", name=re.compile(f"#{desk.ticket} Generator")).is_visible()
    page.get_by_role("link", name="Open the call just logged").click()
    started = page.locator(".facts time").first
    assert re.fullmatch(business.call_start, started.inner_text())
    assert started.get_attribute("title") in business.zones
    screenshot(page, "5-call-logged")


def test_the_reply_and_status_without_javascript(
    chromium, live_server, make_staff, make_customer, admin, screenshot
):
    desk = a_day_of_work(admin, make_customer)
    context = chromium.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in_through_pages(page, make_staff("agent"), next_path=f"/desk/tickets/{desk.ticket}")
        page.get_by_label("Canned reply").select_option(label="Fuel filter")
        page.get_by_role("button", name="Insert").click()
        assert page.get_by_label("Message").input_value() == "Please check the fuel filter first."
        page.get_by_label("Status after sending").select_option("resolved")
        page.get_by_role("button", name="Send and set status").click()
        page.get_by_text("The status is now Resolved.").wait_for()
        assert page.locator("ol.history").get_by_text("Resolved").is_visible()
        screenshot(page, "no-js-replied")
    finally:
        context.close()
